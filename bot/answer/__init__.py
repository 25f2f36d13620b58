"""Answering from evidence: the reader, the extractive composer, grounding, verification, LLM mode."""
