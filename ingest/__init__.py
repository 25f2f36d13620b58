"""clinicbot ingest: load -> clean -> dedupe -> chunk -> embed -> publish into Chroma."""
