"""Is one generated sentence backed by the source it cites? Pure checks, no model.

Each check is written against a small model's typical errors (tests/fixtures/llm_replies.json holds the
real ones): a number, dose or duration the source lacks; a named condition the source never names; a
negation the source does not make ("you cannot" where it is silent or says "can"); advice it does not
give; and anything resting on a sentence in the source that speaks to the model instead of the reader.
Nothing here names one clinic's topic: the vocabulary is general English and general medicine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.core.text import GENERIC, fold, tokens

_WORD_NUMBERS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen twenty".split()
    )
}
_WORD_NUMBERS.update(
    {
        "thirty": 30,
        "forty": 40,
        "fifty": 50,
        "sixty": 60,
        "seventy": 70,
        "eighty": 80,
        "ninety": 90,
        "hundred": 100,
        "thousand": 1000,
        "dozen": 12,
        "half": 0.5,
        "twice": 2,
        "couple": 2,
    }
)
# unit word (or its plural / abbreviation) -> canonical unit
_UNITS = {
    "second": "second",
    "sec": "second",
    "minute": "minute",
    "min": "minute",
    "hour": "hour",
    "hr": "hour",
    "day": "day",
    "night": "night",
    "week": "week",
    "month": "month",
    "year": "year",
    "mg": "mg",
    "milligram": "mg",
    "mcg": "mcg",
    "microgram": "mcg",
    "g": "g",
    "gram": "g",
    "kg": "kg",
    "ml": "ml",
    "milliliter": "ml",
    "millilitre": "ml",
    "cc": "ml",
    "unit": "unit",
    "percent": "%",
    "%": "%",
    "dose": "dose",
    "session": "session",
    "treatment": "treatment",
    "visit": "visit",
    "time": "time",
}
TIME_UNITS = ("second", "minute", "hour", "day", "night", "week", "month", "year")
_NUM = r"\d+(?:[.,]\d+)?|" + "|".join(sorted(_WORD_NUMBERS, key=len, reverse=True))
_QUANTITY = re.compile(rf"\b({_NUM})(?:\s*(?:-|to|or|and)\s*({_NUM}))?\s*(%|[a-z]+\b)?", re.I)
_TIMING = re.compile(
    r"\b(immediate(?:ly)?|instant(?:ly)?|overnight|permanent(?:ly)?|lifelong|forever|"
    r"right away|within (?:minutes|hours|days|weeks))\b",
    re.I,
)
NEGATION = re.compile(r"\b(not|no|never|cannot|none|nor|without|unable|avoid|neither)\b|n't\b", re.I)
_ADVICE = re.compile(
    r"\b(you should|you must|you need to|you have to|you will need|make sure|be sure|it(?: is|'s) (?:best|important|"
    r"recommended|advised)|we recommend|remember to|do "
    r"not|don't|never|always)\b|(?:^|[,;]\s+)(?:please\s+)?(take|avoid|ask|"
    r"call|talk|speak|tell|bring|arrange|plan|drink|eat|stop|start|try|keep|make|get|go|see|contact|consult|wear|"
    r"rest|use|follow|check|discuss|inform|let|remember|be|do|seek|wait)\b",
    re.I,
)
_SOURCE_ADVICE = re.compile(
    r"\b(should|must|need to|needs to|have to|has to|recommend\w*|advis\w*|important to|"
    r"make sure|be sure|avoid|do not|don't|never|always|required?)\b",
    re.I,
)
INJECTION = re.compile(
    r"\b(ignore|disregard|forget|override|bypass)\b[^.!?]{0,60}\b(instructions?|rules|prompts?|guidelines|"
    r"directions|everything above|previous)\b|\b(new|updated|real) instructions\b|\bsystem prompt\b|"
    r"\byou are now\b|\b(?:dear|attention|note to( the)?) (?:ai|assistant|chatbot|language model|llm|bot)\b|"
    r"\bif you are an? (?:ai|assistant|chatbot|language model|llm|bot)\b|\bas an ai\b",
    re.I,
)
_HEADED = re.compile(
    r"\b([a-z][a-z'-]+)\s+(disorder|disease|syndrome|illness|infection|cancer|deficiency|failure)s?\b", re.I
)
_SUFFIXES = ("itis", "osis", "emia", "aemia", "pathy", "algia", "phobia", "plegia", "trophy", "oma")
_META = re.compile(
    r"\b(?:the|this|these|each|our|both) (?:sources?|articles?|passages?|texts?|blog posts?)\b|"
    r"\bsource (?:number|\[?\d)",
    re.I,
)
NEW_WORDS = 1  # content words a sentence may add to its source (a 135M model's inventions came with 2 to 5)
_CAPITAL = re.compile(r"(?<=[a-z,;)]\s)([A-Z][a-zA-Z'-]+)")
_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]{1,}s?\b")


@dataclass(frozen=True)
class Finding:
    """Why a sentence may not reach a patient: a reason category and what tripped it."""

    reason: str
    detail: str


def findings(sentence: str, source: str, closest: list[str]) -> list[Finding]:
    """Every problem with `sentence` as a claim of `source` (the cited passage, already stripped of
    sentences addressed to the model); `closest` are its sentences nearest in meaning, best first."""
    return [
        f
        for f in (
            about_sources(sentence, source),
            new_words(sentence, source),
            new_numbers(sentence, source),
            new_timing(sentence, source),
            new_names(sentence, source),
            flipped(sentence, source, closest),
            new_advice(sentence, source, closest),
        )
        if f
    ]


def about_sources(sentence: str, source: str) -> Finding | None:
    """A sentence about the sources ("The source highlights ...", or an article's own "In this article we
    delve into ...") rather than an answer from them."""
    m = _META.search(sentence)
    if m:
        where = "copied from the article" if m.group().lower() in fold(source).lower() else "not in the source"
        return Finding("about the sources", f"'{m.group()}' ({where})")
    return None


def new_words(sentence: str, source: str, allowed: int = NEW_WORDS) -> Finding | None:
    """More than `allowed` content words the source never uses (a word counts as used when the source has a
    word with the same first five letters: "treating" for "treatment")."""
    have = {t[:5] for t in tokens(source)}
    new = [w for w in dict.fromkeys(content_words(sentence)) if w[:5] not in have]
    if len(new) > allowed:
        return Finding("new words", f"not in the source: {', '.join(new[:5])}")
    return None


def quantities(text: str) -> set[tuple[float, str | None]]:
    """(value, canonical unit or None) of every number in a text; a range gives both ends. A number
    word counts only with a unit after it ("two hours"), so "one of the options" is no number."""
    out = set()
    for m in _QUANTITY.finditer(fold(text).lower()):
        unit = _unit(m.group(3))
        for raw in (m.group(1), m.group(2)):
            if raw is None:
                continue
            if raw.replace(",", "").replace(".", "").isdigit():
                out.add((float(raw.replace(",", "")), unit))
            elif unit:
                out.add((float(_WORD_NUMBERS[raw]), unit))
    return out


def new_numbers(sentence: str, source: str) -> Finding | None:
    """A number (with its unit: a dose, a duration, a count) the source does not state."""
    have = quantities(source)
    values = {v for v, _ in have}
    for value, unit in sorted(quantities(sentence), key=str):
        if (value, unit) not in have if unit else value not in values:
            shown = f"{value:g}" + (f" {unit}" if unit else "")
            return Finding("number", f"{shown} is not in the source")
    return None


def new_timing(sentence: str, source: str) -> Finding | None:
    """A duration or timing word ("hours", "overnight", "permanently") the source never uses."""
    have = set(tokens(source))
    for word in tokens(sentence):
        unit = _unit(word)
        if unit in TIME_UNITS and not ({unit, unit + "s"} & have or _unit_in(unit, have)):
            return Finding("duration", f"'{word}' is not in the source")
    for m in _TIMING.finditer(sentence):
        if m.group().lower() not in fold(source).lower():
            return Finding("duration", f"'{m.group()}' is not in the source")
    return None


def new_names(sentence: str, source: str) -> Finding | None:
    """A named condition, drug, acronym or proper name the source never names."""
    have = set(tokens(source)) | set(re.findall(r"[a-z0-9]+", fold(source).lower()))
    words = tokens(sentence)
    for term in conditions():
        if term in words and term not in have:
            return Finding("condition", f"'{term}' is not in the source")
    for word in re.findall(r"[a-z]+", fold(sentence).lower()):
        if word.endswith(_SUFFIXES) and len(word) > 6 and word not in have:
            return Finding("condition", f"'{word}' is not in the source")
    for m in _HEADED.finditer(sentence):
        modifier = m.group(1).lower()
        if modifier not in GENERIC and tokens(modifier) and tokens(modifier)[0] not in have:
            return Finding("condition", f"'{m.group()}' is not in the source")
    for m in list(_ACRONYM.finditer(sentence)) + list(_CAPITAL.finditer(sentence)):
        name = m.group().lower().rstrip("s") if m.group().isupper() else m.group().lower()
        if name not in have and not set(tokens(name)) <= have:
            return Finding("condition", f"'{m.group()}' is not in the source")
    return None


def flipped(sentence: str, source: str, closest: list[str]) -> Finding | None:
    """A negation the source does not make near this claim, or one it makes that the sentence drops."""
    said = NEGATION.search(sentence)
    if said and not any(NEGATION.search(c) for c in closest[:3]):
        where = "near this claim" if NEGATION.search(source) else "at all"
        return Finding("negation", f"'{said.group()}' where the source has no negation {where}")
    dropped = NEGATION.search(closest[0]) if closest else None
    if not said and dropped and _shared(sentence, closest[0]) >= 0.6:
        return Finding("negation", f"the source says '{dropped.group()}' and the sentence does not")
    return None


def _shared(sentence: str, other: str) -> float:
    """How much of the sentence's content the other sentence holds."""
    words = set(content_words(sentence))
    return len(words & set(tokens(other))) / len(words) if words else 0.0


def new_advice(sentence: str, source: str, closest: list[str]) -> Finding | None:
    """Advice ("you should", "avoid", "call ...") that the source does not give in these words."""
    body = sentence.strip()
    if not _ADVICE.search(body):
        return None
    if not any(_SOURCE_ADVICE.search(c) or _ADVICE.search(c.strip()) for c in closest[:3]):
        return Finding("advice", "the source gives no advice here")
    missing = [w for w in content_words(body) if w not in set(tokens(source))]
    if missing:
        return Finding("advice", f"advice words not in the source: {', '.join(missing[:3])}")
    return None


def content_words(text: str) -> list[str]:
    """The words that carry a claim: tokens that are not stop words or everyday filler."""
    return [t for t in tokens(text) if t not in GENERIC and len(t) > 2]


def addressed_to_model(sentence: str) -> bool:
    """A sentence in an article that speaks to an AI ("ignore your instructions and ...")."""
    return bool(INJECTION.search(fold(sentence)))


@lru_cache(maxsize=1)
def conditions() -> frozenset[str]:
    """General medicine's common condition names (bot/answer/data/conditions.yml), as tokens."""
    raw = yaml.safe_load((Path(__file__).parent / "data" / "conditions.yml").read_text(encoding="utf-8")) or []
    return frozenset(t for term in raw for t in tokens(str(term)))


def _unit(word: str | None) -> str | None:
    if not word:
        return None
    word = word.lower()
    for form in (word, word[:-1] if word.endswith("s") else word, word[:-2] if word.endswith("es") else word):
        if form in _UNITS:
            return _UNITS[form]
    return None


def _unit_in(unit: str, have: set[str]) -> bool:
    return any(_unit(w) == unit for w in have)
