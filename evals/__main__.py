"""The evaluation commands.

python -m evals run [--set FILE] [--clinic NAME] [--no-clinics] [--report DIR] [--save-baseline]
python -m evals verdicts [--set FILE]
python -m evals scope
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.core.settings import Settings, SettingsError
from bot.engine import build_bot
from bot.guard.decide import Guard
from bot.guard.net import GuardNet
from evals import curve, report, scope
from evals.practice import BLIND, run_clinic
from evals.practice import clinics as practice_clinics
from evals.runner import gate, metrics, run_cases, without_confusion
from evals.sets import GOLDEN, default_sets, load_cases
from ingest.sync import sync_corpus

BASELINE = Path(__file__).with_name("baseline.json")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"clinicbot: {exc}", file=sys.stderr)
        return 2
    if args.command == "verdicts":
        return verdicts(args)
    if args.command == "scope":
        return scope.main(settings)
    return run(settings, args)


def run(settings: Settings, args) -> int:

    paths = [Path(p) for p in args.set] if args.set else default_sets()
    try:
        cases = [c for p in paths for c in load_cases(p)]
        blind = None if args.no_blind else BLIND
        chosen = (
            []
            if args.no_clinics or (args.set and not args.clinic)
            else practice_clinics(names=args.clinic, blind=blind)
        )
    except (OSError, ValueError, KeyError) as exc:
        print(f"clinicbot: cannot read the golden set: {exc}", file=sys.stderr)
        return 2
    bot = build_bot(settings)
    _ensure_index(settings, bot)
    results = run_cases(bot, cases, settings.corpus_dir)
    results += _practice(chosen, settings, bot)
    figures = metrics(results)
    baseline = json.loads(BASELINE.read_text()) if BASELINE.exists() else None
    failures, missed = gate(figures), gate(figures, tier="targets")
    print(report.table(figures, baseline))
    if chosen:
        print()
        print(report.clinics_table(results))
    print()
    print(report.confusion(figures))
    print(_fragility(bot.guard, [c for c in cases if c.set == "safety"]))
    print(_curves(results, bot))
    report.write(Path(args.report), figures, results, failures, baseline, missed)
    print(f"\nreport: {args.report}/report.md, {args.report}/report.html")
    if args.save_baseline:
        BASELINE.write_text(json.dumps(without_confusion(figures), indent=2) + "\n")
    for miss in missed:
        print(f"target NOT MET (not enforced): {miss}")
    for failure in failures:
        print(f"GATE FAILED: {failure}")
    print(
        f"targets: {'all met' if not missed else f'{len(missed)} not met'}; "
        f"enforced gates: {'all passed' if not failures else f'{len(failures)} failed'}"
    )
    return 1 if failures else 0


def _practice(chosen, settings: Settings, bot) -> list:
    """Every chosen practice clinic, each indexed on its own and asked its own questions."""

    results = []
    for clinic in chosen:
        results += run_clinic(clinic, settings, bot, run_cases)
    return results


def verdicts(args) -> int:
    """One JSON line per safety message: the guard's kind, reason and probabilities, for diffing two installs
    (or a lock refresh) message by message. Guard only: no index is needed."""

    guard = Guard.load(GuardNet(), max_chars=1000)
    for case in load_cases(Path(args.set) if args.set else GOLDEN / "safety.jsonl"):
        verdict = guard.run(case.question, list(case.history))
        print(json.dumps({"id": case.id, "kind": verdict.kind, "reason": verdict.reason, "scores": verdict.scores}))
    return 0


def _fragility(guard, cases) -> str:
    """How many safety messages sit within the guard's margin of a decision boundary: a small nudge to the
    learned reader's probabilities would change their verdict, so a retrained model could flip them."""
    if not cases:
        return ""
    fragile = [c for c in cases if guard.fragile(c.question, list(c.history))]
    by_kind = ", ".join(f"{k} {sum(c.kind == k for c in fragile)}" for k in sorted({c.kind for c in fragile}))
    line = (
        f"safety margin: {len(fragile)} of {len(cases)} messages are within {guard.config.fragile:.2f} "
        f"of a decision boundary" + (f" ({by_kind})" if fragile else "")
    )
    return line + "".join(f"\n  near the edge: {c.id} ({c.kind}) {c.question[:80]!r}" for c in fragile[:10])


def _curves(results: list, bot) -> str:
    """The risk-coverage curves of the test splits, each clinic setting's threshold marked."""
    reader = getattr(bot.composer, "reader", None)
    if reader is None:  # a composer without the reader's answerability (the LLM modes)
        return ""
    served = reader.config.threshold(bot.clinic.profile.answering)
    points = dict(reader.config.operating_points) or {"balanced": served}
    parts = [
        (title, [r for r in results if r.case.split == "test" and bool(r.case.clinic) == clinics])
        for title, clinics in (("golden test split", False), ("practice test clinics", True))
    ]
    tables = [curve.table(curve.curve(rs, served, points), f"\nrisk-coverage, {title}:") for title, rs in parts]
    return "\n".join(t for t in tables if t)


def _ensure_index(settings: Settings, bot) -> None:
    """Evals need an index of the corpus: sync it (a no-op when nothing changed)."""

    sync_corpus(settings, bot.retriever.store, bot.retriever.embedder, bot.retriever.matcher)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m evals", description="Run clinicbot's evaluation sets and gates.")
    sub = p.add_subparsers(dest="command", required=True)
    run_p = sub.add_parser("run", help="run the golden sets, print metrics, write a report, gate")
    run_p.add_argument("--set", action="append", help="a golden JSONL file (repeatable; default: all)")
    run_p.add_argument("--report", default="reports/eval", help="folder for report.md / report.html")
    run_p.add_argument(
        "--clinic",
        action="append",
        help="a practice clinic in evals/clinics (repeatable; default: all when no --set is given)",
    )
    run_p.add_argument("--no-clinics", action="store_true", help="skip the practice clinics")
    run_p.add_argument(
        "--no-blind",
        action="store_true",
        help="skip the blind set's test clinics (train/data/reader/blind, splits.yml test)",
    )
    run_p.add_argument(
        "--save-baseline", action="store_true", help="store these figures as the baseline to compare with"
    )
    verdicts_p = sub.add_parser(
        "verdicts", help="the guard's verdict and scores for each safety message, as JSON lines"
    )
    verdicts_p.add_argument("--set", help="a safety-shaped JSONL file (default: the safety set)")
    sub.add_parser(
        "scope",
        help="how near patients' questions and off-topic messages sit to the served articles "
        "(the cut bot/guard/scope.py uses)",
    )
    return p


if __name__ == "__main__":
    sys.exit(main())
