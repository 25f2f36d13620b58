"""Retrieval: the embedder, the Chroma index store, hybrid search and follow-up resolution."""
