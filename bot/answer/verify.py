"""Verify stage: the output check every answer passes before a patient sees it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.records import Citation
from bot.core.text import norm_key

MARKER = re.compile(r"\[(\d+)\]")
DOSING = re.compile(
    r"\b\d+(\.\d+)?\s?(mg|milligrams?|mcg|micrograms?|ml|mls|cc|units?)(/kg)?\b|\bmg/kg\b"
    r"|\b(take|inject|snort|spray|use|dose)\b[^.]{0,40}\b(at home|yourself|every \d|times (a|per) day|twice a day)\b",
    re.I,
)
PROMISE = re.compile(
    r"\b(cures?|cured|guarantee[sd]?|100 ?%|risk[- ]free|no side effects|completely safe|always works|never "
    r"fails|permanent(ly)? fix)\b",
    re.I,
)
HEDGE = re.compile(
    r"\b(may|might|can|could|some|not|while|although|however|potential|risk|studies|research|suggest)\b", re.I
)


@dataclass
class Check:
    ok: bool
    problems: list[str]


def claim_problems(sentence: str) -> list[str]:
    """What the output check would object to in one written (not quoted) sentence: dosing or a promise.
    The LLM composer asks this of each sentence before a patient sees it."""
    problems = []
    if DOSING.search(sentence):
        problems.append("dosing or self-administration instruction")
    if PROMISE.search(sentence):
        problems.append(f"promise: {PROMISE.search(sentence).group()!r}")
    return problems


def check(answer: str, citations: list[Citation], chunk_texts: dict[str, str]) -> Check:
    """Every [n] cited, every quote verbatim in a retrieved chunk, no dosing, no unhedged promises."""
    problems = []
    markers = {int(n) for n in MARKER.findall(answer)}
    numbers = {c.n for c in citations}
    if markers - numbers:
        problems.append(f"[n] without a citation: {sorted(markers - numbers)}")
    if numbers - markers:
        problems.append(f"citation never referenced: {sorted(numbers - markers)}")
    for c in citations:
        source = chunk_texts.get(c.chunk_id)
        if source is None:
            problems.append(f"citation [{c.n}] points at a chunk that was not retrieved")
        elif norm_key(c.quote) not in norm_key(source):
            problems.append(f"citation [{c.n}] quote is not verbatim article text")
    if DOSING.search(answer):
        problems.append("dosing or self-administration instruction")
    quotes = norm_key(" ".join(c.quote for c in citations))
    for sentence in re.split(r"(?<=[.!?])\s+", MARKER.sub("", answer)):
        if PROMISE.search(sentence) and not (norm_key(sentence.strip()) in quotes and HEDGE.search(sentence)):
            problems.append(f"promise: {PROMISE.search(sentence).group()!r}")
    return Check(not problems, problems)
