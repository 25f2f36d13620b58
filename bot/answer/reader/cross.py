"""The reader's cross-encoder: all-MiniLM-L6-v2 fine-tuned to read a question and one candidate sentence
together (with its section heading) and give P(this sentence answers the question).

Trained by `python -m train.cross_reader` on practice clinics written blind (train/data/reader/blind, the
train split of its splits.yml), then distilled into a 3-layer student by `python -m train.cross_student`, which
is what the reader reads (CrossReader.served); the weights live in the repo (models/cross_reader/,
models/cross_student/) and run here on onnxruntime
(bot/core/encoder.py), on the CPU, with no hub and no torch. The reader reads its probabilities for the few
best-ranked candidates to judge whether the articles answer a question at all (answerability); which sentence
is said stays the reader's own ranking (models/cross_reader/README.md says why).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import models
from bot.core.encoder import WEIGHTS, Encoder

MODEL_DIR = models.folder("cross_reader")  # the 6-layer model, the student's teacher
STUDENT_DIR = models.folder("cross_student")  # what the reader is served and trained with
CONFIG = "cross_config.json"
SEP = " [SEP] "
CROSS_READS = 10  # candidates the trainer's figures read per question: the best-retrieved


class CrossReaderMissing(RuntimeError):
    """The cross-encoder's files are not where the package keeps them."""


@dataclass(frozen=True)
class CrossConfig:
    """What the trainer wrote beside the weights."""

    max_tokens: int = 128
    temperature: float = 1.0

    @classmethod
    def read(cls, folder: Path) -> "CrossConfig":
        data = json.loads((folder / CONFIG).read_text(encoding="utf-8"))
        return cls(int(data["max_tokens"]), float(data["temperature"]))


def pair_text(asked: str, section: str, sentence: str) -> str:
    """The one text the cross-encoder reads for a (question, candidate) pair. `asked` is the question as
    retrieved (Query.corrected): a follow-up carries the earlier turn it refers to, "and for kids? (how long
    is the visit)". Trainer and reader both build it here, so they never disagree on the format."""
    said = f"{section}: {sentence}" if section else sentence
    return f"{asked}{SEP}{said}"


def answers_probability(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """P(answers) from the head's two logits per pair (does not answer, answers)."""
    return 1.0 / (1.0 + np.exp(-(logits[:, 1] - logits[:, 0]) / temperature))


class CrossReader:
    """P(answers) for (question, sentence) pair texts, from the fine-tuned weights in `folder`. With `int8`
    its linear layers run in int8 (bot.core.encoder.Encoder, int8=True): how the reader runs it, about twice as
    fast; the reader is trained on the same int8 probabilities it is served. `trainer` is the command a
    missing-file error names (the approved-answer judge has its own)."""

    def __init__(self, folder: Path = MODEL_DIR, int8: bool = False, trainer: str = "train.cross_reader"):
        folder = Path(folder)
        missing = [n for n in (WEIGHTS, CONFIG, "tokenizer.json", "config.json") if not (folder / n).exists()]
        if missing:
            raise CrossReaderMissing(
                f"a cross-encoder is missing from {folder} (no {', '.join(missing)}); restore it from git or "
                f"run `python -m {trainer}`"
            )
        self.config = CrossConfig.read(folder)
        self.encoder = Encoder(folder, prefix="encoder.", max_tokens=self.config.max_tokens, int8=int8)
        self.head = (
            np.ascontiguousarray(self.encoder.weights["head.weight"].astype(np.float64).T),
            self.encoder.weights["head.bias"].astype(np.float64),
        )

    @classmethod
    def served(cls) -> "CrossReader":
        """The cross-encoder the reader reads when answering and when it is trained: the student distilled
        from the 6-layer model (train/cross_student.py), half its layers and about half its time, in int8."""
        return cls(STUDENT_DIR, int8=True, trainer="train.cross_student")

    def probabilities(self, pairs: list[str]) -> np.ndarray:
        """P(the sentence answers the question) per pair text (see pair_text), temperature-calibrated."""
        return answers_probability(self.logits(pairs), self.config.temperature)

    def logits(self, pairs: list[str], batch: int = 32) -> np.ndarray:
        """The head's two raw logits (does not answer, answers) per pair text, before the temperature."""
        if not pairs:
            return np.zeros((0, 2))
        parts = [self.encoder.mean_pooled(list(pairs[i : i + batch])) for i in range(0, len(pairs), batch)]
        return np.concatenate(parts).astype(np.float64) @ self.head[0] + self.head[1]
