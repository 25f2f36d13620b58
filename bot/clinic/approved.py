"""Approved answers (corpus/_answers.yml): short plain-language answers an editor wrote for questions
patients ask often, each with a review date and the articles it rests on.

A patient's question that means the same as one of an answer's questions (cosine similarity of the
engine's own embeddings at or above THRESHOLD) gets that answer, cited as the clinic's answer.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from bot.core.records import Answer, Citation

FILE = "_answers.yml"
# The lowest similarity with no wrong match on the dev split of evals/approved/, plus 0.01: a missed paraphrase
# gets the articles' answer, a wrong match someone else's approved answer. Calibrated by `python -m
# evals.approved` (re-run it when the embedder changes); its figures are in docs/design.md.
THRESHOLD = 0.76
_SLUG = re.compile(r"[^a-z0-9]+")


class ApprovedError(ValueError):
    """An approved answer that cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class Approved:
    """One approved answer: the questions it answers, the answer, its review date and the articles it rests on."""

    id: str
    questions: tuple[str, ...]
    answer: str
    reviewed: str
    rests_on: tuple[str, ...] = ()

    def to_yaml(self) -> dict:
        return {
            "id": self.id,
            "questions": list(self.questions),
            "answer": self.answer,
            "reviewed": self.reviewed,
            "rests_on": list(self.rests_on),
        }


@dataclass(frozen=True)
class Match:
    """The approved answer closest in meaning to a question, and how close."""

    entry: Approved
    score: float
    question: str


def _key(text: str) -> str:
    """A question for a word-for-word comparison: lower case, punctuation and spacing ignored."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def slug(text: str) -> str:
    """A short id made from a question: lower case words joined by '-'."""
    return _SLUG.sub("-", text.lower()).strip("-")[:40] or "answer"


def parse(text: str) -> list[Approved]:
    """Approved answers from the file's text, or ApprovedError saying which entry is wrong and why."""
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ApprovedError(f"the approved answers file is not valid: {str(exc).splitlines()[0]}") from None
    rows = (data.get("answers") or []) if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise ApprovedError("the approved answers file must hold a list under 'answers:'")
    return [check_entry(row, i) for i, row in enumerate(rows, start=1)]


def check_entry(row, position: int = 1) -> Approved:
    """One entry as a record, checked: at least one question, an answer, a review date."""
    if not isinstance(row, dict):
        raise ApprovedError(f"approved answer {position} is not a set of 'name: value' lines")
    questions = tuple(" ".join(str(q).split()) for q in row.get("questions") or [] if str(q).strip())
    answer = " ".join(str(row.get("answer") or "").split())
    reviewed = str(row.get("reviewed") or "").strip()
    name = questions[0] if questions else f"approved answer {position}"
    if not questions:
        raise ApprovedError(f"{name}: give at least one question it answers")
    if not answer:
        raise ApprovedError(f"{name}: the answer is empty")
    try:
        dt.date.fromisoformat(reviewed)
    except ValueError:
        raise ApprovedError(
            f"{name}: the review date must look like 2026-11-29 (got {reviewed or 'nothing'})"
        ) from None
    rests_on = tuple(str(s).strip() for s in row.get("rests_on") or [] if str(s).strip())
    return Approved(str(row.get("id") or slug(questions[0])), questions, answer, reviewed, rests_on)


def dump(entries: list[Approved]) -> str:
    """The file's text for these entries."""
    head = (
        "# Approved answers: short plain-language answers to questions patients ask often.\n"
        "# Written and reviewed by the clinic's editors on the staff desk (Articles tab); published through\n"
        "# the same check as articles. A patient's question that means the same gets this answer.\n"
    )
    return head + yaml.safe_dump(
        {"answers": [e.to_yaml() for e in entries]}, sort_keys=False, allow_unicode=True, width=100
    )


class ApprovedAnswers:
    """The approved answers with their questions embedded once, matched by meaning."""

    def __init__(self, entries: list[Approved], embedder=None, threshold: float = THRESHOLD):
        self.entries = entries
        self.embedder = embedder
        self.threshold = threshold
        self._owner = [e for e in entries for _ in e.questions]
        self._questions = [q for e in entries for q in e.questions]
        # each question is embedded together with its answer: on the calibration set this matched more paraphrases
        # than the question alone at no wrong match (dev 13/24 against 10/24; python -m evals.approved)
        texts = [f"{q} {e.answer}" for e in entries for q in e.questions]
        self._vectors = embedder.embed(texts) if entries and embedder is not None else np.zeros((0, 1))

    @classmethod
    def load(cls, corpus_dir: Path, embedder) -> "ApprovedAnswers":
        """Read corpus/_answers.yml (none is fine: no approved answers yet)."""
        path = Path(corpus_dir) / FILE
        entries = parse(path.read_text(encoding="utf-8")) if path.exists() else []
        return cls(entries, embedder)

    def best(self, question: str) -> Match | None:
        """The closest approved answer, whatever its score (None when there are none)."""
        if not self._questions or not question.strip():
            return None
        key = _key(question)
        for entry, listed in zip(self._owner, self._questions, strict=False):
            if _key(listed) == key:  # one of the questions the editor wrote, word for word
                return Match(entry, 1.0, listed)
        scores = self._vectors @ np.asarray(self.embedder.embed_query(question))
        i = int(np.argmax(scores))
        return Match(self._owner[i], float(scores[i]), self._questions[i])

    def match(self, question: str) -> Match | None:
        """The approved answer that means the same as the question, if one is close enough."""
        found = self.best(question)
        return found if found and found.score >= self.threshold else None


def approved_answer(question: str, match: Match, clinic: str, titles: dict[str, str]) -> Answer:
    """The approved answer as the bot's reply, cited as the clinic's answer (with its review date and the
    articles it rests on)."""
    entry = match.entry
    based = ", ".join(titles.get(s, s) for s in entry.rests_on)
    section = f"Reviewed {entry.reviewed}" + (f"; based on {based}" if based else "")
    citation = Citation(1, FILE, f"{clinic}'s answer", section, entry.answer, f"{FILE}#{entry.id}")
    return Answer(question, "answer", f"{entry.answer} [1]", [citation])
