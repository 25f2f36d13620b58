"""Typed records that cross every boundary: Article, Chunk, Sentence, Evidence, Citation, Answer."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Iterable, TypeVar

T = TypeVar("T")

KINDS = ("answer", "no_answer", "crisis", "support", "emergency", "refused", "off_topic", "invalid")


@dataclass(frozen=True)
class Article:
    """One cleaned article, ready to chunk. `text` is the cleaned text chunks point into."""

    source: str
    title: str
    text: str
    hash: str
    reviewed: str = ""
    url: str = ""


@dataclass(frozen=True)
class Sentence:
    """A sentence of a chunk with offsets into its article's cleaned text."""

    id: str
    chunk_id: str
    source: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Chunk:
    """A run of whole sentences from one section of one article."""

    id: str
    source: str
    title: str
    section: str
    position: int
    start: int
    end: int
    text: str
    sentences: tuple[Sentence, ...] = ()

    def embed_text(self) -> str:
        """What the embedder sees: the section heading gives a chunk its topic."""
        return f"{self.section}: {self.text}" if self.section else self.text

    def index_of(self, sentence: "Sentence") -> int:
        """Where a sentence of this chunk stands in it (0 for the first)."""
        return next(i for i, s in enumerate(self.sentences) if s.id == sentence.id)


@dataclass
class Evidence:
    """A retrieved chunk with every score that put it there, kept for inspection."""

    chunk: Chunk
    dense: float = 0.0
    lexical: float = 0.0
    fused: float = 0.0
    dense_rank: int | None = None
    lexical_rank: int | None = None


@dataclass(frozen=True)
class Citation:
    """One numbered source behind an answer: `quote` is verbatim article text."""

    n: int
    source: str
    title: str
    section: str
    quote: str
    chunk_id: str = ""

    def to_json(self) -> dict:
        return {"n": self.n, "source": self.source, "title": self.title, "section": self.section, "quote": self.quote}


@dataclass
class Answer:
    """What clinicbot says, in the answer JSON shape of docs/design.md (plus a patient notice)."""

    question: str
    kind: str
    answer: str
    citations: list[Citation] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    notice: str = ""
    glossary: list[tuple[str, str]] = field(default_factory=list)
    trace: dict = field(default_factory=dict)
    final: bool = True  # False for the partial answers an LLM-mode stream shows while it is written

    def to_json(self) -> dict:
        """The public JSON (trace is for staff inspection and stays out)."""
        out = {
            "question": self.question,
            "kind": self.kind,
            "answer": self.answer,
            "citations": [c.to_json() for c in self.citations],
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
        }
        if self.glossary:
            out["glossary"] = [{"term": t, "definition": d} for t, d in self.glossary]
        if self.notice:
            out["notice"] = self.notice
        return out


def last(items: Iterable[T]) -> T | None:
    """The last item of a stream (the final answer of Bot.stream or ChatService.stream), or None if it is empty."""
    tail = deque(items, maxlen=1)
    return tail[0] if tail else None
