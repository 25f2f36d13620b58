"""Follow-up questions ('what about for PTSD?', 'how long does that last?') read with earlier turns."""
from __future__ import annotations

import re

from bot.text import tokens

FOLLOW_UP = re.compile(r"^\s*(and|what about|how about|what of|also|so|ok(ay)?|but|then|same)\b"
                       r"|\b(it|that|this|those|these|they|them|there|one)\b", re.I)
TOPIC_WORDS = 3  # a question with fewer topical words than this leans on the one before


def resolve(question: str, history: list[str], known: set[str]) -> str:
    """The question to retrieve with: itself, or itself plus the previous question when it is a follow-up."""
    if not history:
        return question
    topical = [t for t in tokens(question) if t in known and t not in _GENERIC]
    if FOLLOW_UP.search(question) or len(topical) < TOPIC_WORDS:
        return f"{question} ({history[-1]})"
    return question


_GENERIC = set(tokens("ketamine therapy treatment work long safe help effect use take last patient"))
