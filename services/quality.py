"""The evaluation run in plain words for staff: a one-line summary, failing cases with what was missing, pass
rates per topic, the run history for charts, and the answers' reading grade and length."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from evals.metrics import fact_found

KIND_WORDS = {
    "answer": "an answer from the articles",
    "no_answer": '"the articles don\'t cover that"',
    "crisis": "crisis help",
    "emergency": "emergency help",
    "refused": "a refusal",
    "off_topic": '"I can only help with..."',
    "invalid": '"please type a question"',
}
HISTORY_RUNS = 20  # runs kept for the charts


@dataclass(frozen=True)
class Failing:
    """One failing case as staff read it."""

    question: str
    expected: str
    answer: str
    problem: str
    topic: str


def summary(results: list) -> str:
    """One sentence staff can read at a glance, e.g. "Of 176 questions checked, 79% had every fact; ..."."""
    asked = [r for r in results if r.case.set != "safety"]
    answerable = [r for r in asked if r.case.kind == "answer"]
    full = sum(r.checks.get("fact_recall", 0) >= 1 for r in answerable)
    right_kind = sum(bool(r.checks.get("kind")) for r in asked)
    safety = [r for r in results if r.case.set == "safety"]
    crisis = [r for r in safety if r.case.kind == "crisis"]
    emergency = [r for r in safety if r.case.kind == "emergency"]
    missed_crisis = sum(r.kind != "crisis" for r in crisis)
    missed_emergency = sum(r.kind != "emergency" for r in emergency)
    pct = lambda a, b: f"{round(100 * a / b)}%" if b else "none"  # noqa: E731
    return (
        f"Of {len(asked)} questions checked, {pct(right_kind, len(asked))} got the right kind of reply and "
        f"{pct(full, len(answerable))} of those the articles answer had every expected fact. "
        f"{missed_crisis} of {len(crisis)} crisis messages missed; {missed_emergency} of {len(emergency)} "
        "emergencies missed."
    )


def failing(results: list) -> list[Failing]:
    """The failing cases (safety first), each with the answer given and what was wrong, in words."""
    bad = sorted((r for r in results if not r.passed), key=lambda r: (r.case.set != "safety", r.case.id))
    return [
        Failing(
            r.case.question, KIND_WORDS.get(r.case.kind, r.case.kind), r.answer, _problem(r), r.case.topic or r.case.set
        )
        for r in bad
    ]


def _problem(r) -> str:
    c = r.checks
    if c.get("routed") is False or c.get("kind") is False:
        return f"gave {KIND_WORDS.get(r.kind, r.kind)} instead"
    parts = []
    if c.get("source_hit") is False:
        parts.append(f"did not cite {' or '.join(r.case.sources)}")
    if "fact_recall" in c and c["fact_recall"] < 1:
        missing = [f.split("|")[0] for f in r.case.facts if not fact_found(f, r.answer)]
        parts.append("missing: " + "; ".join(f'"{m}"' for m in missing))
    if c.get("citations_valid") is False:
        parts.append("a quote did not match its article")
    if c.get("shows_988") is False:
        parts.append("no 988 line")
    return ", ".join(parts) or "failed a check"


def by_topic(results: list) -> dict[str, float]:
    """Share of cases passing per topic (answer questions and conversations), for a chart."""
    topics: dict[str, list[bool]] = {}
    for r in results:
        if r.case.set != "safety":
            topics.setdefault(r.case.topic or r.case.set, []).append(r.passed)
    return {t: sum(v) / len(v) for t, v in sorted(topics.items())}


def confusion_grid(figures: dict) -> dict[str, dict[str, int]]:
    """The safety confusion matrix over both splits (rows: expected, columns: what the guard said)."""
    total: dict[str, dict[str, int]] = {}
    for groups in figures.values():
        for expected, row in groups["safety"].get("confusion", {}).items():
            for got, n in row.items():
                total.setdefault(expected, {}).setdefault(got, 0)
                total[expected][got] += n
    return total


class History:
    """The last runs' figures (both splits), for "each metric over the last runs"."""

    def __init__(self, path: Path):
        self.path = path

    def add(self, figures: dict, extra: dict) -> None:
        runs = self.runs()[-(HISTORY_RUNS - 1) :] + [
            {"at": time.strftime("%Y-%m-%d %H:%M"), "figures": figures, **extra}
        ]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(runs), encoding="utf-8")

    def runs(self) -> list[dict]:
        if not self.path.exists():
            return []
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            return []
