"""Baseline (plain LangChain RAG) versus clinicbot on the same questions, side by side: the clinic's
golden sets (dev and test) and the practice clinics of the test split (never tuned on).

    python -m benchmarks.answer_bench [--no-blind]

--no-blind leaves out the blind set's ten test clinics (train/data/reader/blind), as `python -m evals run
--no-blind` does: the sets a checkout from before they were written can be compared on.

Warm figures: both systems are built and asked one question before timing starts. Beside them, for the sets
measured then, clinicbot at issue 23's start (answer_bench_before.json: measured once with that checkout on
this machine; its latencies are from that quiet run, not this one).
The baseline sees each question alone (it has no conversation memory); clinicbot gets the history.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

import numpy as np

from benchmarks import columns, side_by_side
from benchmarks.baseline import Baseline
from bot.core.settings import Settings
from bot.engine import build_bot
from bot.retrieve.embedder import Embedder
from evals.metrics import fact_found
from evals.practice import BLIND, clinics, run_clinic
from evals.sets import GOLDEN, load_cases
from ingest.sync import Syncer

REPO = Path(__file__).resolve().parents[1]
# clinicbot at issue 23's start (3edaabd), measured with that checkout's own bench: the "before" column
BEFORE = Path(__file__).with_name("answer_bench_before.json")
ROWS = ("source_hit", "fact_recall", "answer_words", "abstention_recall", "false_abstention", "p50_ms", "p95_ms")


def figures(cases, replies) -> dict:
    """The comparison figures for one system's replies to cases."""

    answerable = [(c, r) for c, r in zip(cases, replies, strict=False) if c.kind == "answer"]
    unanswerable = [(c, r) for c, r in zip(cases, replies, strict=False) if c.kind == "no_answer"]
    answered = [(c, r) for c, r in answerable if r["kind"] == "answer"]
    ms = [r["ms"] for r in replies]
    return {
        "source_hit": np.mean([bool(r["sources"]) and r["sources"][0] in c.sources for c, r in answered])
        if answered
        else 0.0,
        "fact_recall": np.mean(
            [
                sum(fact_found(f, r["answer"]) for f in c.facts) / max(len(c.facts), 1)
                if r["kind"] == "answer"
                else 0.0
                for c, r in answerable
            ]
        ),
        "answer_words": np.mean([len(r["answer"].split()) for c, r in answered]),
        "abstention_recall": np.mean([r["kind"] == "no_answer" for c, r in unanswerable]) if unanswerable else 0.0,
        "false_abstention": np.mean([r["kind"] == "no_answer" for c, r in answerable]),
        "p50_ms": float(np.percentile(ms, 50)),
        "p95_ms": float(np.percentile(ms, 95)),
    }


def clinicbot_reply(bot, case) -> dict:
    answer = bot.ask(case.question, list(case.history))
    return {
        "answer": answer.answer,
        "kind": answer.kind,
        "sources": [c.source for c in answer.citations],
        "ms": answer.timings_ms["total"],
        "stages": {k: v for k, v in answer.timings_ms.items() if k != "total"},
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.answer_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--no-blind", action="store_true", help="leave out the blind set's test clinics")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

    cases = [c for name in ("answers", "conversations") for c in load_cases(GOLDEN / f"{name}.jsonl")]
    stored = json.loads(BEFORE.read_text())
    embedder = Embedder.served()
    with tempfile.TemporaryDirectory(prefix="clinicbot-bench-") as tmp:
        settings = Settings(index_dir=Path(tmp) / "index", corpus_dir=REPO / "corpus")
        bot = build_bot(settings, embedder=embedder)
        Syncer(bot.retriever.store, embedder, 10**8).run(settings.corpus_dir)
        # its own model instance: clinicbot's query cache must not answer for the baseline
        plain = Embedder()  # the peer reads questions in float32, as LangChain would
        baseline = Baseline(settings.corpus_dir, plain, Path(tmp) / "baseline")
        bot.ask("warm up"), baseline.ask("warm up")
        ours = [clinicbot_reply(bot, c) for c in cases]
        theirs = [baseline.ask(c.question) for c in cases]
        for split in ("dev", "test"):
            idx = [i for i, c in enumerate(cases) if c.split == split]
            title = f"golden {split} split"
            picked = [cases[i] for i in idx], [theirs[i] for i in idx], [ours[i] for i in idx]
            _print(title, *picked, stored["sets"].get(title), stored["commit"])
        practice(bot, plain, Path(tmp), None if args.no_blind else BLIND, stored)


def practice(bot, embedder, tmp: Path, blind: Path | None, stored: dict) -> None:
    """The test practice clinics: each indexed on its own for both systems, asked its own questions (the
    baseline with `embedder`)."""

    def ask_all(clinic_bot, cases, corpus):
        baseline = Baseline(corpus, embedder, tmp / f"baseline-{corpus.parent.name}")
        clinic_bot.ask("warm up"), baseline.ask("warm up")
        return [(c, baseline.ask(c.question), clinicbot_reply(clinic_bot, c)) for c in cases]

    rows = []
    tested = [c for c in clinics(blind=blind) if c.split == "test"]
    for clinic in tested:
        rows += run_clinic(clinic, bot.settings, bot, ask_all)
    asked = [r for r in rows if r[0].category != "logistics"]  # the clinic's profile answers these, not its articles
    _print(
        "test practice clinics (" + ", ".join(c.name for c in tested) + "; logistics left out)",
        [r[0] for r in asked],
        [r[1] for r in asked],
        [r[2] for r in asked],
        stored["sets"]["test practice clinics"] if [c.name for c in tested] == stored["practice_clinics"] else None,
        stored["commit"],
    )


def _print(title: str, cases, theirs, ours, before: dict | None = None, commit: str = "") -> None:
    """One set's table: the plain LangChain peer, clinicbot at issue 23's start (`before`, stored, when the
    set was measured then) and clinicbot now."""
    print(
        f"\n{title}: {sum(c.kind == 'answer' for c in cases)} answerable, "
        f"{sum(c.kind == 'no_answer' for c in cases)} unanswerable"
    )
    if before is None:
        side_by_side(("baseline", "clinicbot"), figures(cases, theirs), figures(cases, ours), ROWS)
        _stages(ours)
        return
    headers = ("baseline", f"start ({commit})", "clinicbot now")
    columns(headers, (figures(cases, theirs), before, figures(cases, ours)), ROWS)
    _stages(ours)


def _stages(ours) -> None:
    """Where clinicbot's time goes: each stage's p50 over the answers that ran it."""
    names = sorted({k for r in ours for k in r.get("stages", {})})
    p50 = {n: np.percentile([r["stages"][n] for r in ours if n in r.get("stages", {})], 50) for n in names}
    print("clinicbot stage p50 (ms): " + ", ".join(f"{n} {p50[n]:.1f}" for n in names))


if __name__ == "__main__":
    main()
