"""The reader: which retrieved sentence answers the question, and whether the articles answer it at all.

Every sentence of the retrieved chunks is described by generic features (bot/answer/reader/features.py) and
scored by a small learned model (bot/answer/reader/model.py, trained by `python -m train.reader` on practice
clinics' questions). A question-level model then judges answerability from the best scores, from how much of
the question the articles' own vocabulary covers, and from the cross-encoder (cross.py), which reads the
question together with each of the few best-ranked sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from bot.answer.reader.cross import CrossReader, pair_text
from bot.answer.reader.features import COLUMN, GENERIC_STEMS, Focus, candidate_rows, question_types
from bot.answer.reader.model import MODEL_DIR, ReaderConfig, ReaderModelMissing, ReaderNet
from bot.core.records import Chunk, Evidence, Sentence
from bot.core.text import tokens

__all__ = [
    "CrossReader",
    "Candidate",
    "Inputs",
    "Reader",
    "Reading",
    "ReaderConfig",
    "ReaderModelMissing",
    "ReaderNet",
    "MODEL_DIR",
]

# Sentences about the article itself ("This article delves into...") never answer a question.
META = re.compile(
    r"\b(this|our|the following) (article|blog post|post|blog|guide|page)\b|\bin this (article|post|blog)\b"
    r"|\bwe delve\b",
    re.I,
)


@dataclass
class Candidate:
    """One sentence the reader considered, with its rank score (see ReaderNet.rank_scores)."""

    sentence: Sentence
    chunk: Chunk
    score: float
    dense: float
    coverage: float


@dataclass
class Reading:
    """The reader's judgement: candidates best first, and P(the articles answer the question)."""

    candidates: list[Candidate]
    answerable: float
    why: str = ""
    threshold: float = 0.0  # the likelihood it answers from (the clinic's choice, ReaderConfig.threshold)


@dataclass
class Inputs:
    """What the models read for one question: the candidates, their feature rows and the question-level
    extras (the same for answering and for training, see train/reader.py)."""

    pool: list[tuple]
    rows: np.ndarray
    extras: np.ndarray
    missing: str  # the subject of "does it help X?" when the articles never mention X, else ""


class Reader:
    """Scores candidate sentences and answerability with a ReaderNet and a CrossReader handed in (build_bot)."""

    def __init__(self, net: ReaderNet, cross: CrossReader):
        self.net = net
        self.cross = cross
        self.config: ReaderConfig = net.config

    def run(self, query, evidence: list[Evidence], view, answering: str = "balanced") -> Reading:
        """Read the evidence for one question (`query` from HybridRetriever.query); `answering` is the clinic's
        choice of how readily to answer (ReaderConfig.threshold)."""
        threshold = self.config.threshold(answering)
        got = inputs(query, evidence, view)
        if got is None:
            return Reading([], 0.0, "nothing in the index matched", threshold)
        probs = self.net.sentence_scores(got.rows)
        ranks = self.net.rank_scores(got.rows, probs)
        order = np.argsort(-ranks, kind="stable")
        coverage = got.rows[:, COLUMN["coverage"]]
        candidates = [
            Candidate(got.pool[i][0], got.pool[i][1], float(ranks[i]), got.pool[i][3], float(coverage[i]))
            for i in order
        ]
        answerable = 0.0
        if not got.missing:
            read = cross_read(self.cross, query.corrected, got.pool, order[: self.config.cross_reads])
            answerable = self.net.answerable(answerability_row(got.rows, probs, got.extras, read))
        why = (
            f"asks about '{got.missing}', which the articles never mention"
            if got.missing
            else f"the articles seem not to answer it (likelihood {answerable:.2f}; it answers from {threshold:.2f})"
            if answerable < threshold
            else ""
        )
        return Reading(candidates, answerable, why, threshold)


def inputs(query, evidence: list[Evidence], view) -> Inputs | None:
    """Candidates, feature rows and question-level extras for a question; None when nothing was retrieved."""
    candidates = pool(query, evidence, view)
    if not candidates:
        return None
    focus = Focus.of(query.tokens, view)
    missing = unknown_subject(query.corrected, view)
    rows = candidate_rows(query.corrected, focus, candidates, view)
    return Inputs(candidates, rows, question_extras(query, focus, candidates, view, bool(missing)), missing)


