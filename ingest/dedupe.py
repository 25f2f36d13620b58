"""Dedupe stage: a paragraph is kept once, within an article and across the corpus."""

from __future__ import annotations

import hashlib
import re

from bot.core.text import fold

MIN_WORDS = 8  # short lines (headings, labels) repeat legitimately; only paragraphs are deduped


def paragraph_key(block: str) -> str:
    """Hash of a paragraph that ignores case, punctuation and spacing."""
    return hashlib.sha1(re.sub(r"\W+", " ", fold(block).lower()).strip().encode()).hexdigest()[:16]


def dedupe(texts: dict[str, str]) -> tuple[dict[str, str], dict[str, int]]:
    """Drop repeated paragraphs. Sources are visited in name order, so the first owns a paragraph.

    Returns the deduped texts and, per source, how many paragraphs were dropped."""
    seen: set[str] = set()
    out, dropped = {}, {}
    for source in sorted(texts):
        blocks, removed = [], 0
        for block in texts[source].split("\n\n"):
            if len(block.split()) >= MIN_WORDS:
                key = paragraph_key(block)
                if key in seen:
                    removed += 1
                    continue
                seen.add(key)
            blocks.append(block)
        out[source], dropped[source] = "\n\n".join(_drop_empty_headings(blocks)), removed
    return out, dropped


def heading_level(block: str) -> int | None:
    """Level of a heading block (1 = title), or None for body text."""
    md = re.match(r"^(#{1,6})\s", block)
    if md:
        return len(md.group(1))
    words = block.split()
    if not words or len(words) > 14 or block.endswith((".", "!", "?", '"', "\u201d")):
        return None
    if re.match(r"^\d{1,2}[.)]\s+\S", block):
        return 2
    if re.match(r"^[-*\u2022]\s+.+:$", block):
        return 3
    if block.startswith(("-", "*", "\u2022")) or block.endswith((",", ";")):
        return None
    if block.endswith(":") and len(words) > 6:  # "Key findings include:" introduces a list
        return None
    return 2


def _drop_empty_headings(blocks: list[str]) -> list[str]:
    """Remove headings with no body before the next heading of the same or higher rank
    (left behind when a repeated section's paragraphs were deduped)."""
    keep = [True] * len(blocks)
    for i, block in enumerate(blocks):
        level = heading_level(block)
        if level is None:
            continue
        keep[i] = False
        for later in blocks[i + 1 :]:
            later_level = heading_level(later)
            if later_level is None:
                keep[i] = True
                break
            if later_level <= level:
                break
    return [b for b, k in zip(blocks, keep, strict=False) if k]
