"""Compose stage (extractive, the default): pick the article sentences that answer the question.

Sentences are scored against the question itself, not only their chunk: embedding
similarity, coverage of the question's rarer words, and the strength of the chunk they
sit in. Only verbatim article sentences are ever used, each marked [n] with its quote.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from bot.records import Chunk, Citation, Evidence, Sentence
from bot.retrieve import CorpusView, Query
from bot.text import GENERIC, stem, tokens


# Sentences about the article itself ("This article delves into...") never answer a question.
META = re.compile(r"\b(this|our|the following) (article|blog post|post|blog|guide|page)\b|\bin this (article|post|blog)\b|\bwe delve\b", re.I)


@dataclass(frozen=True)
class Weights:
    """How a sentence's score is made, and when an answer is given at all (see evals calibrate)."""

    dense: float = 0.6
    coverage: float = 0.25
    chunk: float = 0.15
    generic_penalty: float = 0.0  # per unit of resemblance to the corpus as a whole
    unknown_penalty: float = 0.3   # per share of the question's meaning the corpus has no word for
    threshold: float = 0.45        # answer only when the best sentence scores at least this
    margin: float = 0.07           # other sentences must be this close to the best
    max_sentences: int = 3
    redundant: float = 0.85


@dataclass
class Scored:
    sentence: Sentence
    chunk: Chunk
    score: float
    dense: float
    coverage: float


@dataclass
class Draft:
    """The composer's choice: sentences to say, or an abstention, and why."""

    picked: list[Scored]
    answerable: float
    abstain: bool
    why: str = ""
    candidates: list[Scored] = field(default_factory=list)


class ExtractiveComposer:
    """Chooses 1-3 answering sentences from retrieved evidence, or abstains."""

    def __init__(self, weights: Weights | None = None):
        self.w = weights or Weights()

    def run(self, query: Query, evidence: list[Evidence], view: CorpusView) -> Draft:
        """Score every sentence of the evidence; keep the best few if the best is good enough."""
        scored = sorted(self.score(query, evidence, view), key=lambda s: -s.score)
        if not scored:
            return Draft([], 0.0, True, "nothing in the index matched")
        missing = unknown_subject(query.corrected, view)
        if missing:
            return Draft([], 0.0, True, f"asks whether it helps or treats '{missing}', which the articles never mention", scored[:8])
        unknown = unknown_share(query, view)
        answerable = scored[0].score - self.w.unknown_penalty * unknown
        if answerable < self.w.threshold:
            why = f"best sentence {scored[0].score:.2f}, unknown words {unknown:.2f} -> {answerable:.2f} < {self.w.threshold:.2f}"
            return Draft([], answerable, True, why, scored[:8])
        return Draft(self._select(scored, view), answerable, False, "", scored[:8])

    def score(self, query: Query, evidence: list[Evidence], view: CorpusView) -> list[Scored]:
        weights = {t: view.idf(t) for t in set(query.tokens)}
        total = sum(weights.values()) or 1.0
        forms = {t: view.variants(t) for t in weights}
        out = []
        for ev in evidence:
            for sent in ev.chunk.sentences:
                if META.search(sent.text):
                    continue
                row = view.sentence_index[sent.id]
                vector = view.loaded.sentence_vectors[row]
                dense = float(query.vector @ vector)
                if query.focus is not None:  # a follow-up: what it asks now matters as much as its context
                    dense = (dense + float(query.focus @ vector)) / 2
                words = set(tokens(sent.text))
                coverage = sum(w for t, w in weights.items() if not forms[t].isdisjoint(words)) / total
                score = (self.w.dense * dense + self.w.coverage * coverage + self.w.chunk * ev.dense
                         - self.w.generic_penalty * float(view.centrality[row]))
                out.append(Scored(sent, ev.chunk, score, dense, coverage))
        return out

    def _select(self, scored: list[Scored], view: CorpusView) -> list[Scored]:
        best = scored[0].score
        picked = [scored[0]]
        for cand in scored[1:]:
            if len(picked) >= self.w.max_sentences or cand.score < best - self.w.margin:
                break
            if not any(_similar(cand, p, view) >= self.w.redundant for p in picked):
                picked.append(cand)
        return _reading_order(_with_antecedents(picked))