def pool(query, evidence: list[Evidence], view) -> list[tuple]:
    """(sentence, chunk, evidence, dense, chunk rank, matched) for every sentence of the retrieved chunks:
    `matched` is the sentence matcher's similarity (the plain one, `dense`, where the retriever has none)."""
    out = []
    for rank, ev in enumerate(evidence, start=1):
        for sent in ev.chunk.sentences:
            if META.search(sent.text):
                continue
            at = view.sentence_index[sent.id]
            vector = view.loaded.sentence_vectors[at]
            dense = float(query.vector @ vector)
            if query.focus is not None:  # a follow-up: what it asks now matters as much as its context
                dense = (dense + float(query.focus @ vector)) / 2
            matched = dense
            if query.match is not None and view.match_vectors is not None:
                matched = float(query.match @ view.match_vectors[at])
            out.append((sent, ev.chunk, ev, dense, rank, matched))
    return out


def question_extras(query, focus: Focus, pool: list, view, missing: bool) -> np.ndarray:
    """What answerability needs beyond the sentence scores: the share of the question the articles have
    no word for, whether it turns on a subject they never mention, whether it asks yes/no, how much
    of it the retrieved passages cover together, and how near the matcher puts its nearest candidate."""
    everything = frozenset().union(*(view.sentence_words(p[0]) for p in pool))
    return np.asarray(
        [
            unknown_share(query.tokens, view),
            float(missing),
            float("yesno" in question_types(query.corrected)),
            focus.coverage(everything),
            max(p[5] for p in pool),
        ],
        dtype=np.float32,
    )


def cross_read(cross: CrossReader, asked: str, pool: list, chosen: np.ndarray) -> np.ndarray:
    """The cross-encoder's P(answers) for the `chosen` candidates of `pool` (best-ranked first), each read with
    the question as retrieved (a follow-up carries the turn it refers to)."""
    return cross.probabilities(pool_pairs(asked, pool, chosen))


def pool_pairs(asked: str, pool: list, chosen) -> list[str]:
    """The texts the cross-encoder reads for the `chosen` candidates of `pool` (their indices, in order), for
    the reader and for the trainers alike."""
    return [pair_text(asked, pool[i][1].section, pool[i][0].text) for i in chosen]


def answerability_row(rows: np.ndarray, probs: np.ndarray, extras: np.ndarray, read: np.ndarray) -> np.ndarray:
    """ANSWERABILITY's row: the best two sentence scores, the best sentence's fit, the extras, and the
    cross-encoder's reading of the best-ranked candidates (`read`, first-ranked first)."""
    best = rows[int(np.argmax(probs))]
    top = np.sort(probs)[::-1]
    fit = [best[COLUMN[f]] for f in ("dense", "matched", "coverage", "context_coverage", "rare_hit", "type_miss")]
    cross = [float(read.max()), float(read[0])] if len(read) else [0.0, 0.0]
    return np.asarray([top[0], top[1] if len(top) > 1 else 0.0, *fit, *extras, *cross], dtype=np.float32)


def unknown_share(question_tokens: list[str], view) -> float:
    """Share of the question's topical words that the articles never use, in any form."""
    topical = {t for t in question_tokens if len(t) > 2 and not t.isdigit() and t not in GENERIC_STEMS}
    if not topical:
        return 0.0
    return sum(not view.knows(t) for t in topical) / len(topical)


# "does it help X", "is it used for X", "can it treat X", "is it safe if X": what X is, up to a few words
_SUBJECT = re.compile(
    r"\b(?:help|helps|treat|treats|used for|use for|work for|works for|good for|effective for|approved for"
    r"|safe (?:if|while|when|during)(?: i'?m| im| i am| you'?re| someone is)?)"
    r"(?: with| for| on)?(?: my| your| people with| patients with| someone with| kids with)?"
    r"((?: [a-z][a-z'-]*){1,3}?)(?=\s*(?:[?.!,;]|$| too\b| as well\b| symptoms?\b| at all\b| or\b| and\b"
    r"| if\b| in\b| like\b))"
)
_WIDENED = re.compile(r"\b(or|and) (other|any|similar)\b")


def unknown_subject(text: str, view) -> str:
    """What a "does it help X?" or "is it safe if X?" question turns on, when no word of it (in any
    form) appears in the articles: they cannot say. Empty when there is none."""
    text = text.lower()
    match = _SUBJECT.search(text)
    # "... or other pain?" widens the question to what the articles do cover; suicidality is asked as
    # education and answered with the 988 line (the guard's rules), never dropped as "not covered"
    if not match or _WIDENED.search(text) or "suicid" in match.group(1):
        return ""
    words = [t for t in tokens(match.group(1)) if len(t) > 2 and t not in GENERIC_STEMS]
    return match.group(1).strip() if any(not view.knows(t) for t in words) else ""
