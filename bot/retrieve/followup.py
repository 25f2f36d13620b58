"""Follow-ups ('what about for kids?', 'how long does that last?') are read with the turn they refer to.

A message that names its own topic stands on its own, whatever came before: an earlier turn must
never steer a new question. Only a message that refers back borrows from the last earlier turn that
had a topic: all of it when the message has no topic of its own or opens with "and"/"what about"
("what about for kids?"), and only the subject everything is about when it names its own aspect and
points back with "it" ("does insurance cover it?" borrows the treatment, not the side effects asked
about before). The subject is told apart by the articles themselves: words most of them use.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from typing import Mapping

from bot.core.text import GENERIC, stem, tokens

CONNECTIVE = re.compile(r"^\W*(and|what about|how about|what of|also|same|then|plus|or)\b", re.I)
POINTER = re.compile(r"\b(it|that|this|those|these|they|them|there|one|ones|he|she)\b", re.I)
# Words that frame a question rather than name its topic ("how LONG does it LAST", "is it SAFE").
FRAME = frozenset(
    stem(w)
    for w in GENERIC
    | set(
        """long last lasts take takes taking much many often safe safely cost costs
cover covered start starts begin need needed okay ok fine possible normal expect allowed able afterwards after before
again more less soon""".split()
    )
)
SUBJECT_SHARE = 0.25  # a word in at least this share of the chunks is what the articles are about, not an aspect


def topic(question: str, df: Mapping[str, int]) -> list[str]:
    """The question's own topic words that the articles use."""
    return [t for t in tokens(question) if df.get(t) and t not in FRAME and len(t) > 2]


def resolve(question: str, history: list[str], df: Mapping[str, int], chunks: int) -> str:
    """The text to retrieve with: the question alone, or with what it borrows from an earlier turn.
    `df` counts the chunks each word appears in, out of `chunks`."""
    own = topic(question, df)
    earlier = next((h for h in reversed(history) if topic(h, df)), "")
    if not earlier:
        return question
    if not own or (CONNECTIVE.search(question) and len(own) < 3):
        return f"{question} ({earlier})"
    if POINTER.search(question) and len(own) < 2:
        subject = [t for t in dict.fromkeys(topic(earlier, df)) if df[t] >= SUBJECT_SHARE * chunks and t not in own]
        return f"{question} ({' '.join(subject)})" if subject else question
    return question


class ResolvedTurns:
    """The earlier turns of conversations as resolved against one index version, remembered, so that a new
    question resolves only itself: its earlier turns were resolved when they were asked. Bounded (least
    recently used out first); safe to share between threads."""

    def __init__(self, size: int = 1024):
        self.size = size
        self._memo: OrderedDict[tuple, list[str]] = OrderedDict()
        self._lock = threading.Lock()

    def of(self, history: list[str], df: Mapping[str, int], chunks: int, version: str) -> list[str]:
        """Each earlier turn as retrieved with (what a follow-up borrowed from the turn before it)."""
        resolved: list[str] = []
        for n in range(len(history), 0, -1):  # the longest prefix already resolved
            with self._lock:
                known = self._memo.get((version, tuple(history[:n])))
            if known is not None:
                resolved = list(known)
                break
        for i in range(len(resolved), len(history)):
            resolved.append(resolve(history[i], resolved, df, chunks))
            with self._lock:
                self._memo[(version, tuple(history[: i + 1]))] = list(resolved)
                self._memo.move_to_end((version, tuple(history[: i + 1])))
                while len(self._memo) > self.size:
                    self._memo.popitem(last=False)
        return resolved