def unknown_share(query: Query, view: CorpusView) -> float:
    """Share of the question's topical words that the corpus never uses ('pregnancy', 'alcohol')."""
    topical = {t for t in query.tokens if len(t) > 2 and not t.isdigit() and t not in GENERIC_STEMS}
    if not topical:
        return 0.0
    return sum(not view.knows(t) for t in topical) / len(topical)


GENERIC_STEMS = frozenset(stem(w) for w in GENERIC)
# "does ketamine help X", "is it used for X", "can it treat X": what X is, up to a few words
_SUBJECT = re.compile(r"\b(?:help|helps|treat|treats|used for|use for|work for|works for|good for|effective for|approved for"
                      r"|safe (?:if|while|when|during)(?: i'?m| im| i am| you'?re| someone is)?)"
                      r"(?: with| for| on)?(?: my| your| people with| patients with| someone with| kids with)?"
                      r"((?: [a-z][a-z'-]*){1,3}?)(?=\s*(?:[?.!,;]|$| too\b| as well\b| symptoms?\b| at all\b| or\b| and\b| if\b| in\b| like\b))")


_WIDENED = re.compile(r"\b(or|and) (other|any|similar)\b")


def unknown_subject(text: str, view: CorpusView) -> str:
    """What a "does it help X?", "is it used for X?" or "is it safe if X?" question turns on, when no
    word of it (in any form) appears in the articles: they cannot say. Empty when there is none."""
    text = text.lower()
    match = _SUBJECT.search(text)
    # "... or other pain?" widens the question to what the articles do cover; suicidality is asked as
    # education and answered with the 988 line (the guard's rules), never dropped as "not covered"
    if not match or _WIDENED.search(text) or "suicid" in match.group(1):
        return ""
    words = [t for t in tokens(match.group(1)) if len(t) > 2 and t not in GENERIC_STEMS]
    return match.group(1).strip() if any(not view.knows(t) for t in words) else ""


ANAPHORA = ("these ", "this ", "those ", "such ", "they ", "it ", "however,", "additionally,", "moreover,")


def _with_antecedents(picked: list[Scored]) -> list[Scored]:
    """A sentence that leans on the one before ("These side effects are usually transient")
    brings that sentence along, so the answer says what "these" are."""
    out = list(picked)
    for p in picked:
        at = _position(p.sentence, p.chunk)
        if p.sentence.text.lower().startswith(ANAPHORA) and at > 0:
            before = p.chunk.sentences[at - 1]
            if all(o.sentence.id != before.id for o in out):
                out.append(Scored(before, p.chunk, p.score, p.dense, p.coverage))
    return out


def _similar(a: Scored, b: Scored, view: CorpusView) -> float:
    va = view.loaded.sentence_vectors[view.sentence_index[a.sentence.id]]
    vb = view.loaded.sentence_vectors[view.sentence_index[b.sentence.id]]
    return float(np.dot(va, vb))


def _reading_order(picked: list[Scored]) -> list[Scored]:
    """Best article first; within an article, the order the sentences are written in."""
    first = {}
    for rank, p in enumerate(picked):
        first.setdefault(p.sentence.source, rank)
    return sorted(picked, key=lambda p: (first[p.sentence.source], p.sentence.start))


def cite(picked: list[Scored]) -> tuple[str, list[Citation]]:
    """Answer text with [n] markers and the matching citations. Neighbouring sentences of one
    chunk share a citation whose quote is the verbatim run of text."""
    groups: list[list[Scored]] = []
    for p in picked:
        last = groups[-1][-1] if groups else None
        if last and last.chunk.id == p.chunk.id and _adjacent(last.sentence, p.sentence, p.chunk):
            groups[-1].append(p)
        else:
            groups.append([p])
    parts, citations = [], []
    for n, group in enumerate(groups, start=1):
        chunk = group[0].chunk
        quote = chunk.text[group[0].sentence.start - chunk.start: group[-1].sentence.end - chunk.start]
        parts.append(" ".join(" ".join(g.sentence.text.split()) for g in group) + f" [{n}]")
        citations.append(Citation(n, chunk.source, chunk.title, chunk.section, " ".join(quote.split()), chunk.id))
    return " ".join(parts), citations


def _adjacent(a: Sentence, b: Sentence, chunk: Chunk) -> bool:
    return _position(b, chunk) == _position(a, chunk) + 1


def _position(sentence: Sentence, chunk: Chunk) -> int:
    return next(i for i, s in enumerate(chunk.sentences) if s.id == sentence.id)
