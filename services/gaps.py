"""Content gaps: the questions the bot could not answer and those patients marked 👎, grouped by meaning.

Grouped with the engine's own embeddings: a question joins the first group whose first question it is at
least SAME_MEANING close to. Newest
groups first. An editor turns a group into an approved answer, or marks it out of scope (kept in the shared
database, services/desk_records.OutOfScope, so it stops showing up).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# the cosine at which two questions mean the same: the approved-answer match's floor
from bot.clinic.approved import SAME_MEANING

UNANSWERED = ("no_answer",)


@dataclass
class Gap:
    """Questions that mean the same, with how often and when they were asked, and why they are here."""

    key: str  # the first question asked: names the group
    questions: list[str] = field(default_factory=list)
    first: str = ""
    last: str = ""
    unanswered: int = 0
    disliked: int = 0

    @property
    def count(self) -> int:
        return len(self.questions)

    def why(self) -> str:
        """Why the group is on the list, in plain words."""
        parts = [
            f"{self.unanswered} not answered" if self.unanswered else "",
            f"{self.disliked} marked 👎" if self.disliked else "",
        ]
        return ", ".join(p for p in parts if p)

    def wordings(self, limit: int = 4) -> str:
        """A few of the different ways patients asked it."""
        seen = list(dict.fromkeys(q.strip() for q in self.questions))
        more = f" (and {len(seen) - limit} more)" if len(seen) > limit else ""
        return " · ".join(seen[:limit]) + more


def group(rows: list[dict], embedder, threshold: float = SAME_MEANING) -> list[Gap]:
    """Group logged exchanges (dicts with question, kind, rating, at) that were unanswered or disliked."""
    wanted = [r for r in sorted(rows, key=lambda r: r["at"]) if r["kind"] in UNANSWERED or r.get("rating") == -1]
    wanted = [r for r in wanted if str(r.get("question") or "").strip()]
    if not wanted:
        return []
    vectors = embedder.embed([r["question"] for r in wanted])
    gaps: list[Gap] = []
    heads: list[np.ndarray] = []
    for row, vector in zip(wanted, vectors, strict=False):
        scores = [float(h @ vector) for h in heads]
        best = int(np.argmax(scores)) if scores else -1
        if best < 0 or scores[best] < threshold:
            gaps.append(Gap(row["question"].strip(), first=row["at"]))
            heads.append(vector)
            best = len(gaps) - 1
        gap = gaps[best]
        gap.questions.append(row["question"].strip())
        gap.last = row["at"]
        gap.unanswered += row["kind"] in UNANSWERED
        gap.disliked += row.get("rating") == -1
    return sorted(gaps, key=lambda g: g.last, reverse=True)
