"""The installed command: `clinicbot serve | ask | ingest` (the same as app.py, python -m bot, python -m ingest)."""
