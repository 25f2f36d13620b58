"""The guard: decides crisis, emergency, support, refused, off topic or answer, before retrieval."""
