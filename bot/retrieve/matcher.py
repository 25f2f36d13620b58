"""The sentence matcher: the bundled MiniLM fine-tuned so that a question lands nearest the sentence that answers
it, not merely the sentences on its topic (trained by `python -m train.matcher`, models/matcher/README.md).

Sentence vectors are computed when a version is written (ingest, an editor's staged check) and kept in the
index by content, under this model's fingerprint; loading a version reads them back and embeds only what is
missing. Each question is embedded once; the reader reads the similarity as one of its features.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import numpy as np

import models
from bot.core.encoder import WEIGHTS
from bot.retrieve.embedder import Embedder

log = logging.getLogger(__name__)
MODEL_DIR = models.folder("matcher")
FILES = ("config.json", "tokenizer.json", "sentence_bert_config.json", WEIGHTS)


class MatcherMissing(RuntimeError):
    """The matcher's files are not where the package keeps them."""


def sentence_text(section: str, text: str) -> str:
    """How the matcher sees a sentence: under its section heading. Trainer and retriever both build it here."""
    return f"{section}: {text}" if section else text


def sentence_texts(loaded) -> list[str]:
    """Every sentence of an index version (a `Loaded`), in its order, as the matcher reads it."""
    sections = {c.id: c.section for c in loaded.chunks}
    return [sentence_text(sections.get(s.chunk_id, ""), s.text) for s in loaded.sentences]


class Matcher:
    """Question and sentence vectors from the fine-tuned weights in `folder` (unit length: cosine = dot)."""

    def __init__(self, folder: Path = MODEL_DIR, int8_queries: bool = False):
        folder = Path(folder)
        missing = [n for n in FILES if not (folder / n).exists()]
        if missing:
            raise MatcherMissing(
                f"the sentence matcher is missing from {folder} (no {', '.join(missing)}); restore it from git "
                "or run `python -m train.matcher`"
            )
        self.embedder = Embedder(folder, int8_queries=int8_queries)
        # the space its vectors are kept under: retrained weights never read an older model's vectors
        self.space = "match-" + _digest(folder / WEIGHTS)

    @classmethod
    def served(cls) -> "Matcher":
        """The matcher as the bot serves it: questions read in int8, sentences in float32 (as Embedder.served)."""
        return cls(MODEL_DIR, int8_queries=True)

    def sentences(self, loaded, kept=None) -> np.ndarray:
        """One vector per sentence of an index version (a `Loaded` or a sync's `Built`), in its order, each
        under its heading. With `kept` (an IndexStore), vectors kept earlier are read back, and the ones
        computed here are kept for the next process."""
        texts = sentence_texts(loaded)
        if kept is None or not texts:
            return self.embedder.embed(texts)
        keys = [text_key(t) for t in texts]
        try:
            known = kept.cached_vectors(self.space, keys)
        except Exception:  # noqa: BLE001 (kept vectors are a saving, never a reason not to answer)
            log.warning("kept matcher vectors could not be read; embedding every sentence", exc_info=True)
            known = {}
        todo = sorted({k: i for i, k in enumerate(keys) if k not in known}.values())
        if todo:
            fresh = self.embedder.embed([texts[i] for i in todo])
            known.update(zip((keys[i] for i in todo), fresh, strict=True))
            try:
                kept.keep_vectors(self.space, [keys[i] for i in todo], fresh)
            except Exception:  # noqa: BLE001 (a read-only index still serves; the next load embeds again)
                log.warning("matcher vectors could not be kept in the index", exc_info=True)
        return np.stack([known[k] for k in keys]).astype(np.float32)

    def question(self, text: str) -> np.ndarray:
        """A question's vector (as retrieved: a follow-up carries the turn it refers to)."""
        return self.embedder.embed_query(text)


def text_key(text: str) -> str:
    """A sentence's key among kept vectors: its content, as the matcher reads it."""
    return hashlib.sha1(text.encode()).hexdigest()


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]
