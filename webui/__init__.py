"""Gradio pages (the one place that touches Gradio besides app.py's wiring)."""
