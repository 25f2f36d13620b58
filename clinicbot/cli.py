"""`clinicbot serve|ask|ingest ...`: one command for an installed copy, dispatching to the same entry points
the repository runs as `python app.py`, `python -m bot ask` and `python -m ingest`."""

from __future__ import annotations

import sys

from bot.__main__ import main as ask_main
from ingest.__main__ import main as ingest_main
from webui.server import main as serve_main

USAGE = """usage: clinicbot COMMAND [options]

commands:
  serve    serve the web app (patients at /, staff at /staff); clinicbot serve --help
  ask      answer a question from the articles;                   clinicbot ask --help
  ingest   sync the corpus folder into the index;                 clinicbot ingest --help

Settings come from CLINICBOT_* variables (clinicbot serve --help lists them); the corpus folder defaults to
./corpus and the index to ./.index, both relative to where you run it."""


def main(argv: list[str] | None = None) -> int:
    """Run one clinicbot command; exit code 2 with the usage for an unknown one."""
    args = list(sys.argv[1:] if argv is None else argv)
    command, rest = (args[0], args[1:]) if args else ("", [])
    if command == "serve":
        return serve_main(rest)
    if command == "ask":
        return ask_main(["ask", *rest])
    if command == "ingest":
        return ingest_main(rest)
    print(USAGE, file=sys.stdout if command in ("-h", "--help") else sys.stderr)
    return 0 if command in ("-h", "--help") else 2
