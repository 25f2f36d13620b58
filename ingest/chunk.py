"""Chunk stage: whole sentences, grouped by section, with offsets into the cleaned text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.records import Article, Chunk, Sentence
from bot.core.text import sentence_spans
from ingest.dedupe import heading_level

TARGET_WORDS = 90
MAX_WORDS = 130
MIN_TAIL_WORDS = 25
_BULLET = re.compile(r"^([-*\u2022]|\d{1,2}[.)])\s+")


@dataclass
class _Block:
    start: int
    end: int
    words: int


def blocks(text: str) -> list[tuple[int, int]]:
    """(start, end) of every block (paragraph or heading) in cleaned text."""
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]+(?:\n(?!\n)[^\n]+)*", text)]


def section_name(heading: str) -> str:
    """A heading as shown to patients: no Markdown hashes, bullets or trailing colon."""
    return re.sub(r"^(#+|[-*\u2022])\s*", "", heading).rstrip(":").strip()


def chunk(article: Article) -> list[Chunk]:
    """Split an article into chunks of whole sentences that never cross a heading."""
    text, chunks = article.text, []
    section, pending = "", []
    for start, end in blocks(text):
        if heading_level(text[start:end]) is not None:
            chunks += _emit(article, section, pending, len(chunks))
            section, pending = section_name(text[start:end]), []
            continue
        body = start + (_BULLET.match(text[start:end]).end() if _BULLET.match(text[start:end]) else 0)
        pending += [_Block(a, b, len(text[a:b].split())) for a, b in sentence_spans(text, body, end)]
    return chunks + _emit(article, section, pending, len(chunks))


def _emit(article: Article, section: str, sentences: list[_Block], position: int) -> list[Chunk]:
    groups, current = [], []
    for sent in sentences:
        size = sum(s.words for s in current)
        if current and (
            size + sent.words > MAX_WORDS
            or (size >= TARGET_WORDS and _paragraph_break(article.text, current[-1], sent))
        ):
            groups.append(current)
            current = []
        current.append(sent)
    if current:
        groups.append(current)
    if len(groups) > 1 and sum(s.words for s in groups[-1]) < MIN_TAIL_WORDS:
        groups[-2:] = [groups[-2] + groups[-1]]  # a stub chunk retrieves badly; keep it with its neighbour
    return [_make(article, section, group, position + i) for i, group in enumerate(groups)]


def _paragraph_break(text: str, before: _Block, after: _Block) -> bool:
    return "\n\n" in text[before.end : after.start]


def _make(article: Article, section: str, group: list[_Block], position: int) -> Chunk:
    cid = f"{article.source}#{position}"
    sentences = tuple(
        Sentence(f"{cid}.{k}", cid, article.source, s.start, s.end, article.text[s.start : s.end])
        for k, s in enumerate(group)
    )
    start, end = group[0].start, group[-1].end
    return Chunk(cid, article.source, article.title, section, position, start, end, article.text[start:end], sentences)
