"""Guard stage: classify every message (with the conversation so far) before any retrieval.

Rules catch the unmistakable; nearest neighbours over the clinic's labelled examples
(bot/data/guard_examples.yml, embedded with the bundled model) catch paraphrases the
rules have never seen. Crisis is checked first and wins over everything else.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from bot import guard_rules as R
from bot.text import STOPWORDS

EXAMPLES = Path(__file__).with_name("data") / "guard_examples.yml"
LABELS = ("crisis", "emergency", "refused", "off_topic", "allowed")
TOP = 3  # neighbours averaged per label


@dataclass(frozen=True)
class GuardConfig:
    """Similarity needed for a semantic match, and how far ahead of 'allowed' it must be."""

    max_chars: int = 1000
    semantic: dict = field(default_factory=lambda: {"crisis": (0.62, 0.03), "emergency": (0.62, 0.05),
                                                    "refused": (0.60, 0.05), "off_topic": (0.45, 0.06)})


@dataclass
class Verdict:
    """The guard's decision. kind 'pass' lets the message through to retrieval."""

    kind: str
    reason: str
    personal: bool = False
    suicide_topic: bool = False
    crisis_earlier: bool = False
    scores: dict = field(default_factory=dict)


class Guard:
    """Input guard: configuration in the constructor, a message and its history in run()."""

    def __init__(self, embedder, examples: dict[str, list[str]], config: GuardConfig | None = None,
                 vocabulary: set[str] | None = None):
        self.embedder = embedder
        self.config = config or GuardConfig()
        self.labels = [label for label in LABELS for _ in examples.get(label, [])]
        texts = [t for label in LABELS for t in examples.get(label, [])]
        self.vectors = embedder.embed(texts) if texts else np.zeros((0, 384), np.float32)
        self.known_words = {w for t in texts for w in _words(t)} | set(vocabulary or ())

    @classmethod
    def load(cls, embedder, max_chars: int, path: Path = EXAMPLES) -> "Guard":
        examples = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return cls(embedder, {k: [str(x) for x in v or []] for k, v in examples.items()}, GuardConfig(max_chars=max_chars))

    def run(self, message: str, history: list[str] | None = None) -> Verdict:
        """Classify one message; earlier user turns keep a crisis visible."""
        verdict = self._classify(message or "")
        if verdict.kind != "crisis" and any(self._classify(h).kind == "crisis" for h in history or []):
            verdict.crisis_earlier = True
        return verdict

    def _classify(self, message: str) -> Verdict:
        text = _printable(message)
        if not R.NON_TEXT.search(text):
            return Verdict("invalid", "empty" if not text.strip() else "no words")
        plain = R.IDIOMS.sub(" ", text)
        if self._crisis_rule(plain):
            return Verdict("crisis", "crisis pattern")
        if len(text) > self.config.max_chars:
            return Verdict("invalid", "too long")
        if _gibberish(text, self.known_words):
            return Verdict("invalid", "no recognisable words")
        scores = self._similarities(text)
        verdict = self._decide(plain, scores)
        verdict.scores = scores
        verdict.personal = verdict.kind == "pass" and bool(R.PERSONAL.search(text))
        verdict.suicide_topic = bool(R.SUICIDE_TOPIC.search(text))
        return verdict

    def _crisis_rule(self, plain: str) -> bool:
        if not R.CRISIS.search(plain):
            return False
        education = R.EDUCATION.search(plain) and not R.DISCLOSURE.search(plain)
        past = R.PAST_DISCLOSURE.search(plain) and not re.search(r"\b(now|again|tonight|today|lately)\b", plain, re.I)
        return not (education or past)

    def _decide(self, plain: str, scores: dict[str, float]) -> Verdict:
        if R.EMERGENCY.search(plain) and not R.PAST_EVENT.search(plain):
            return Verdict("emergency", "emergency pattern")
        if R.REFUSED.search(plain):
            return Verdict("refused", "refusal pattern")
        for label in ("crisis", "emergency", "refused", "off_topic"):
            floor, lead = self.config.semantic[label]
            if label == "crisis" and R.SUICIDE_TOPIC.search(plain) and R.EDUCATION.search(plain) and not R.DISCLOSURE.search(plain):
                continue  # "does ketamine help suicidal depression in studies?" is a question to answer
            if scores.get(label, 0) >= floor and scores[label] >= scores.get("allowed", 0) + lead and scores[label] == max(scores.values()):
                return Verdict(label, f"similar to {label} examples ({scores[label]:.2f})")
        return Verdict("pass", "ordinary question")

    def _similarities(self, text: str) -> dict[str, float]:
        if not len(self.vectors):
            return {}
        sims = self.vectors @ self.embedder.embed_query(text)
        out = {}
        for label in LABELS:
            idx = [i for i, l in enumerate(self.labels) if l == label]
            if idx:
                out[label] = float(np.mean(np.sort(sims[idx])[-TOP:]))
        return out


def _printable(message: str) -> str:
    return "".join(ch for ch in message if unicodedata.category(ch)[0] != "C" or ch in "\n\t ")


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]{3,}", text.lower()))


def _gibberish(text: str, known: set[str]) -> bool:
    """Keyboard mash: several letter runs, none of them a word clinicbot has ever seen."""
    words = re.findall(r"[a-zA-Z]{3,}", text)
    if len(words) < 2:
        return False
    return not any(w.lower() in known or w.lower() in STOPWORDS for w in words)
