"""The guard's learned reader: all-MiniLM-L6-v2 fine-tuned to sort a message into crisis, emergency,
refused, off_topic, allowed or support, plus small linear "topic" heads over the same pooled vector that say
what kind of crisis or refusal it is (eating-disorder risk and requests to act as a clinician get their own
replies). Weights live in the repo (models/guard/);
this module only loads and runs them, on the CPU, with no hub. `python -m train.guard` writes them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import models
from bot.core.encoder import Encoder
from bot.guard.verdict import LABELS

MODEL_DIR = models.folder("guard")
WEIGHTS = "model.safetensors"
# The guard reads every message whole and each of its sentences alone, before anything else happens. The parts
# are read in int8 (about 1.6 times as fast): guard_bench p95 35.4 -> 27.2 ms, and 4 of 4,479 dev, fresh and
# safety verdicts changed. The whole message stays float32: with it in int8 too (p95 19.4 ms) 34 verdicts
# changed, among them crises whose whole read just under the share a crisis sentence needs
# (models/guard/README.md has the figures).
INT8_PARTS = True


class GuardModelMissing(RuntimeError):
    """The guard's weights are not where the repo keeps them."""


@dataclass(frozen=True)
class Topic:
    """A logistic head over the pooled vector: P(topic | crisis message) = sigmoid(v . weights + bias)."""

    weights: np.ndarray
    bias: float

    def probability(self, pooled: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(pooled @ self.weights + self.bias)))


@dataclass(frozen=True)
class NetConfig:
    """What the trainer wrote beside the weights: labels, sequence length, the fitted temperature and
    the topic heads (none in a model trained before they existed)."""

    labels: tuple[str, ...] = LABELS
    max_tokens: int = 160
    temperature: float = 1.0
    topics: tuple[tuple[str, Topic], ...] = ()

    @classmethod
    def read(cls, folder: Path) -> "NetConfig":
        data = json.loads((folder / "guard_config.json").read_text())
        topics = tuple(
            (name, Topic(np.asarray(t["weights"], dtype=np.float64), float(t["bias"])))
            for name, t in sorted((data.get("topics") or {}).items())
        )
        return cls(tuple(data["labels"]), int(data["max_tokens"]), float(data["temperature"]), topics)


class GuardNet:
    """Label probabilities for messages, from the fine-tuned weights in `folder`. Serving runs the encoder on
    onnxruntime (bot/core/encoder.py: no torch in the answering process); `read_message` reads a message's
    parts in int8 unless `int8_parts` is False. bot.core.classifier.build_network is the trainer's."""

    def __init__(self, folder: Path = MODEL_DIR, int8_parts: bool = INT8_PARTS):
        folder = Path(folder)
        if not (folder / WEIGHTS).exists() or not (folder / "guard_config.json").exists():
            raise GuardModelMissing(
                f"the guard model is missing from {folder} (expected {WEIGHTS} and "
                "guard_config.json); restore it from git or run `python -m train.guard`"
            )
        self.config = NetConfig.read(folder)
        self.encoder = Encoder(folder, prefix="encoder.", max_tokens=self.config.max_tokens)
        self.parts_encoder = self.encoder.quantized() if int8_parts else self.encoder
        self.head = (
            np.ascontiguousarray(self.encoder.weights["head.weight"].astype(np.float64).T),
            self.encoder.weights["head.bias"].astype(np.float64),
        )

    def known_words(self) -> set[str]:
        """The whole English words of the reader's tokenizer (letters only, three or more): about 21,000, so that a
        message in a specialty's own words ("is toe walking linked to autism") is never taken for keyboard mash
        because no labelled example happens to use them."""
        return {w for w in self.encoder.tokenizer.get_vocab() if len(w) >= 3 and w.isascii() and w.isalpha()}

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """One row per text, columns in `config.labels` order, temperature-calibrated."""
        return self.read(texts)[0]

    def read(self, texts: list[str]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Label probabilities (one row per text) and each topic head's probability per text, from one float32
        pass."""
        return self._outputs(self._pooled(self.encoder, texts))

    def read_message(self, whole: str, parts: list[str]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """As `read([whole, *parts])`, with the whole message read in float32 and its parts by `parts_encoder`."""
        vectors = np.concatenate([self._pooled(self.encoder, [whole]), self._pooled(self.parts_encoder, parts)])
        return self._outputs(vectors)

    def _pooled(self, encoder: Encoder, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, encoder.width), dtype=np.float64)
        return encoder.mean_pooled(list(texts)).astype(np.float64)

    def _outputs(self, vectors: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        if not len(vectors):
            return np.zeros((0, len(self.config.labels)), dtype=np.float64), {
                n: np.zeros(0) for n, _ in self.config.topics
            }
        logits = vectors @ self.head[0] + self.head[1]
        logits = logits / self.config.temperature
        logits -= logits.max(axis=1, keepdims=True)
        odds = np.exp(logits)
        topics = {name: head.probability(vectors) for name, head in self.config.topics}
        return odds / odds.sum(axis=1, keepdims=True), topics

    def scores(self, texts: list[str]) -> list[dict[str, float]]:
        """Probabilities as {label: p} per text."""
        return [dict(zip(self.config.labels, map(float, row), strict=False)) for row in self.probabilities(texts)]
