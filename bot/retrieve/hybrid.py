"""Retrieve stage: hybrid dense (Chroma via LangChain) + lexical (BM25), fused by rank."""

from __future__ import annotations

import difflib
import math
import os
import threading
import time
from collections import Counter
from dataclasses import dataclass

import numpy as np

from bot.core.records import Chunk, Evidence
from bot.core.text import tokens
from bot.retrieve.embedder import LangChainEmbeddings
from bot.retrieve.store import IndexStore, Loaded

RRF_K = 60  # standard reciprocal-rank-fusion constant: rank matters, raw scales do not
NEAR_DUPLICATE = 0.95


@dataclass
class Query:
    """A question as the retriever uses it: corrected text, its tokens and its vector."""

    text: str
    corrected: str
    tokens: list[str]
    vector: np.ndarray
    focus: np.ndarray | None = None  # a follow-up's own words, without the earlier turn
    match: np.ndarray | None = None  # the sentence matcher's vector of `corrected`, when the retriever has one


class CorpusView:
    """One index version held in memory: chunks, sentences, vectors, BM25 and vocabulary."""

    def __init__(self, loaded: Loaded, vector_store=None, match_vectors: np.ndarray | None = None):
        from rank_bm25 import BM25Okapi

        self.version = loaded.version
        self.match_vectors = match_vectors  # the sentence matcher's, one per sentence in order (or None)
        self.vector_store = vector_store
        self.loaded = loaded
        self.chunks = loaded.chunks
        self.by_id = {c.id: i for i, c in enumerate(self.chunks)}
        self.sentence_index = {s.id: i for i, s in enumerate(loaded.sentences)}
        docs = [tokens(c.embed_text()) for c in self.chunks]
        self.bm25 = BM25Okapi(docs) if docs else None
        self.df = Counter(t for d in docs for t in set(d))
        self._by_prefix: dict[str, list[str]] = {}
        for t in self.df:
            self._by_prefix.setdefault(t[:4], []).append(t)
        self._variants: dict[str, frozenset[str]] = {}
        self.surface = _surface_words(self.chunks)
        self._surface_set = set(self.surface)
        self._by_initial: dict[str, list[str]] = {}
        for w in self.surface:
            self._by_initial.setdefault(w[0], []).append(w)
        self._corrections: dict[str, str] = {}
        self.centrality = _centrality(loaded.sentence_vectors)
        self._words: dict[str, frozenset[str]] = {}  # bounded: one entry per sentence and chunk of this version

    def sentence_words(self, sentence) -> frozenset[str]:
        """A sentence's tokens, worked out once per version (every question reads the same few hundred)."""
        return self._cached_words(sentence.id, sentence.text)

    def heading_words(self, chunk: Chunk) -> frozenset[str]:
        """The tokens of a chunk's section heading and article title."""
        return self._cached_words(f"{chunk.id}#heading", f"{chunk.section} {chunk.title}")

    def _cached_words(self, key: str, text: str) -> frozenset[str]:
        known = self._words.get(key)
        if known is None:
            known = self._words[key] = frozenset(tokens(text))
        return known

    def idf(self, token: str) -> float:
        n = max(len(self.chunks), 1)
        return math.log(1 + (n - self.df.get(token, 0) + 0.5) / (self.df.get(token, 0) + 0.5))

    def variants(self, token: str) -> frozenset[str]:
        """Corpus tokens that are forms of `token` ('dizzy' ~ 'dizziness', 'nauseous' ~ 'nausea'):
        the token itself, or ones sharing a prefix of 5 letters, or 4 that make most of the shorter word."""
        known = self._variants.get(token)
        if known is None:
            known = frozenset(t for t in self._by_prefix.get(token[:4], ()) if _same_word(token, t)) | {token}
            if len(self._variants) < 50_000:  # bounded: one entry per distinct question word
                self._variants[token] = known
        return known

    def knows(self, token: str) -> bool:
        """Whether the articles use this word in any of its forms."""
        return any(self.df.get(v, 0) for v in self.variants(token))

    def correct(self, text: str) -> str:
        """Fix typos against the corpus's own words ('esketamin' -> 'esketamine')."""
        out = []
        for word in text.split():
            core = word.strip("?!.,;:'\"()").lower()
            if len(core) >= 5 and core.isalpha() and core not in self._surface_set:
                match = self._closest(core)
                if match:
                    word = word.lower().replace(core, match)
            out.append(word)
        return " ".join(out)

    def _closest(self, word: str) -> str:
        """The corpus word a typo most resembles (typos rarely hit the first letter, so only words
        sharing it are compared); remembered, since patients repeat their spellings."""
        known = self._corrections.get(word)
        if known is None:
            match = difflib.get_close_matches(word, self._by_initial.get(word[0], []), n=1, cutoff=0.84)
            known = match[0] if match else ""
            if len(self._corrections) < 50_000:
                self._corrections[word] = known
        return known


