"""python -m evals.approved: calibrate and measure the approved-answer match on evals/approved/.

paraphrases.jsonl holds questions that mean the same as one of answers.yml's approved answers (expect: its
id) and questions that share words with them but ask something else (expect: null). The threshold is the
lowest one with no wrong match on the dev split (a wrong approved answer is worse than an article answer);
the test split is measured with it, once, and printed beside it.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

from bot.clinic.approved import THRESHOLD, ApprovedAnswers, parse
from bot.retrieve.embedder import Embedder

FOLDER = Path(__file__).with_name("approved")
MARGIN = 0.01


@dataclass(frozen=True)
class Scored:
    """One paraphrase: the split, what it should match, what is closest and how close."""

    split: str
    question: str
    expect: str | None
    best: str
    score: float


def score_all(embedder, folder: Path = FOLDER) -> list[Scored]:
    """Every paraphrase scored against the evaluation's approved answers."""
    answers = ApprovedAnswers(parse((folder / "answers.yml").read_text(encoding="utf-8")), embedder)
    rows = [
        json.loads(line)
        for line in (folder / "paraphrases.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    out = []
    for row in rows:
        found = answers.best(row["question"])
        out.append(Scored(row["split"], row["question"], row["expect"], found.entry.id, found.score))
    return out


def outcome(rows: list[Scored], threshold: float) -> dict:
    """Right matches of the paraphrases that should match, and wrong matches of any question."""
    should = [r for r in rows if r.expect]
    right = sum(r.score >= threshold and r.best == r.expect for r in should)
    wrong = sum(r.score >= threshold and r.best != r.expect for r in rows)
    return {"right": right, "should": len(should), "wrong": wrong, "questions": len(rows)}


def calibrate(rows: list[Scored]) -> float:
    """The lowest threshold (in steps of 0.01) with no wrong match on the dev split, plus MARGIN: the closest
    wrong question sat just under it, and a paraphrase worded a little differently must not cross."""
    dev = [r for r in rows if r.split == "dev"]
    for step in range(50, 100):
        if outcome(dev, step / 100)["wrong"] == 0:
            return round(step / 100 + MARGIN, 2)
    return 1.0


def main() -> int:

    rows = score_all(Embedder())
    fitted = calibrate(rows)
    for name, t in (("calibrated", fitted), ("in use (bot/clinic/approved.py)", THRESHOLD)):
        for split in ("dev", "test"):
            o = outcome([r for r in rows if r.split == split], t)
            print(
                f"{name:<26} {t:.2f} {split:<5} right {o['right']}/{o['should']}  wrong matches "
                f"{o['wrong']}/{o['questions']}"
            )
    near = sorted((r for r in rows if r.best != r.expect), key=lambda r: -r.score)[:5]
    print("closest questions that must not match:")
    for r in near:
        print(f"  {r.score:.3f} {r.split:<5} {r.question!r} -> {r.best}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
