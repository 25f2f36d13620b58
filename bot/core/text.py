"""Text helpers shared by ingest and the bot: normalising, sentences, tokens."""

from __future__ import annotations

import re
import unicodedata

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u00a0": " ",
        "\u2026": "...",
    }
)
_WS = re.compile(r"\s+")
# Abbreviations whose period does not end a sentence ("U.S. Food and Drug", "Dr. Sanacora").
_ABBREV = {
    "dr",
    "mr",
    "mrs",
    "ms",
    "prof",
    "st",
    "jr",
    "sr",
    "vs",
    "etc",
    "e.g",
    "i.e",
    "u.s",
    "u.k",
    "no",
    "approx",
    "fig",
    "inc",
    "ltd",
    "co",
    "mt",
    "dept",
    "al",
    "ph.d",
    "m.d",
}
_END = re.compile(r"[.!?]+[\"')\]]*(?=\s+[\"'(\[]?[A-Z0-9\u201c])")
_TOKEN = re.compile(r"[a-z0-9]+")
_POSSESSIVE = re.compile(r"'s\b")
STOPWORDS = frozenset(
    """a an the and or but if of to in on at by for with from as is are was were be been being
do does did doing have has had having i me my we our you your he she it its they them their this that these
those there here what which who whom how when where why can could should would will shall may might must
so than too very just about into over after before up down out off again then once not no nor only own same
such both each few more most other some any all s t don doesn didn isn aren wasn weren am im ive id youre""".split()
)


# Everyday words that carry no topic: a question is not "about" them, so a corpus that never
# uses them can still answer it. (General English, not drawn from any evaluation question.)
GENERIC = frozenset(
    """actual actually also always anything anyone anybody around ask asked back bad beside besides best better big
come comes coming could day days different does doing done else enough even ever every everybody everyone
everything exactly feel feeling find first get gets getting give given go goes going gone good got great guess
happen happened happening happens hear heard help hey hi honest idea just keep kind kinda know known let like
little lot lots make makes making many maybe mean means much need needs new next normal now okay ok one ones
other others part people person please pretty probably put quite real really right said say says see seem seems
should show someone something sometimes sort still stuff sure tell thank thanks thing things think thought time
times today told took try trying type u ur usual usually version want wanted wants way ways week well went whats
whatever wondering word words work works worried would yeah year years yes yet""".split()
)


def as_text(value: object) -> str:
    """A message as text. Whatever else reaches a public entry point (None, a number or a list from a JSON
    API) is no message, so it is empty, and the guard's empty-input reply follows: one rule for every door."""
    return value if isinstance(value, str) else ""


def fold(text: str) -> str:
    """Unify typographic quotes, dashes and spaces so comparisons ignore them."""
    return unicodedata.normalize("NFKC", text).translate(_QUOTES)


def squash(text: str) -> str:
    """Collapse every run of whitespace to one space and trim."""
    return _WS.sub(" ", text).strip()


def norm_key(text: str) -> str:
    """A comparison key: folded, lowercased, whitespace collapsed (for dedupe and verbatim checks)."""
    return squash(fold(text).lower())


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Split text[start:end] into whole sentences, returned as (start, end) offsets into text."""
    end = len(text) if end is None else end
    spans, cursor = [], start
    for m in _END.finditer(text, start, end):
        word = text[max(cursor, m.start() - 8) : m.start()].split()[-1:] or [""]
        if m.group().startswith(".") and word[0].lower().rstrip(".") in _ABBREV:
            continue
        spans.append((cursor, m.end()))
        cursor = m.end()
    spans.append((cursor, end))
    return [_trim(text, a, b) for a, b in spans if text[a:b].strip()]


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def tokens(text: str) -> list[str]:
    """Lowercase word tokens with a light plural/verb-ending strip, stop words removed."""
    words = _TOKEN.findall(_POSSESSIVE.sub("", fold(text).lower()))
    return [stem(t) for t in words if t not in STOPWORDS]


def stem(word: str) -> str:
    """A deliberately small stemmer: enough to match 'infusions'/'infusion', 'effects'/'effect'."""
    if len(word) <= 4 or word.isdigit():
        return word
    for suffix, repl in (
        ("ies", "y"),
        ("sses", "ss"),
        ("ness", ""),
        ("ing", ""),
        ("edly", ""),
        ("ed", ""),
        ("es", "e"),
        ("s", ""),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4 and not word.endswith("ss"):
            return word[: len(word) - len(suffix)] + repl
    return word


# Common texting forms and the words they stand for, whole words only. "r" is read as "are" only before
# "you"/"your" ("when r u open"), where it cannot be a letter or an initial.
_SHORTHAND = {
    "u": "you",
    "ur": "your",
    "pls": "please",
    "plz": "please",
    "thx": "thanks",
    "ty": "thank you",
    "appt": "appointment",
    "appts": "appointments",
    "hrs": "hours",
    "whats": "what is",
    "wats": "what is",
    "wat": "what",
    "wen": "when",
    "tmrw": "tomorrow",
}
_SHORT_WORD = re.compile(
    r"(?<![\w'-])(" + "|".join(sorted(_SHORTHAND, key=len, reverse=True)) + r")(?![\w'-]|\.\w)", re.I
)
_R_YOU = re.compile(r"(?<![\w'-])r(?=\s+(u|you|ur|your)(?![\w'-]|\.\w))", re.I)


def expand_shorthand(text: str) -> str:
    """Chat shorthand spelled out ("what r ur hours" -> "what are your hours"); every other word as it was."""
    text = _R_YOU.sub("are", text)
    return _SHORT_WORD.sub(lambda m: _SHORTHAND[m.group(1).lower()], text)
