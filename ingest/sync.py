"""Sync the corpus folder into the index: plan by content hash, build a new version, publish.

Unchanged text is never re-embedded: vectors are carried over from the live version by the
hash of the text they embed. A new version is written whole and then made live in one write.
"""

from __future__ import annotations

import hashlib
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from bot.core.records import Article, Chunk, Sentence
from bot.retrieve.matcher import sentence_texts
from bot.retrieve.matcher import text_key as matcher_key
from bot.retrieve.store import IndexStore, Loaded
from ingest.chunk import chunk
from ingest.clean import clean, fold_lines, is_chrome
from ingest.dedupe import dedupe
from ingest.load import LoadError, RawDoc, file_hash, is_article_file, load

EMBED_BATCH = 256


@dataclass
class SyncReport:
    """What a sync did, in the --json shape of docs/design.md plus figures for people."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)
    version: str | None = None
    stats: dict = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def to_json(self) -> dict:
        return {
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "failed": self.failed,
        }


@dataclass
class Built:
    """A corpus ready to publish: chunks and sentences with their vectors, plus the manifest."""

    chunks: list[Chunk]
    chunk_vectors: np.ndarray
    sentences: list[Sentence]
    sentence_vectors: np.ndarray
    manifest: dict


def scan(corpus_dir: Path) -> dict[str, Path]:
    """Article files in the corpus folder by file name (sidecars and _config files skipped)."""
    if not corpus_dir.is_dir():
        raise FileNotFoundError(f"corpus folder {corpus_dir} does not exist")
    return {p.name: p for p in sorted(corpus_dir.iterdir()) if is_article_file(p)}


def title_of(doc: RawDoc) -> str:
    """The editor's title, else the document's own (first heading, <title>, PDF metadata), else the file name."""
    if doc.meta.get("title") or doc.title_hint:
        return doc.meta.get("title") or doc.title_hint
    first = next((line.strip() for line in fold_lines(doc.text) if not is_chrome(line.strip())), "")
    first = first.lstrip("# ")
    if 0 < len(first.split()) <= 14 and not first.endswith((".", "!", "?")):
        return first
    return Path(doc.source).stem.replace("-", " ").replace("_", " ").title()


def clean_and_dedupe(docs: list[RawDoc]) -> tuple[list[Article], int]:
    """Clean and dedupe loaded documents into Articles; also returns paragraphs dropped as repeats."""
    titles = {d.source: title_of(d) for d in docs}
    cleaned = {d.source: clean(d.text, titles[d.source]) for d in docs}
    deduped, dropped = dedupe(cleaned)
    articles = [
        Article(
            d.source, titles[d.source], deduped[d.source], d.hash, d.meta.get("reviewed", ""), d.meta.get("url", "")
        )
        for d in docs
    ]
    return articles, sum(dropped.values())


def pipeline_fingerprint() -> str:
    """Hash of the code that turns files into chunks: when it changes, every article is stale."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for name in (
        "ingest/load.py",
        "ingest/formats.py",
        "ingest/clean.py",
        "ingest/dedupe.py",
        "ingest/chunk.py",
        "bot/core/text.py",
    ):
        digest.update((root / name).read_bytes())
    return digest.hexdigest()[:12]


def clean_article(path: Path, max_bytes: int) -> Article:
    """One file loaded and cleaned as patients would be shown it (LoadError if it cannot be)."""
    articles, _ = clean_and_dedupe([load(path, max_bytes)])
    return articles[0]


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


