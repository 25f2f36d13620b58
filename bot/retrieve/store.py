"""The one module that touches Chroma: a versioned index with an atomic publish.

Each publish writes a complete new pair of collections (chunks, sentences) and then
flips a single pointer record. Readers follow the pointer, so they only ever see a
whole, finished version; a sync killed half-way leaves orphans that the next one drops.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

from bot.core.records import Chunk, Sentence
from bot.core.settings import Settings

BATCH = 1000
_LIVE = "live"
# A version younger than this may be another process's staged check or a sync still writing: never dropped as
# garbage. Two editors once shared one store: B's check dropped A's staged version, and A's publish then
# pointed patients at a version that no longer existed.
STAGED_KEEP_S = 6 * 3600


class MissingVersion(ValueError):
    """A version that is not whole (never finished, or dropped) was to be served."""


def open_client(settings: Settings):
    """An embedded PersistentClient, or an HttpClient when CLINICBOT_CHROMA_URL is set."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        from urllib.parse import urlparse

        url = urlparse(settings.chroma_url)
        return chromadb.HttpClient(
            host=url.hostname, port=url.port or 8000, ssl=url.scheme == "https", settings=chroma_settings
        )
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.index_dir), settings=chroma_settings)


@dataclass
class Loaded:
    """One version's chunks and sentences with their vectors, as the retriever holds them."""

    version: str
    chunks: list[Chunk]
    chunk_vectors: np.ndarray
    sentences: list[Sentence]
    sentence_vectors: np.ndarray


