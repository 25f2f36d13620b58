"""Reviewers' updates to evaluation cases, kept in the data folder and applied when cases are loaded.

The evaluation sets ship with the package (or sit in a clinic's own folder); they are never rewritten. When an
editor accepts that a changed answer is the better one, the case's new expectation (kind, facts, sources) is
appended here with who accepted it, when and why, and every later run reads the case with that update on top.
"""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

FILE = "case_reviews.jsonl"


@dataclasses.dataclass(frozen=True)
class Review:
    """A reviewer's new expectation for one evaluation case."""

    case: str
    kind: str
    facts: tuple[str, ...]
    sources: tuple[str, ...]
    who: str
    at: str
    why: str


class CaseReviews:
    """The reviewers' updates of one data folder (the newest update of a case wins)."""

    def __init__(self, data_dir: Path):
        self.path = Path(data_dir) / FILE

    def all(self) -> dict[str, Review]:
        """The latest review of each case id."""
        if not self.path.exists():
            return {}
        out = {}
        for line in self.path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                row["facts"], row["sources"] = tuple(row["facts"]), tuple(row["sources"])
                out[row["case"]] = Review(**row)
        return out

    def add(self, case: str, kind: str, facts: list[str], sources: list[str], who: str, why: str) -> Review:
        """Record a reviewer's new expectation for a case; a reason is required."""
        if not why.strip():
            raise ValueError("say why this is the better answer (it is recorded with your name)")
        review = Review(
            case, kind, tuple(facts), tuple(sources), who or "staff", time.strftime("%Y-%m-%dT%H:%M:%S"), why.strip()
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(dataclasses.asdict(review)) + "\n")
        return review

    def apply(self, cases: list) -> list:
        """The cases with their reviewed expectations on top (cases without a review are unchanged)."""
        reviews = self.all()
        return [
            dataclasses.replace(c, kind=r.kind, facts=r.facts, sources=r.sources) if (r := reviews.get(c.id)) else c
            for c in cases
        ]