class Syncer:
    """Runs a sync: configuration (store, embedder, limits) in the constructor, data in run()."""

    def __init__(self, store: IndexStore, embedder, max_bytes: int, progress: bool = False, matcher=None):
        self.store = store
        self.embedder = embedder
        self.matcher = matcher  # bot.retrieve.matcher.Matcher: its sentence vectors are made here, not at load
        self.max_bytes = max_bytes
        self.progress = progress

    def run(self, corpus_dir: Path, publish: bool = True) -> SyncReport:
        """Sync corpus_dir into the index. With publish=False the new version is staged, not served."""
        self.store.collect_garbage()  # a sync killed earlier left orphans: drop them first
        live = self.store.live()
        old = self.store.manifest(live)
        report, docs = self._plan(scan(corpus_dir), old)
        if not report.changed:
            report.version = live
            return report
        previous = self.store.load(live) if live else None
        articles, deduped = clean_and_dedupe(docs)
        kept = [a for a in report.failed if a["source"] in old]
        built = self.build(articles, previous, old, {f["source"] for f in kept})
        report.version = self.store.new_version()
        self.store.write(
            report.version, built.chunks, built.chunk_vectors, built.sentences, built.sentence_vectors, built.manifest
        )
        if self.matcher is not None:
            self.matcher.sentences(built, self.store)
        if publish:
            self.store.promote(report.version)
            if self.matcher is not None:  # text that neither the new nor the previous version serves
                keep = {matcher_key(t) for v in (built, previous) if v is not None for t in sentence_texts(v)}
                self.store.prune_vectors(self.matcher.space, keep)
        report.stats.update(chunks=len(built.chunks), sentences=len(built.sentences), paragraphs_deduped=deduped)
        return report

    def _plan(self, files: dict[str, Path], old: dict) -> tuple[SyncReport, list[RawDoc]]:
        report, docs = SyncReport(), []
        report.removed = sorted(set(old) - set(files))
        hashes = {}
        pipeline = pipeline_fingerprint()
        for source, path in files.items():
            try:
                hashes[source] = f"{file_hash(path)}-{pipeline}"
            except LoadError as exc:
                report.failed.append({"source": source, "error": str(exc)})
        new_or_changed = [s for s in hashes if old.get(s, {}).get("hash") != hashes[s]]
        if not new_or_changed and not report.removed:
            report.unchanged = sorted(hashes)
            return report, docs
        for source in hashes:
            try:
                docs.append(replace(load(files[source], self.max_bytes), hash=hashes[source]))
            except LoadError as exc:
                report.failed.append({"source": source, "error": str(exc)})
                continue
            bucket = (
                report.unchanged
                if source in old and old[source]["hash"] == hashes[source]
                else (report.updated if source in old else report.added)
            )
            bucket.append(source)
        report.failed.sort(key=lambda f: f["source"])
        return report, docs

    def build(self, articles: list[Article], previous: Loaded | None, old: dict, carry: set[str]) -> Built:
        """Chunk articles, reuse vectors of unchanged text, embed the rest; carry failed-but-served articles."""
        chunks = [c for a in articles for c in chunk(a)]
        old_chunks = {text_key(c.embed_text()): v for c, v in _pairs(previous, "chunks")}
        old_sents = {text_key(s.text): v for s, v in _pairs(previous, "sentences")}
        chunk_vecs = self._vectors([c.embed_text() for c in chunks], old_chunks, "chunks")
        sentences = [s for c in chunks for s in c.sentences]
        sent_vecs = self._vectors([s.text for s in sentences], old_sents, "sentences")
        if previous and carry:
            chunks, chunk_vecs, sentences, sent_vecs = _carry_over(
                previous, carry, chunks, chunk_vecs, sentences, sent_vecs
            )
        now = time.strftime("%Y-%m-%dT%H:%M:%S")
        manifest = {
            a.source: {
                "title": a.title,
                "hash": a.hash,
                "chunks": sum(c.source == a.source for c in chunks),
                "ingested_at": old[a.source]["ingested_at"] if old.get(a.source, {}).get("hash") == a.hash else now,
                "reviewed": a.reviewed,
                "url": a.url,
            }
            for a in articles
        }
        manifest.update({s: old[s] for s in carry})
        return Built(chunks, chunk_vecs, sentences, sent_vecs, manifest)

    def _vectors(self, texts: list[str], known: dict[str, np.ndarray], what: str) -> np.ndarray:
        out = np.zeros((len(texts), 384), dtype=np.float32)
        todo = []
        for i, text in enumerate(texts):
            vec = known.get(text_key(text))
            if vec is None:
                todo.append(i)
            else:
                out[i] = vec
        for start in _progress(range(0, len(todo), EMBED_BATCH), self.progress, f"embedding {what}", len(todo)):
            idx = todo[start : start + EMBED_BATCH]
            out[idx] = self.embedder.embed([texts[i] for i in idx])
        return out


def sync_corpus(settings, store: IndexStore, embedder, matcher=None) -> SyncReport:
    """Bring the index up to date with the settings' corpus folder (a no-op when nothing changed);
    failed files are printed, the rest is served. With the sentence matcher, its vectors are made too."""
    report = Syncer(store, embedder, settings.max_file_bytes, matcher=matcher).run(settings.corpus_dir)
    for fail in report.failed:
        print(f"clinicbot: corpus file not served: {fail['source']}: {fail['error']}", file=sys.stderr)
    return report


def _pairs(loaded: Loaded | None, part: str):
    if loaded is None:
        return []
    if part == "chunks":
        return zip(loaded.chunks, loaded.chunk_vectors, strict=False)
    return zip(loaded.sentences, loaded.sentence_vectors, strict=False)


def _carry_over(previous: Loaded, carry: set[str], chunks, chunk_vecs, sentences, sent_vecs):
    """An article whose new file failed keeps serving its previous chunks, untouched."""
    ci = [i for i, c in enumerate(previous.chunks) if c.source in carry]
    si = [i for i, s in enumerate(previous.sentences) if s.source in carry]
    return (
        chunks + [previous.chunks[i] for i in ci],
        np.vstack([chunk_vecs, previous.chunk_vectors[ci]]),
        sentences + [previous.sentences[i] for i in si],
        np.vstack([sent_vecs, previous.sentence_vectors[si]]),
    )


def _progress(items, enabled: bool, desc: str, total_items: int):
    if not enabled or not total_items:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=f"{desc} ({total_items})", unit="batch", file=sys.stderr)
