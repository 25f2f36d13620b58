"""The guard's learned parts: a linear classifier over sentence embeddings (cached in the temp dir) and a
character n-gram crisis model. Both are fitted at load time on the clinic's labelled examples."""
from __future__ import annotations

import hashlib
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class LinearModel:
    """A fitted multinomial logistic regression: softmax(x . coef + intercept) over classes."""

    classes: tuple
    coef: np.ndarray
    intercept: np.ndarray

    def predict_proba(self, vectors: np.ndarray) -> np.ndarray:
        """Class probabilities, one row per vector, columns in `classes` order."""
        logits = vectors @ self.coef.T + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        odds = np.exp(logits)
        return odds / odds.sum(axis=1, keepdims=True)


def fit_linear(vectors: np.ndarray, labels: np.ndarray, c: float) -> LinearModel:
    """Multinomial logistic regression, classes balanced, on unit-length sentence embeddings."""
    from sklearn.linear_model import LogisticRegression

    fitted = LogisticRegression(C=c, class_weight="balanced", max_iter=2000).fit(vectors, labels)
    return LinearModel(tuple(str(k) for k in fitted.classes_), fitted.coef_, fitted.intercept_)


def train_embedding(embedder, texts: list[str], labels: np.ndarray, c: float) -> tuple[np.ndarray, LinearModel]:
    """Embed the examples and fit the classifier, reusing a cache in the temp dir keyed by model, texts,
    labels and C: the first load pays for embedding and fitting, later ones take a fraction of a second."""
    name = getattr(embedder, "name", None)
    key = hashlib.sha256("\n".join([str(name), str(c), *texts, *labels]).encode("utf-8")).hexdigest()[:24]
    path = Path(tempfile.gettempdir()) / f"clinicbot-guard-{key}.npz"
    if name:
        try:
            with np.load(path) as saved:
                if saved["vectors"].shape[0] == len(texts):
                    model = LinearModel(tuple(str(k) for k in saved["classes"]), saved["coef"], saved["intercept"])
                    return saved["vectors"], model
        except (OSError, ValueError, KeyError):
            pass
    vectors = np.asarray(embedder.embed(texts), dtype=np.float32)
    model = fit_linear(vectors, labels, c)
    if name:
        _save(path, vectors=vectors, classes=np.array(model.classes), coef=model.coef, intercept=model.intercept)
    return vectors, model


def _save(path: Path, **arrays) -> None:
    """Write the cache atomically (a concurrent loader never reads half a file); a failure only costs speed."""
    partial = path.with_suffix(f".{threading.get_ident()}.tmp")
    try:
        with open(partial, "wb") as fh:
            np.savez(fh, **arrays)
        partial.replace(path)
    except OSError:
        partial.unlink(missing_ok=True)


class LexicalCrisis:
    """Crisis probability from character n-grams (2-5 letters within words), a binary logistic regression.

    Sentence embeddings place a message by its topic, so "im finishing myself off w the pills" beside a nasal
    spray question reads as a route question. Letter n-grams ("myself", "pills", "for good") and their
    misspellings carry the crisis cue whatever the topic, and generalise to wordings the examples lack."""

    def __init__(self, texts: list[str], is_crisis: np.ndarray, c: float):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        self.vectoriser = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)
        features = self.vectoriser.fit_transform(texts)
        self.model = LogisticRegression(C=c, class_weight="balanced", max_iter=3000).fit(features, is_crisis)

    def crisis(self, texts: list[str]) -> np.ndarray:
        """The probability that each text is a crisis message."""
        column = list(self.model.classes_).index(True)
        return self.model.predict_proba(self.vectoriser.transform(texts))[:, column]
