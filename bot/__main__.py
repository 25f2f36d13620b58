"""python -m bot ask "QUESTION" [--json] [--history FILE] | ask --batch FILE"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from bot.core.settings import Settings, SettingsError
from bot.engine import build_bot


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="clinicbot: %(message)s", stream=sys.stderr)
    try:
        settings = Settings.from_env(
            corpus_dir=args.corpus, index_dir=args.index, chroma_url=args.chroma_url, llm=args.llm
        )
        history = _history(args.history) if args.history else []
        batch = _batch(args.batch) if args.batch else None
    except (SettingsError, ValueError, OSError) as exc:
        print(f"clinicbot: {exc}", file=sys.stderr)
        return 2
    if batch is None and args.question is None:
        print("clinicbot: give a QUESTION or --batch FILE", file=sys.stderr)
        return 2

    bot = build_bot(settings)  # one model load, whatever the number of questions
    if batch is not None:
        for question in batch:
            print(json.dumps(bot.ask(question).to_json()), flush=True)
        return 0
    answer = bot.ask(args.question, history)
    print(json.dumps(answer.to_json(), indent=2) if args.json else render(answer))
    return 0


def render(answer) -> str:
    """Plain text for people: the answer, numbered sources with quotes, terms, the notice."""
    lines = [answer.answer]
    if answer.citations:
        lines.append("\nSources:")
        lines += [f'  [{c.n}] {c.title} - {c.section}\n      "{c.quote}"' for c in answer.citations]
    if answer.glossary:
        lines.append("\nWhat the words mean:")
        lines += [f"  {term}: {definition}" for term, definition in answer.glossary]
    if answer.notice:
        lines.append(f"\n{answer.notice}")
    return "\n".join(lines)


def _history(path: str) -> list[str]:
    """Earlier user turns: a JSON list, or JSONL of {"question": ...} / strings."""
    text = Path(path).read_text(encoding="utf-8").strip()
    items = (
        json.loads(text) if text.startswith("[") else [json.loads(line) for line in text.splitlines() if line.strip()]
    )
    return [i["question"] if isinstance(i, dict) else str(i) for i in items]


def _batch(path: str) -> list[str]:
    out = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            out.append(str(json.loads(line)["question"]))
        except (json.JSONDecodeError, KeyError, TypeError):
            raise ValueError(f'{path} line {n}: expected {{"question": "..."}}') from None
    return out


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bot", description="Ask clinicbot a question.")
    sub = p.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("ask", help="answer one question, or a batch")
    ask.add_argument("question", nargs="?")
    ask.add_argument("--json", action="store_true", help="print the answer JSON (docs/design.md)")
    ask.add_argument("--batch", help='JSONL file of {"question": ...}; one answer JSON per line')
    ask.add_argument("--history", help="earlier user messages of this conversation (JSON list or JSONL)")
    for flag in ("corpus", "index", "chroma-url", "llm"):
        ask.add_argument(f"--{flag}")
    return p


if __name__ == "__main__":
    sys.exit(main())
