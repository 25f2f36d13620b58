"""Which of the clinic's contact details a question asks for (its phone, hours, address or booking), read by a
small trained model from the question's meaning, beside the profile's patterns that name a detail outright
(bot/clinic/profile.py): "where r u", "where is your office" ask; "can i update my address on file" does not.

The model is one logistic layer per detail over the bundled embedder's question vector (the one the guard and
the retriever already computed: a cache lookup), trained by `python -m train.contact_intent` on questions
written blind for 24 specialties; each detail is given from its own threshold, the lowest with no wrong detail
on the dev questions plus a margin (models/contact_intent/README.md has the figures).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import models
from bot.core.text import expand_shorthand

MODEL_DIR = models.folder("contact_intent")
WEIGHTS = "model.safetensors"
CONFIG = "config.json"
DETAILS = ("phone", "hours", "address", "booking")


def intent_text(question: str, clinic: str = "") -> str:
    """What the model reads of a question, in training and in use alike: chat shorthand spelled out ("when r u
    open" -> "when are you open"), which the embedder otherwise reads as other words, and this clinic's own
    name, in full or short, read as "you" ("riverbend hours on saturday?" for Riverbend Stone & Urology Centre
    asks what "your hours on saturday?" asks, while "walmart hours" names another place)."""
    plain, name = expand_shorthand(question), _own_name(clinic)
    if name is None:
        return plain
    return name.sub(lambda m: "your" if m.group(0).lower().endswith("'s") else "you", plain)


_PLACE = ("clinic", "centre", "center", "practice")


@functools.lru_cache(maxsize=32)
def _own_name(clinic: str) -> re.Pattern | None:
    """A run of the name's words that starts with its first word ("the" aside): "Riverbend", "riverbend
    urology", "Riverbend Stone Centre"; the name's other words alone ("urology") are a specialty, not the clinic.
    None for no name, or one that starts with a kind of place ("The Clinic"): every other clinic would read as it."""
    words = [w for w in re.findall(r"[a-z0-9']+", clinic.lower()) if w != "the"]
    if not words or words[0] in _PLACE:
        return None
    rest = "|".join(sorted({re.escape(w) for w in words[1:]} | set(_PLACE)))
    return re.compile(rf"\b(the )?{re.escape(words[0])}('s)?(\W+(&|and|of|{rest})\b('s)?)*", re.I)


class ContactIntentMissing(RuntimeError):
    """The contact-intent model's files are not where the package keeps them."""


@dataclass(frozen=True)
class ContactIntent:
    """P(the question asks for each detail) from its unit question vector; `thresholds` per detail."""

    weight: np.ndarray  # [details, embedding width]
    bias: np.ndarray  # [details]
    thresholds: tuple[float, ...]
    details: tuple[str, ...] = DETAILS

    @classmethod
    def load(cls, folder: Path = MODEL_DIR) -> "ContactIntent":
        """The shipped model, or ContactIntentMissing naming the command that makes it."""
        from safetensors.numpy import load_file

        folder = Path(folder)
        missing = [n for n in (WEIGHTS, CONFIG) if not (folder / n).exists()]
        if missing:
            raise ContactIntentMissing(
                f"the contact-intent model is missing from {folder} (no {', '.join(missing)}); restore it from git "
                "or run `python -m train.contact_intent`"
            )
        config = json.loads((folder / CONFIG).read_text(encoding="utf-8"))
        tensors = load_file(str(folder / WEIGHTS))
        thresholds = tuple(float(config["thresholds"][d]) for d in config["details"])
        return cls(tensors["weight"], tensors["bias"], thresholds, tuple(config["details"]))

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """P(asks for each detail), one row per question vector ([questions, details])."""
        logits = np.atleast_2d(vectors).astype(np.float64) @ self.weight.T.astype(np.float64) + self.bias
        return 1.0 / (1.0 + np.exp(-logits))

    def asked(self, question: str, embedder, clinic: str = "") -> list[str]:
        """The details a question to the clinic named `clinic` asks for, read from its vector
        (`embedder.embed_query` of intent_text)."""
        return self.asks(embedder.embed_query(intent_text(question, clinic)))

    def asks(self, vector: np.ndarray) -> list[str]:
        """The details one question asks for, in DETAILS order ([] for most questions)."""
        probs = self.probabilities(vector)[0]
        return [d for d, p, t in zip(self.details, probs, self.thresholds, strict=True) if p >= t]
