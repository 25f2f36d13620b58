"""The project's trained weights, shipped inside the installed package (never fetched from a hub).

Each model lives in its own folder beside this file, with its card (README.md): models/guard/,
models/reader/, models/cross_reader/ (and its student, models/cross_student/), models/matcher/,
models/approved_reader/ and models/contact_intent/.
Code finds a folder with `folder(name)`; a missing file is reported by the loader that needs it, naming the
path and the training command that makes it.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent


def folder(name: str) -> Path:
    """The folder of one shipped model, e.g. folder("guard")."""
    return HERE / name
