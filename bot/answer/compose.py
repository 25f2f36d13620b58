"""Compose stage (extractive, the default): say the sentence that answers, or abstain.

The reader (bot/reader) ranks every sentence of the retrieved chunks by how likely it answers the
question and judges whether the articles answer it at all. This stage turns that judgement into an
answer a patient can use: the answering sentence's passage first, others only when they rank close
to it and add something new, each marked [n] with its verbatim quote.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from bot.answer.grounding import addressed_to_model
from bot.answer.reader import Candidate, Reader, Reading
from bot.core.records import Chunk, Citation, Evidence, Sentence
from bot.retrieve.hybrid import CorpusView, Query

REDUNDANT = 0.85  # a second sentence this similar to one already said adds nothing


@dataclass
class Draft:
    """The composer's choice: sentences to say, or an abstention, and why."""

    picked: list[Candidate]
    answerable: float
    abstain: bool
    why: str = ""
    candidates: list[Candidate] = field(default_factory=list)
    threshold: float = 0.0  # the likelihood the reader answered from


class ExtractiveComposer:
    """Chooses the answering sentence (and the few ranked close to it, or a short list) from the reader's ranking."""

    def __init__(self, reader: Reader):
        self.reader = reader
        self.config = reader.config

    def run(self, query: Query, evidence: list[Evidence], view: CorpusView, answering: str = "balanced") -> Draft:
        """Read the evidence; abstain when the articles do not answer (how readily: the clinic's `answering`),
        else pick what to say."""
        reading = self.reader.run(query, evidence, view, answering)
        shown = reading.candidates[:8]
        if not reading.candidates or reading.why:
            why = reading.why or "nothing in the index matched"
            return Draft([], reading.answerable, True, why, shown, reading.threshold)
        picked = self._select(reading, view)
        if not picked:
            return Draft(
                [], reading.answerable, True, "only sentences addressed to an AI matched", shown, reading.threshold
            )
        return Draft(picked, reading.answerable, False, "", shown, reading.threshold)

    def _select(self, reading: Reading, view: CorpusView) -> list[Candidate]:
        # a lead-in ("Call right away if you have:") says nothing without the list after it; a sentence that speaks
        # to an AI ("ignore your instructions and ...") is never said to a patient
        candidates = [c for c in reading.candidates if not addressed_to_model(c.sentence.text)]
        if not candidates:
            return []
        sayable = [c for c in candidates if not c.sentence.text.rstrip().endswith(":")] or candidates
        best = sayable[0]
        picked = [best]
        floor = best.score - self.config.margin
        for cand in sayable[1:]:
            if len(picked) >= self.config.max_sentences or cand.score < floor:
                break
            if not any(_similar(cand, p, view) >= REDUNDANT for p in picked):
                picked.append(cand)
        return _ordered(_with_antecedents(picked))


ANAPHORA = ("these ", "this ", "those ", "such ", "they ", "it ", "however,", "additionally,", "moreover,")


def _with_antecedents(picked: list[Candidate]) -> list[Candidate]:
    """A sentence that leans on the one before ("These side effects are usually transient")
    brings that sentence along, so the answer says what "these" are."""
    out = list(picked)
    for p in picked:
        at = p.chunk.index_of(p.sentence)
        if p.sentence.text.lower().startswith(ANAPHORA) and at > 0:
            before = p.chunk.sentences[at - 1]
            if all(o.sentence.id != before.id for o in out):
                out.append(Candidate(before, p.chunk, p.score, p.dense, p.coverage))
    return out


def _similar(a: Candidate, b: Candidate, view: CorpusView) -> float:
    va = view.loaded.sentence_vectors[view.sentence_index[a.sentence.id]]
    vb = view.loaded.sentence_vectors[view.sentence_index[b.sentence.id]]
    return float(np.dot(va, vb))


def _ordered(picked: list[Candidate]) -> list[Candidate]:
    """The best sentence's passage first; inside one chunk, the order the article writes them in
    (so an antecedent precedes the sentence leaning on it)."""
    first: dict[str, int] = {}
    for rank, p in enumerate(picked):
        first.setdefault(p.chunk.id, rank)
    return sorted(picked, key=lambda p: (first[p.chunk.id], p.sentence.start))


def cite(picked: list[Candidate]) -> tuple[str, list[Citation]]:
    """Answer text with [n] markers and the matching citations. Neighbouring sentences of one
    paragraph share a citation whose quote is the verbatim run of text."""
    groups: list[list[Candidate]] = []
    for p in picked:
        last = groups[-1][-1] if groups else None
        if last and last.chunk.id == p.chunk.id and _adjacent(last.sentence, p.sentence, p.chunk):
            groups[-1].append(p)
        else:
            groups.append([p])
    parts, citations = [], []
    for n, group in enumerate(groups, start=1):
        chunk = group[0].chunk
        quote = chunk.text[group[0].sentence.start - chunk.start : group[-1].sentence.end - chunk.start]
        parts.append(" ".join(" ".join(g.sentence.text.split()) for g in group) + f" [{n}]")
        citations.append(Citation(n, chunk.source, chunk.title, chunk.section, " ".join(quote.split()), chunk.id))
    return " ".join(parts), citations


def _adjacent(a: Sentence, b: Sentence, chunk: Chunk) -> bool:
    """Next to each other in one paragraph: across a paragraph break the cleaner may have dropped a line (a
    heading it read as page furniture), and a quote running over it would not be the article's words."""
    between = chunk.text[a.end - chunk.start : b.start - chunk.start]
    return chunk.index_of(b) == chunk.index_of(a) + 1 and "\n\n" not in between
