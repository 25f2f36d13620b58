"""Reading help for editors: an article's reading grade and its hardest sentences, from its prose only."""

from __future__ import annotations

import re

from bot.core.text import sentence_spans
from evals.metrics import reading_grade

HARDEST = 5  # sentences shown to an editor as the hardest to read
HARD_MIN_WORDS = 10  # shorter sentences are read at a glance, whatever their grade (see article_reading)


def article_reading(text: str) -> dict:
    """An article's reading grade (Flesch-Kincaid) and its hardest sentences, so editors can write plainer."""
    blocks = prose_blocks(text)
    sentences = [b[x:y].strip() for b in blocks for x, y in sentence_spans(b)]
    sentences = [s for s in sentences if len(s.split()) >= 4]  # fragments have no grade worth showing
    # A grade of one short sentence is mostly its syllables per word: "The infusion takes about 40 minutes." scores
    # like a hard one. The sentences patients stumble over are long AND dense, so only sentences of at least
    # HARD_MIN_WORDS words are ranked, by their grade, which itself weighs words per sentence (x 0.39) with
    # syllables per word (x 11.8).
    long = [s for s in sentences if len(s.split()) >= HARD_MIN_WORDS]
    hardest = sorted(((round(reading_grade(s), 1), s) for s in long), reverse=True)[:HARDEST]
    return {"grade": round(reading_grade(" ".join(blocks)), 1), "sentences": len(sentences), "hardest": hardest}


def prose_blocks(text: str) -> list[str]:
    """The text's paragraphs and list items without its headings, each ending like a sentence: a heading is
    not a sentence, and a list item or line without a full stop must not run into the next one."""
    blocks: list[list[str]] = [[]]
    for line in text.splitlines():
        item = _ITEM.sub("", line).strip()
        if not item or item.startswith("#") or item != line.strip():  # a gap, a heading or a list item
            blocks.append([])
        if item and not item.startswith("#"):
            blocks[-1].append(item)
    joined = [" ".join(b) for b in blocks if b]  # a paragraph wrapped over lines is one block
    return [b if b.endswith((".", "!", "?", ":", ";")) else b + "." for b in joined]


_ITEM = re.compile(r"^\s*(?:[-*\u2022]|\d{1,2}[.)])\s+")
