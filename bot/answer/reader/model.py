"""The reader's learned parts: a small network scoring (question, sentence) rows, and a logistic
model for "do these articles answer the question at all?". Both are plain arrays in one safetensors
file beside a config; inference is numpy (a few microseconds a sentence), training is train/reader.py."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

import models
from bot.answer.reader.features import FEATURES

MODEL_DIR = models.folder("reader")
ANSWERABILITY = (
    "p1",
    "p2",
    "dense",
    "matched",
    "coverage",
    "context_coverage",
    "rare_hit",
    "type_miss",
    "unknown_share",
    "unknown_subject",
    "asks_yes_no",
    "pool_coverage",
    "pool_matched",
    "cross_best",
    "cross_first",
)


class ReaderModelMissing(RuntimeError):
    """The reader's weights are not where they should be; the message says how to get them back."""


@dataclass(frozen=True)
class ReaderConfig:
    """Decisions taken on the model's outputs (chosen by train/reader.py on held-out folds)."""

    features: tuple[str, ...]
    answerable_threshold: float = 0.5  # answer only when P(the articles answer it) is at least this
    # A sentence's rank: the learned probability plus a fixed prior (similarity to the question, coverage of
    # its words, the passage's similarity, minus how generic the sentence is). On held-out clinics the sum
    # found an answering sentence among those said more often than either alone (training_report.json).
    prior: tuple[tuple[str, float], ...] = (
        ("dense", 1.1),
        ("coverage", 0.3),
        ("chunk_dense", 0.6),
        ("centrality", -0.6),
    )
    # how many of the best-ranked candidates the cross-encoder reads for answerability (cross_best: the highest
    # of its P(answers) over them; cross_first: the first-ranked one's). 3, not 5: held out the same balanced
    # accuracy (0.662 against 0.663) in 60% of the pairs, the largest cost of an answer (models/reader/README.md)
    cross_reads: int = 3
    margin: float = 0.45  # other sentences are said when they rank within this of the best
    max_sentences: int = 3
    # A clinic's choice of how readily to answer (`answering` in its profile): each name's threshold, chosen by
    # train/reader.py on held-out clinics for its bound on answerable questions left unanswered.
    operating_points: tuple[tuple[str, float], ...] = ()

    def threshold(self, answering: str = "balanced") -> float:
        """The answerability threshold for a clinic's choice; the trained default for one this model lacks."""
        return dict(self.operating_points).get(answering, self.answerable_threshold)


class ReaderNet:
    """Standardise -> one hidden layer -> P(sentence answers); and standardise -> logistic -> P(answerable)."""

    def __init__(self, arrays: dict[str, np.ndarray], config: ReaderConfig):
        self.a = {k: v.astype(np.float32) for k, v in arrays.items()}
        self.config = config

    @classmethod
    def load(cls, directory: Path = MODEL_DIR) -> "ReaderNet":
        """Weights and config from the repo; a clear error when they are missing."""
        from safetensors.numpy import load_file

        weights, config = directory / "model.safetensors", directory / "reader_config.json"
        if not weights.exists() or not config.exists():
            raise ReaderModelMissing(
                f"the answer reader's model is missing ({weights}); restore it from git "
                f"(git checkout -- models/reader) or retrain it: python -m train.reader"
            )
        data = json.loads(config.read_text())
        settings = ReaderConfig(
            **{
                **data,
                "features": tuple(data["features"]),
                "prior": tuple((str(k), float(v)) for k, v in data.get("prior", ReaderConfig.prior)),
                "operating_points": tuple((str(k), float(v)) for k, v in data.get("operating_points", ())),
            }
        )
        if settings.features != FEATURES:
            raise ReaderModelMissing(
                f"the answer reader's model in {directory} was trained on other features than this "
                f"code computes; retrain it: python -m train.reader"
            )
        return cls(load_file(str(weights)), settings)

    def save(self, directory: Path) -> None:
        """Write model.safetensors and reader_config.json (train/reader.py)."""
        from safetensors.numpy import save_file

        directory.mkdir(parents=True, exist_ok=True)
        save_file({k: np.ascontiguousarray(v) for k, v in self.a.items()}, str(directory / "model.safetensors"))
        (directory / "reader_config.json").write_text(json.dumps(asdict(self.config), indent=2) + "\n")

    def sentence_scores(self, rows: np.ndarray) -> np.ndarray:
        """P(this sentence answers the question), one per feature row."""
        if not len(rows):
            return np.zeros(0, dtype=np.float32)
        x = (rows - self.a["sent.mean"]) / self.a["sent.std"]
        hidden = np.maximum(x @ self.a["sent.w1"] + self.a["sent.b1"], 0.0)
        return _sigmoid(hidden @ self.a["sent.w2"] + self.a["sent.b2"]).reshape(-1)

    def rank_scores(self, rows: np.ndarray, probs: np.ndarray) -> np.ndarray:
        """What candidates are ranked and chosen by: the probability plus the prior (see ReaderConfig)."""
        index = {f: i for i, f in enumerate(self.config.features)}
        return probs + sum(w * rows[:, index[f]] for f, w in self.config.prior)

    def answerable(self, row: np.ndarray) -> float:
        """P(the articles answer the question), from the question-level row (see ANSWERABILITY)."""
        return float(self.answerable_many(row.reshape(1, -1))[0])

    def answerable_many(self, rows: np.ndarray) -> np.ndarray:
        """P(answerable) for several question-level rows at once."""
        x = (rows - self.a["ans.mean"]) / self.a["ans.std"]
        return _sigmoid(x @ self.a["ans.w"] + self.a["ans.b"]).reshape(-1)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))