class IndexStore:
    """Versioned chunk and sentence collections plus a pointer to the live version."""

    def __init__(self, client, prefix: str = "clinicbot"):
        self.client = client
        self.prefix = prefix
        self._meta = client.get_or_create_collection(f"{prefix}-meta", embedding_function=None)
        self.promotions = 0  # publishes made through this object: readers in this process reload at once

    @classmethod
    def open(cls, settings: Settings) -> "IndexStore":
        """Open the store the settings point at, with its live pointer on a whole version (see recover)."""
        store = cls(open_client(settings), settings.collection)
        store.recover()
        return store

    # --- pointer and manifests -------------------------------------------------
    def live(self) -> str | None:
        """The version readers are served, or None before the first publish."""
        got = self._meta.get(ids=[_LIVE], include=["metadatas"])
        return got["metadatas"][0]["version"] if got["ids"] else None

    def previous(self) -> str | None:
        got = self._meta.get(ids=[_LIVE], include=["metadatas"])
        return (got["metadatas"][0].get("previous") or None) if got["ids"] else None

    def manifest(self, version: str | None) -> dict[str, dict]:
        """Per-article facts of a version: title, hash, chunks, ingested_at, reviewed, url."""
        if not version:
            return {}
        got = self._meta.get(ids=[f"manifest:{version}"], include=["documents"])
        return json.loads(got["documents"][0]) if got["ids"] else {}

    def new_version(self) -> str:
        """A fresh version name; time-ordered so 'newer' is obvious when inspecting."""
        return f"v{time.time_ns()}"

    def whole(self, version: str | None) -> bool:
        """Is `version` complete: its manifest (written last) and both collections present?"""
        if not version or not self._meta.get(ids=[f"manifest:{version}"])["ids"]:
            return False
        names = {getattr(c, "name", c) for c in self.client.list_collections()}
        return {self._name(version, "chunks"), self._name(version, "sentences")} <= names

    def recover(self) -> str | None:
        """If the live pointer names a version that is missing or partial, point it back at the one published
        before it, so start-up and ingest serve the last good corpus instead of failing. Without a whole one
        the pointer goes, and the next sync rebuilds from the corpus folder (never a staged, unpublished check)."""
        live = self.live()
        if live is None or self.whole(live):
            return live
        good = self.previous()
        if self.whole(good):
            self._point(good, previous="")
            return good
        self._meta.delete(ids=[_LIVE])
        return None

    def promote(self, version: str) -> None:
        """Make `version` live in one write; keep the one before for readers mid-query. A version that is not
        whole is refused (MissingVersion): patients keep the one they have."""
        if not self.whole(version):
            raise MissingVersion(f"version {version} is missing or incomplete; nothing was published")
        self._point(version, previous=self.live() or "")
        self.promotions += 1
        self.collect_garbage()

    def _point(self, version: str, previous: str) -> None:
        meta = {"version": version, "previous": previous, "promoted_at": time.strftime("%Y-%m-%dT%H:%M:%S")}
        self._meta.upsert(ids=[_LIVE], embeddings=[[1.0]], metadatas=[meta], documents=[""])

    # --- writing a version -----------------------------------------------------
    def write(
        self,
        version: str,
        chunks: Sequence[Chunk],
        chunk_vectors: np.ndarray,
        sentences: Sequence[Sentence],
        sentence_vectors: np.ndarray,
        manifest: dict,
    ) -> None:
        """Write a complete version (not yet live). The manifest goes last: it marks it whole."""
        col = self._create(version, "chunks")
        for i in range(0, len(chunks), BATCH):
            part = chunks[i : i + BATCH]
            col.add(
                ids=[c.id for c in part],
                embeddings=chunk_vectors[i : i + BATCH],
                documents=[c.text for c in part],
                metadatas=[_chunk_meta(c) for c in part],
            )
        scol = self._create(version, "sentences")
        for i in range(0, len(sentences), BATCH):
            part = sentences[i : i + BATCH]
            scol.add(
                ids=[s.id for s in part],
                embeddings=sentence_vectors[i : i + BATCH],
                documents=[s.text for s in part],
                metadatas=[_sentence_meta(s) for s in part],
            )
        self._meta.upsert(
            ids=[f"manifest:{version}"],
            embeddings=[[1.0]],
            documents=[json.dumps(manifest)],
            metadatas=[{"version": version}],
        )

    def discard(self, version: str) -> None:
        """Drop a version that will never be served (a failed or abandoned staging)."""
        for part in ("chunks", "sentences"):
            try:
                self.client.delete_collection(self._name(version, part))
            except Exception:  # already gone: nothing to drop
                pass
        self._meta.delete(ids=[f"manifest:{version}"])

    def collect_garbage(self, keep: Iterable[str] = (), now: float | None = None) -> list[str]:
        """Drop versions that are neither live, previous, in `keep`, nor younger than STAGED_KEEP_S (another
        editor's check, a sync still writing): what is left is a killed sync's or an abandoned check's."""
        keep = {self.live(), self.previous(), *keep}
        cutoff = (time.time() if now is None else now) - STAGED_KEEP_S
        dropped = sorted({v for v in self.versions() if v not in keep and _made_at(v) < cutoff})
        for version in dropped:
            self.discard(version)
        return dropped

    def versions(self) -> set[str]:
        names = [getattr(c, "name", c) for c in self.client.list_collections()]
        head = f"{self.prefix}-"
        return {n[len(head) :].rsplit("-", 1)[0] for n in names if n.startswith(head + "v")}

    # --- reading a version -----------------------------------------------------
    def load(self, version: str) -> Loaded:
        """Every chunk and sentence of a version with vectors (retriever start-up)."""
        chunks_raw = _get_all(self._collection(version, "chunks"))
        sents_raw = _get_all(self._collection(version, "sentences"))
        sentences = [
            _sentence(i, d, m)
            for i, d, m in zip(sents_raw["ids"], sents_raw["documents"], sents_raw["metadatas"], strict=False)
        ]
        by_chunk: dict[str, list[Sentence]] = {}
        for s in sentences:
            by_chunk.setdefault(s.chunk_id, []).append(s)
        chunks = [
            _chunk(i, d, m, by_chunk.get(i, []))
            for i, d, m in zip(chunks_raw["ids"], chunks_raw["documents"], chunks_raw["metadatas"], strict=False)
        ]
        return Loaded(version, chunks, _matrix(chunks_raw["embeddings"]), sentences, _matrix(sents_raw["embeddings"]))

    def collection_name(self, version: str, part: str = "chunks") -> str:
        return self._name(version, part)

    def vector_store(self, version: str, embeddings):
        """A LangChain Chroma vector store over a version's chunks (read-only use)."""
        from langchain_chroma import Chroma

        return Chroma(
            client=self.client,
            collection_name=self._name(version, "chunks"),
            embedding_function=embeddings,
            create_collection_if_not_exists=False,
        )

    # --- vectors kept by content ------------------------------------------------
    def cached_vectors(self, space: str, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """Vectors stored earlier under `space` (one model's, e.g. the sentence matcher's) by content key."""
        col, keys = self._cache(space), list(dict.fromkeys(keys))  # Chroma refuses a repeated id
        found: dict[str, np.ndarray] = {}
        for i in range(0, len(keys), BATCH):
            got = col.get(ids=list(keys[i : i + BATCH]), include=["embeddings"])
            found.update(zip(got["ids"], _matrix(got["embeddings"]), strict=False))
        return found

    def keep_vectors(self, space: str, keys: Sequence[str], vectors: np.ndarray) -> None:
        """Store vectors under `space` by content key, so no process has to compute them again."""
        col = self._cache(space)
        first = {k: i for i, k in reversed(list(enumerate(keys)))}  # Chroma refuses a repeated id
        keys, vectors = list(first), vectors[list(first.values())]
        for i in range(0, len(keys), BATCH):
            col.upsert(ids=list(keys[i : i + BATCH]), embeddings=vectors[i : i + BATCH])

    def prune_vectors(self, space: str, keep: Iterable[str]) -> int:
        """Drop the stored vectors of `space` whose key is not in `keep` (text no version serves any more)."""
        col, keep = self._cache(space), set(keep)
        stale = [k for k in _get_ids(col) if k not in keep]
        for i in range(0, len(stale), BATCH):
            col.delete(ids=stale[i : i + BATCH])
        return len(stale)

    # --- helpers ---------------------------------------------------------------
    def _name(self, version: str, part: str) -> str:
        return f"{self.prefix}-{version}-{part}"

    def _create(self, version: str, part: str):
        return self.client.create_collection(
            self._name(version, part), embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
        )

    def _cache(self, space: str):
        # not named "<prefix>-v...": versions() and collect_garbage() never take it for a version
        return self.client.get_or_create_collection(
            f"{self.prefix}-cache-{space}", embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
        )

    def _collection(self, version: str, part: str):
        return self.client.get_collection(self._name(version, part), embedding_function=None)


def _made_at(version: str) -> float:
    """When a version was made, from its name (new_version: "v" + nanoseconds); 0 for a name not of that form."""
    digits = version[1:]
    return int(digits) / 1e9 if digits.isdigit() else 0.0


def _get_all(collection, page: int = 5000) -> dict:
    """Every record of a collection, fetched in pages: one get() of ~33,000 records with
    embeddings overflows SQLite's variable limit inside Chroma."""
    out = {"ids": [], "documents": [], "metadatas": [], "embeddings": []}
    for offset in range(0, collection.count(), page):
        got = collection.get(include=["embeddings", "documents", "metadatas"], limit=page, offset=offset)
        for key in out:
            out[key].extend(got[key] if got[key] is not None else [])
    return out


def _get_ids(collection, page: int = 5000) -> list[str]:
    return [
        i
        for offset in range(0, collection.count(), page)
        for i in collection.get(limit=page, offset=offset, include=[])["ids"]
    ]


def _matrix(rows) -> np.ndarray:
    return (
        np.asarray(rows, dtype=np.float32).reshape(-1, 384)
        if rows is not None and len(rows)
        else np.zeros((0, 384), np.float32)
    )


def _chunk_meta(c: Chunk) -> dict:
    return {
        "source": c.source,
        "title": c.title,
        "section": c.section,
        "position": c.position,
        "start": c.start,
        "end": c.end,
    }


def _sentence_meta(s: Sentence) -> dict:
    return {"chunk_id": s.chunk_id, "source": s.source, "start": s.start, "end": s.end}


def _chunk(cid: str, text: str, m: dict, sentences: list[Sentence]) -> Chunk:
    sentences.sort(key=lambda s: s.start)
    return Chunk(
        cid, m["source"], m["title"], m["section"], m["position"], m["start"], m["end"], text, tuple(sentences)
    )


def _sentence(sid: str, text: str, m: dict) -> Sentence:
    return Sentence(sid, m["chunk_id"], m["source"], m["start"], m["end"], text)
