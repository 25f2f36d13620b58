"""Approved answers (corpus/_answers.yml): short plain-language answers an editor wrote for questions
patients ask often, each with a review date and the articles it rests on.

A patient's question gets an approved answer when it asks what that answer answers. The engine's embedder
shortlists the SHORTLIST answers closest in meaning; a cross-encoder trained for this (models/approved_reader)
reads the question with each one (the editor's question and the answer) and gives P(this answers it). The
likeliest is given when P is at least THRESHOLD and its cosine at least SAME_MEANING: on the practice clinics
the two together let through more paraphrases with no wrong match than either alone. One of the editor's own
questions, word for word, always matches.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

import models
from bot.answer.reader.cross import CrossReader, pair_text
from bot.core.records import Answer, Citation

FILE = "_answers.yml"
MODEL_DIR = models.folder("approved_reader")
SHORTLIST = 4  # answers the cross-encoder reads per question: the right one is nearly always among them
# The lowest P(answers) with no wrong match on the dev clinics of evals/approved/ (a near miss or another
# question must never get someone else's approved answer; a missed paraphrase gets the articles' answer), plus
# a margin. Calibrated by `python -m evals.approved` (re-run it when either model changes); figures in
# models/approved_reader/README.md.
THRESHOLD = 0.91
# The cosine (question against an editor's question with its answer) that alone decided before the
# cross-encoder: the lowest with no wrong match on the clinic's own dev questions, plus 0.01 (2026-11)
SAME_MEANING = 0.76
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
    score: float  # P(it answers the question), 1.0 for an editor's own wording
    question: str
    cosine: float = 1.0


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
    """The approved answers, their questions embedded once, matched by the approved-answer cross-encoder."""

    def __init__(
        self, entries: list[Approved], embedder=None, judge: CrossReader | None = None, threshold: float | None = None
    ):
        self.entries = entries
        self.embedder = embedder
        self.judge = judge
        self.threshold = THRESHOLD if threshold is None else threshold
        self._owner = [e for e in entries for _ in e.questions]
        self._questions = [q for e in entries for q in e.questions]
        # each question is embedded together with its answer: on the first calibration set this shortlisted
        # more paraphrases than the question alone (python -m evals.approved)
        texts = [f"{q} {e.answer}" for e in entries for q in e.questions]
        self._vectors = embedder.embed(texts) if entries and embedder is not None else np.zeros((0, 1))

    @classmethod
    def load(cls, corpus_dir: Path, embedder, judge: CrossReader | None) -> "ApprovedAnswers":
        """Read corpus/_answers.yml (none is fine: no approved answers yet). The cross-encoder is loaded here
        (load_judge) when the file holds answers and none was handed in: a clinic without approved answers
        does not hold its 50 MB."""
        path = Path(corpus_dir) / FILE
        entries = parse(path.read_text(encoding="utf-8")) if path.exists() else []
        if entries and judge is None and embedder is not None:
            judge = load_judge()
        return cls(entries, embedder, judge)

    def shortlist(self, question: str) -> list[tuple[Approved, str, float]]:
        """The SHORTLIST answers closest in meaning, closest first: (answer, its closest listed question, cosine)."""
        scores = self._vectors @ np.asarray(self.embedder.embed_query(question))
        best: dict[str, tuple[Approved, str, float]] = {}
        for entry, listed, score in zip(self._owner, self._questions, scores.tolist(), strict=True):
            if entry.id not in best or score > best[entry.id][2]:
                best[entry.id] = (entry, listed, score)
        return sorted(best.values(), key=lambda t: -t[2])[:SHORTLIST]

    def best(self, question: str) -> Match | None:
        """The approved answer likeliest to answer the question and P(it does) (None when there are none)."""
        if not self._questions or not question.strip():
            return None
        key = _key(question)
        for entry, listed in zip(self._owner, self._questions, strict=False):
            if _key(listed) == key:  # one of the questions the editor wrote, word for word
                return Match(entry, 1.0, listed)
        if self.judge is None or self.embedder is None:
            return None  # nothing can read the question: only the editor's own wording matches
        near = self.shortlist(question)
        probs = self.judge.probabilities([approved_pair(question, listed, e) for e, listed, _ in near])
        i = int(np.argmax(probs))
        return Match(near[i][0], float(probs[i]), near[i][1], near[i][2])

    def match(self, question: str) -> Match | None:
        """The approved answer that answers the question, if the cross-encoder is sure enough."""
        found = self.best(question)
        sure = found is not None and found.score >= self.threshold and found.cosine >= SAME_MEANING
        return found if sure else None


def approved_pair(question: str, listed: str, entry: Approved) -> str:
    """The text the approved-answer cross-encoder reads: the patient's question, then the editor's question as
    the heading of the answer. Trainer and matcher both build it here."""
    return pair_text(question, listed, entry.answer)


def load_judge(folder: Path = MODEL_DIR) -> CrossReader:
    """The approved-answer cross-encoder from the package (int8, as calibrated); a clear error if missing."""
    return CrossReader(folder, int8=True, trainer="train.approved_reader")


def approved_answer(question: str, match: Match, clinic: str, titles: dict[str, str]) -> Answer:
    """The approved answer as the bot's reply, cited as the clinic's answer (with its review date and the
    articles it rests on)."""
    entry = match.entry
    based = ", ".join(titles.get(s, s) for s in entry.rests_on)
    section = f"Reviewed {entry.reviewed}" + (f"; based on {based}" if based else "")
    citation = Citation(1, FILE, f"{clinic}'s answer", section, entry.answer, f"{FILE}#{entry.id}")
    return Answer(question, "answer", f"{entry.answer} [1]", [citation])
