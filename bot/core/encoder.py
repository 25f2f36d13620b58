"""A BERT sentence encoder run with numpy, from the same safetensors weights torch would load.

Serving needs only a forward pass of a 6-layer, 384-wide encoder (all-MiniLM-L6-v2 for retrieval, its
fine-tuned copy for the guard). Running it in numpy keeps torch, transformers and sentence-transformers out
of the serving process: a cold answer no longer waits seconds for them to import, and the process holds
hundreds of megabytes less. Training (train/) still uses torch; `tests/model/test_encoder.py` checks that
this encoder gives the vectors torch gives, to float32 rounding.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

WEIGHTS = "model.safetensors"
DTYPES = {"F32": np.float32, "F16": np.float16, "F64": np.float64, "I64": np.int64}


class EncoderFilesMissing(RuntimeError):
    """A model folder lacks a file the encoder needs; the message names the folder and the file."""


@dataclass(frozen=True)
class Layer:
    """One transformer layer's weights, as transposed views so that x @ w applies them."""

    query: tuple[np.ndarray, np.ndarray]
    key: tuple[np.ndarray, np.ndarray]
    value: tuple[np.ndarray, np.ndarray]
    attention_out: tuple[np.ndarray, np.ndarray]
    attention_norm: tuple[np.ndarray, np.ndarray]
    intermediate: tuple[np.ndarray, np.ndarray]
    output: tuple[np.ndarray, np.ndarray]
    output_norm: tuple[np.ndarray, np.ndarray]


class Encoder:
    """Token vectors and mean-pooled sentence vectors of a BERT encoder, in float32 numpy.

    `folder` holds config.json, tokenizer.json and model.safetensors; `prefix` is what the weight names
    start with ("" for a plain BertModel, "encoder." for the guard's network, whose head sits beside it)."""

    def __init__(self, folder: Path, prefix: str = "", max_tokens: int = 256):
        folder = Path(folder)
        for name in ("config.json", "tokenizer.json", WEIGHTS):
            if not (folder / name).exists():
                raise EncoderFilesMissing(f"{folder} has no {name}: the encoder cannot load")
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.weights = read_weights(folder / WEIGHTS)
        self.prefix = prefix
        self.layers = [self._layer(i) for i in range(int(config["num_hidden_layers"]))]
        self.words = self._get("embeddings.word_embeddings.weight")
        self.positions = self._get("embeddings.position_embeddings.weight")
        self.token_type = self._get("embeddings.token_type_embeddings.weight")[0]
        self.embedding_norm = self._norm("embeddings.LayerNorm")
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_tokens)
        self.tokenizer.no_padding()

    def _get(self, name: str) -> np.ndarray:
        return self.weights[self.prefix + name].astype(np.float32, copy=False)

    def _linear(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        # a transposed view, not a copy: BLAS reads it as it lies in the mapped file
        return self._get(f"{name}.weight").T, self._get(f"{name}.bias")

    def _norm(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        return self._get(f"{name}.weight"), self._get(f"{name}.bias")

    def _layer(self, i: int) -> Layer:
        p = f"encoder.layer.{i}."
        return Layer(
            self._linear(p + "attention.self.query"),
            self._linear(p + "attention.self.key"),
            self._linear(p + "attention.self.value"),
            self._linear(p + "attention.output.dense"),
            self._norm(p + "attention.output.LayerNorm"),
            self._linear(p + "intermediate.dense"),
            self._linear(p + "output.dense"),
            self._norm(p + "output.LayerNorm"),
        )

    def tokens(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Token ids and attention mask, padded to the longest text of the batch."""
        encodings = self.tokenizer.encode_batch(list(texts))
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros((len(encodings), width), dtype=np.float32)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1.0
        return ids, mask

    def hidden(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """The last layer's token vectors, [batch, tokens, width]."""
        positions = np.arange(ids.shape[1])
        x = self.words[ids] + self.positions[positions][None] + self.token_type
        x = _layer_norm(x, *self.embedding_norm, self.eps)
        # padding is masked out of attention with the most negative float32, as the torch model does
        blocked = (1.0 - mask)[:, None, None, :] * np.finfo(np.float32).min
        for layer in self.layers:
            x = self._attention(x, layer, blocked)
            inner = _gelu(x @ layer.intermediate[0] + layer.intermediate[1])
            x = _layer_norm(inner @ layer.output[0] + layer.output[1] + x, *layer.output_norm, self.eps)
        return x

    def _attention(self, x: np.ndarray, layer: Layer, blocked: np.ndarray) -> np.ndarray:
        batch, tokens, width = x.shape
        size = width // self.heads

        def heads(projection: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
            return (x @ projection[0] + projection[1]).reshape(batch, tokens, self.heads, size).transpose(0, 2, 1, 3)

        scores = heads(layer.query) @ heads(layer.key).transpose(0, 1, 3, 2) / np.float32(np.sqrt(size)) + blocked
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        context = (scores / scores.sum(axis=-1, keepdims=True)) @ heads(layer.value)
        context = context.transpose(0, 2, 1, 3).reshape(batch, tokens, width)
        out = context @ layer.attention_out[0] + layer.attention_out[1]
        return _layer_norm(out + x, *layer.attention_norm, self.eps)

    def mean_pooled(self, texts: list[str]) -> np.ndarray:
        """One vector per text: the mean of its token vectors (padding left out), [batch, width], float32."""
        ids, mask = self.tokens(texts)
        hidden = self.hidden(ids, mask)
        return (hidden * mask[..., None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)


def read_weights(path: Path) -> dict[str, np.ndarray]:
    """The tensors of a safetensors file as read-only arrays mapped from the file, not copied into memory: a
    process holds only the pages it reads (of a 30,522-word embedding table, the rows of the words it meets),
    and processes serving the same model share them. The format: an 8-byte little-endian header length, a
    JSON header of name -> dtype, shape and byte offsets, then the data."""
    with open(path, "rb") as f:
        size = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(size))
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        dtype = DTYPES[info["dtype"]]
        shape = tuple(info["shape"])
        count = (end - start) // np.dtype(dtype).itemsize
        array = np.memmap(path, dtype=dtype, mode="r", offset=8 + size + start, shape=(count,))
        out[name] = array.reshape(shape) if shape else array.reshape(())
    return out


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(axis=-1, keepdims=True)
    return centred / np.sqrt(variance + np.float32(eps)) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU, 0.5 x (1 + erf(x / sqrt 2)), with erf to within 1.5e-7 (Abramowitz and Stegun
    7.1.26): below float32's own rounding, so the tanh shortcut's 1e-3 drift never enters."""
    z = x * np.float32(1 / np.sqrt(2))
    a = np.abs(z)
    t = 1.0 / (1.0 + np.float32(0.3275911) * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    erf = np.sign(z) * (1.0 - poly.astype(np.float32) * np.exp(-a * a))
    return np.float32(0.5) * x * (1.0 + erf)
