"""The sentence matcher: the bundled MiniLM fine-tuned so that a question lands nearest the sentence that answers
it, not merely the sentences on its topic (trained by `python -m train.matcher`, models/matcher/README.md).

The retriever embeds every sentence of an index version with it once, when the version is loaded, and each
question once; the reader reads the similarity as one of its features.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import models
from bot.core.encoder import WEIGHTS
from bot.retrieve.embedder import Embedder

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

    def __init__(self, folder: Path = MODEL_DIR):
        folder = Path(folder)
        missing = [n for n in FILES if not (folder / n).exists()]
        if missing:
            raise MatcherMissing(
                f"the sentence matcher is missing from {folder} (no {', '.join(missing)}); restore it from git "
                "or run `python -m train.matcher`"
            )
        self.embedder = Embedder(folder)

    def sentences(self, loaded) -> np.ndarray:
        """One vector per sentence of an index version (a `Loaded`), in its order, each under its heading."""
        return self.embedder.embed(sentence_texts(loaded))

    def question(self, text: str) -> np.ndarray:
        """A question's vector (as retrieved: a follow-up carries the turn it refers to)."""
        return self.embedder.embed_query(text)