class HybridRetriever:
    """Dense + lexical retrieval over the live index version, reloaded when a publish flips it."""

    def __init__(
        self,
        store: IndexStore,
        embedder,
        k: int = 10,
        keep: int = 8,
        recheck: float = 1.0,
        matcher=None,
        matched: int = 2,
    ):
        self.store = store
        self.embedder = embedder
        self.matcher = matcher  # bot.retrieve.matcher.Matcher: the reader's question-to-sentence similarity
        self.k = k
        self.keep = keep
        # passages of the matcher's nearest sentences added after the fused `keep` (2: chosen on the dev splits,
        # models/reader/README.md; 3 lost golden dev facts)
        self.matched = matched
        self.recheck = recheck  # seconds between pointer reads: another process's publish shows within this
        self._view: CorpusView | None = None
        self._checked = (-1, 0.0)  # (store.promotions, monotonic time) of the last pointer read
        self._lock = threading.Lock()

    def view(self) -> CorpusView | None:
        """The live version in memory. The pointer is read at most every `recheck` seconds, and at once
        after a publish made in this process; a version is loaded only when the pointer moved."""
        seen, at = self._checked
        if self._view is not None and seen == self.store.promotions and time.monotonic() - at < self.recheck:
            return self._view
        self._checked = (self.store.promotions, time.monotonic())
        live = self.store.live()
        if live is None:
            return None
        if self._view is None or self._view.version != live:
            with self._lock:
                if self._view is None or self._view.version != live:
                    self._view = self.open_view(live)
        return self._view

    def open_view(self, version: str) -> CorpusView:
        """Load any version (live or staged) into memory, with the matcher's sentence vectors (kept in the
        index when the version was written; any missing are embedded here)."""
        loaded = self.store.load(version)
        matched = self.matcher.sentences(loaded, self.store) if self.matcher is not None else None
        return CorpusView(loaded, self.store.vector_store(version, LangChainEmbeddings(self.embedder)), matched)

    def query(self, text: str, view: CorpusView, focus: str | None = None) -> Query:
        """Embed a question; `focus` is the follow-up as typed when `text` adds earlier context."""
        corrected = view.correct(text)
        match = self.matcher.question(corrected) if self.matcher is not None else None
        if not focus or focus == text:
            return Query(text, corrected, tokens(corrected), self.embedder.embed_query(corrected), match=match)
        vectors = self.embedder.embed_queries([corrected, view.correct(focus)])  # one model call for both
        return Query(text, corrected, tokens(corrected), vectors[0], vectors[1], match)

    def run(self, query: Query, view: CorpusView) -> list[Evidence]:
        """Fused, de-duplicated evidence for a query, every score kept."""
        dense = self._dense(query, view)
        lexical = self._lexical(query.tokens, view)
        fused: dict[str, Evidence] = {}
        for rank, (cid, score) in enumerate(dense):
            ev = fused.setdefault(cid, Evidence(view.chunks[view.by_id[cid]]))
            ev.dense, ev.dense_rank, ev.fused = score, rank + 1, ev.fused + 1 / (RRF_K + rank + 1)
        for rank, (idx, score) in enumerate(lexical):
            ev = fused.setdefault(view.chunks[idx].id, Evidence(view.chunks[idx]))
            ev.lexical, ev.lexical_rank, ev.fused = score, rank + 1, ev.fused + 1 / (RRF_K + rank + 1)
        ranked = sorted(fused.values(), key=lambda e: -e.fused)
        kept = _collapse(ranked, view)[: self.keep]
        return kept + self._matched(query, view, kept)

    def _matched(self, query: Query, view: CorpusView, kept: list[Evidence]) -> list[Evidence]:
        """The passages of the matcher's `matched` nearest sentences that fusion left out. A whole passage's
        vector and its words can both miss a one-sentence answer worded unlike the question ("how is it given?"
        against "can be administered via several routes"); the matcher reads sentence by sentence."""
        if not self.matched or query.match is None or view.match_vectors is None or not len(view.match_vectors):
            return []
        have = {e.chunk.id for e in kept}
        nearest = np.argsort(-(view.match_vectors @ query.match))[: self.matched]
        extra: list[Evidence] = []
        for i in nearest:
            cid = view.loaded.sentences[int(i)].chunk_id
            if cid not in have:
                have.add(cid)
                extra.append(Evidence(view.chunks[view.by_id[cid]]))
        return extra

    def _dense(self, query: Query, view: CorpusView) -> list[tuple[str, float]]:
        if not view.chunks:
            return []
        hits = view.vector_store.similarity_search_by_vector_with_relevance_scores(query.vector.tolist(), k=self.k)
        return [(doc.id, 1.0 - distance) for doc, distance in hits]  # Chroma gives cosine distance

    def _lexical(self, toks: list[str], view: CorpusView) -> list[tuple[int, float]]:
        if view.bm25 is None or not toks:
            return []
        scores = view.bm25.get_scores(toks)
        top = np.argsort(-scores)[: self.k]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]


def _collapse(ranked: list[Evidence], view: CorpusView) -> list[Evidence]:
    """Keep one of any near-identical chunks (the same paragraph posted twice, lightly edited)."""
    kept: list[Evidence] = []
    vectors = view.loaded.chunk_vectors
    for ev in ranked:
        v = vectors[view.by_id[ev.chunk.id]]
        if all(float(v @ vectors[view.by_id[k.chunk.id]]) < NEAR_DUPLICATE for k in kept):
            kept.append(ev)
    return kept


def _centrality(vectors: np.ndarray) -> np.ndarray:
    """How much each sentence resembles the corpus as a whole: high for generic sentences
    ("Continued research is essential..."), low for ones that say something specific."""
    if not len(vectors):
        return np.zeros(0, dtype=np.float32)
    centroid = vectors.mean(axis=0)
    return vectors @ (centroid / (np.linalg.norm(centroid) or 1.0))


def _same_word(a: str, b: str) -> bool:
    if a == b:
        return True
    if min(len(a), len(b)) < 5 or a.isdigit() or b.isdigit():
        return False
    common = len(os.path.commonprefix([a, b]))
    return common >= 5 or (common >= 4 and common >= 0.8 * min(len(a), len(b)))


def _surface_words(chunks: list[Chunk]) -> list[str]:
    words = {w.strip(".,;:()\"'?!").lower() for c in chunks for w in c.embed_text().split()}
    return sorted(w for w in words if w.isalpha() and len(w) >= 4)
