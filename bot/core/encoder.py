"""A BERT sentence encoder run with onnxruntime, from the same safetensors weights torch would load.

Serving needs only a forward pass of a 6-layer, 384-wide encoder (all-MiniLM-L6-v2 for retrieval, its
fine-tuned copies for the guard and the reader). The tokenizer and the embedding lookup run here in numpy; the
layers run as an ONNX graph built at load from the weights (bot/core/onnx_graph.py), in float32, about three
times as fast as the same arithmetic in numpy on two cores (benchmarks/guard_bench.py). torch, transformers
and sentence-transformers stay out of the serving process. Training (train/) still uses torch;
`tests/unit/test_encoder.py` checks that this encoder gives the vectors torch gives, to float32 rounding.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

from bot.core.onnx_graph import Layer, encoder_graph
from bot.core.onnx_session import GraphSession

WEIGHTS = "model.safetensors"
# a group of texts run together pads at most half again its real tokens (_like_lengths, below)
PADDING_SLACK = 1.5
DTYPES = {"F32": np.float32, "F16": np.float16, "F64": np.float64, "I64": np.int64}


class EncoderFilesMissing(RuntimeError):
    """A model folder lacks a file the encoder needs; the message names the folder and the file."""


class Encoder:
    """Token vectors and mean-pooled sentence vectors of a BERT encoder, float32, run by onnxruntime.

    `folder` holds config.json, tokenizer.json and model.safetensors; `prefix` is what the weight names
    start with ("" for a plain BertModel, "encoder." for the guard's network, whose head sits beside it);
    `quantized()` gives a twin whose linear layers run in int8 (bot/core/onnx_graph.py: faster, vectors close to
    float32's); with `int8` the encoder runs in int8 only: no float32 graph is built and its float32 matrices are
    let go once quantized (about 90 MB less for a MiniLM stored in half precision)."""

    def __init__(self, folder: Path, prefix: str = "", max_tokens: int = 256, int8: bool = False):
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
        # as stored and mapped, not widened: a half-precision table made float32 would be 47 MB more per encoder
        # for rows widened exactly when a text's words are looked up (hidden)
        self.words = self.weights[prefix + "embeddings.word_embeddings.weight"]
        self.positions = self._get("embeddings.position_embeddings.weight")
        self.token_type = self._get("embeddings.token_type_embeddings.weight")[0]
        self.embedding_norm = self._norm("embeddings.LayerNorm")
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_tokens)
        self.tokenizer.no_padding()
        self.width = int(self.embedding_norm[0].shape[0])
        self.session = GraphSession(*encoder_graph(self.embedding_norm, self.layers, self.heads, self.eps, int8=int8))
        if int8:
            self.layers = []  # quantized into the graph; quantized() has nothing left to build from

    def quantized(self) -> "Encoder":
        """The same encoder with its linear layers run in int8, sharing this one's tokenizer, embeddings and
        float32 matrices while it quantizes them (no second read of the weights: on the guard, stored in half
        precision, that would be another float32 copy of the whole encoder)."""
        twin = copy.copy(self)
        twin.session = GraphSession(*encoder_graph(self.embedding_norm, self.layers, self.heads, self.eps, int8=True))
        return twin

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
        return _padded(self.tokenizer.encode_batch(list(texts)))

    def hidden(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """The last layer's token vectors, [batch, tokens, width]."""
        batch, tokens = ids.shape
        embedded = self.words[ids] + self.positions[np.arange(tokens)][None] + self.token_type
        # padding is masked out of attention with the most negative float32, as the torch model does
        blocked = (1.0 - mask)[:, None, None, :] * np.finfo(np.float32).min
        feeds = {
            "embedded": embedded.reshape(batch * tokens, -1).astype(np.float32),
            "blocked": blocked.astype(np.float32),
            "split_heads": np.array([batch, tokens, self.heads, self.width // self.heads], dtype=np.int64),
        }
        return self.session.run(feeds).reshape(batch, tokens, -1)

    def mean_pooled(self, texts: list[str]) -> np.ndarray:
        """One vector per text: the mean of its token vectors (padding left out), [batch, width], float32.
        Texts of like length run together: a short sentence padded to a long message's length would cost
        the long message's time (the guard reads a message and each of its sentences in one call)."""
        encodings = self.tokenizer.encode_batch(list(texts))
        out = np.zeros((len(encodings), self.width), dtype=np.float32)
        for group in _like_lengths([len(e.ids) for e in encodings], PADDING_SLACK):
            ids, mask = _padded([encodings[i] for i in group])
            hidden = self.hidden(ids, mask)
            out[group] = (hidden * mask[..., None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        return out


def _padded(encodings: list) -> tuple[np.ndarray, np.ndarray]:
    """Token ids and attention mask of tokenizer encodings, padded to the longest."""
    width = max(len(e.ids) for e in encodings)
    ids = np.zeros((len(encodings), width), dtype=np.int64)
    mask = np.zeros((len(encodings), width), dtype=np.float32)
    for row, encoding in enumerate(encodings):
        ids[row, : len(encoding.ids)] = encoding.ids
        mask[row, : len(encoding.ids)] = 1.0
    return ids, mask


def _like_lengths(lengths: list[int], slack: float) -> list[list[int]]:
    """Indices grouped shortest first so that no group's padded size exceeds `slack` times its real tokens."""
    groups: list[list[int]] = []
    current: list[int] = []
    real = 0
    for i in sorted(range(len(lengths)), key=lengths.__getitem__):
        if current and lengths[i] * (len(current) + 1) > slack * (real + lengths[i]):
            groups.append(current)
            current, real = [], 0
        current.append(i)
        real += lengths[i]
    return [*groups, current] if current else groups


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
