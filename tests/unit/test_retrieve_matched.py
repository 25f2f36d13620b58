"""Retrieval reads a passage whose one sentence the matcher finds nearest the question, even when the passage's
own vector and words left it out of the fused list ("how is it given?" against "can be administered via
several routes")."""

from __future__ import annotations

import numpy as np

from bot.core.records import Chunk, Evidence, Sentence
from bot.retrieve.hybrid import CorpusView, HybridRetriever, Query
from bot.retrieve.store import Loaded


def _view(passages: list[list[str]]) -> CorpusView:
    chunks, sentences = [], []
    for c, texts in enumerate(passages):
        own = tuple(Sentence(f"a.md#{c}.{i}", f"a.md#{c}", "a.md", 0, len(t), t) for i, t in enumerate(texts))
        sentences += own
        chunks.append(Chunk(f"a.md#{c}", "a.md", "A", "Visit", c, 0, 0, " ".join(texts), own))
    dim = len(sentences)
    loaded = Loaded("v1", chunks, np.eye(len(chunks), dim, dtype=np.float32), sentences, np.eye(dim, dtype=np.float32))
    return CorpusView(loaded, None, np.eye(dim, dtype=np.float32))  # sentence i's matcher vector is axis i


def _asking(view: CorpusView, nearness: list[float]) -> Query:
    match = np.array(nearness, dtype=np.float32)
    return Query("q", "q", ["q"], np.zeros(len(view.chunks), np.float32), match=match)


def test_the_passages_of_the_nearest_sentences_are_added_after_the_fused_ones_once_each():
    view = _view([["Parking is free."], ["It is given as a nasal spray.", "Or as an infusion."], ["Bring a friend."]])
    retriever = HybridRetriever(store=None, embedder=None, matched=2)
    fused = [Evidence(view.chunks[0])]
    # the two nearest sentences are both in passage 1: it is added once, after what fusion kept
    extra = retriever._matched(_asking(view, [0.1, 0.9, 0.8, 0.2]), view, fused)
    assert [e.chunk.id for e in extra] == ["a.md#1"]
    # a passage fusion already kept is not read twice
    extra = retriever._matched(_asking(view, [0.9, 0.1, 0.1, 0.8]), view, fused)
    assert [e.chunk.id for e in extra] == ["a.md#2"]


def test_without_a_matcher_or_with_none_asked_for_nothing_is_added():
    view = _view([["Parking is free."], ["Bring a friend."]])
    asked = _asking(view, [0.1, 0.9])
    assert HybridRetriever(store=None, embedder=None, matched=0)._matched(asked, view, []) == []
    without = Query("q", "q", ["q"], np.zeros(2, np.float32))
    assert HybridRetriever(store=None, embedder=None, matched=2)._matched(without, view, []) == []
