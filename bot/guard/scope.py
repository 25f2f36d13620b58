"""Is a message about what this clinic serves? Judged against the articles the clinic actually serves.

No list of one clinic's treatments: the message's meaning is compared with the served index (the
engine's own embedder and the index's own chunk vectors), so another specialty's ordinary questions are
in scope the day its articles are published. A question about the clinic itself (visits, costs, booking,
the care team) is recognised by words of any clinic's care, whatever its specialty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

# The message's best cosine similarity to a served chunk from which it is about the articles: the highest cut
# that keeps 97% of the dev clinics' questions in scope, because a question sent off topic is a failure while an
# off-topic message let through only costs a "the articles don't cover that". Calibrated by `python -m evals
# scope`; the figures of the last calibration are in docs/design.md ("Calibrated thresholds").
NEAR = 0.20

# Words of any clinic's care (never one specialty's treatments), in senses they seldom have outside it: a
# question about appointments, the care team, medicines or paying for care is about the clinic even when
# no article answers it. Everyday words with other senses ("book", "price", "session") are left to the
# reader and the articles.
CARE = re.compile(
    r"\b(appointments?|appts?|consultations?|referrals?|follow-?up (visit|appointment)s?|waiting room|clinic|"
    r"doctors?|nurses?|clinicians?|physicians?|care team|"
    r"treatments?|therap(y|ies|ist)|surgery|side effects?|symptoms?|"
    r"medications?|medicines?|meds|prescri\w*|doses?|dosing|"
    r"insurance|copays?|co-pays?|billing|payment plans?|out of pocket|"
    r"(book|schedule|make|cancel) (an? |my |the )?(appointment|visit|consult\w*)|reschedul\w*|opening hours|"
    r"(what time|when) do (you|y'all) (open|close)|are you open)\b",
    re.I,
)


@dataclass(frozen=True)
class Scope:
    """How near a message is to the clinic's care: its best similarity to a served chunk, and care words."""

    nearest: float = 0.0
    care_words: bool = False

    @property
    def covered(self) -> bool:
        """About the clinic: near what its articles say, or about its care in any clinic's words."""
        return self.care_words or self.nearest >= NEAR


def nearest(vector: np.ndarray, chunk_vectors: np.ndarray) -> float:
    """The best cosine similarity of a (unit) query vector to the served chunks (0 for an empty index)."""
    if chunk_vectors is None or not len(chunk_vectors):
        return 0.0
    return float(np.max(chunk_vectors @ vector))


def scope_of(text: str, vector: np.ndarray, chunk_vectors: np.ndarray) -> Scope:
    """The scope of one message (as the retriever embedded it) against one index version."""
    return Scope(nearest(vector, chunk_vectors), bool(CARE.search(text)))
