"""Benchmarks: ingest speed and memory, and the plain LangChain baseline clinicbot is compared with."""
