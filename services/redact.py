"""Redaction of personal details before a patient's words are stored for staff review.

Patterns of identifiers rather than lists of values: an email, a date, a phone number in any country's
layout, a US social security number, a street address, a record, member or policy number, and a name the
patient gives after "my name is" (any script, either case). A lowercase name after an everyday phrase
("i'm john smith", "maría lópez here") is told from "i'm really worried" by the first and last names of many
countries that the Faker package carries (read once, offline).
"""

from __future__ import annotations

import functools
import importlib
import re

_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_WORD = r"[^\W\d_][^\W\d_'’-]*(?:['’-][^\W\d_]+)*"  # a word of letters in any script ("María", "O'Neil")
_NAMED = re.compile(
    rf"\b(my name is|my name's|i am called|i'm called|name:|my full name is)\s+({_WORD})(\s+{_WORD})?",
    re.I,
)
_NOT_A_SURNAME = {"and", "but", "so", "i", "im", "i'm", "my", "here", "from", "with", "the", "a", "an", "who"}
_STREET = (
    r"street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|terrace|close|crescent"
    r"|highway|hwy|parkway|pkwy|square|sq"
)
_ID_WORDS = (
    r"mrn|medical record|record|chart|patient id|member id|member|policy|insurance|subscriber|group|account"
    r"|claim|case|id|passport|license|licence|nhs|medicare|medicaid"
)
_ID = r"[A-Za-z0-9-]*\d[A-Za-z0-9-]{2,}"  # letters, digits and dashes with a digit in them
RULES = (
    ("[email]", re.compile(r"\b[\w.+-]+@[\w-]+(\.[\w-]+)+\b")),
    ("[ssn]", re.compile(r"(?<![\w-])\d{3}-\d{2}-\d{4}(?![\w-])")),
    (
        "[date]",
        re.compile(
            rf"\b\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b"
            rf"|\b{_MONTH} \d{{1,2}}(st|nd|rd|th)?,? \d{{4}}\b|\b\d{{1,2}}(st|nd|rd|th)? (of )?{_MONTH},? \d{{4}}\b",
            re.I,
        ),
    ),
    # an identifier named as one: "member id XJ4482913", "policy # 88-1932", "MRN: 0048213"
    (
        r"\1 [number]",
        re.compile(rf"\b({_ID_WORDS})\s*(number|no\.?|num|#)?\s*(is|:)?\s*#?\s*{_ID}", re.I),
    ),
    ("[address]", re.compile(rf"\b\d{{1,5}}[a-z]?\s+(?:{_WORD}\s+){{1,3}}(?:{_STREET})\b\.?", re.I)),
    ("[phone]", re.compile(r"(?<![\w-])(\+?\d{1,2}[\s.-]?)?(\(\d{3}\)|\d{3})[\s.-]?\d{3}[\s.-]?\d{4}(?![\w-])")),
    # any other country's layout: a run of digits, spaces, dots, dashes and brackets holding 9 or more digits
    ("[phone]", re.compile(r"(?<![\w-])\+?\(?\d(?:[\d\s().-]*\d){8,}(?![\w-])")),
    ("[number]", re.compile(r"(?<![\w-])\d{7,}(?![\w-])")),  # a long number with no label: an identifier
    # "call me"/"this is" are everyday phrases: only a Capitalised word after them is taken as a name
    (
        r"\1 [name]",
        re.compile(r"\b([Cc]all me|[Tt]his is|[Ii]t's|[Ii] am|[Ii]'m) [A-Z][^\W\d_]+(?: [A-Z][^\W\d_]+)?\b"),
    ),
    ("[date of birth]", re.compile(r"\b(dob|d\.o\.b\.|date of birth|born on|born)\b:?\s*\S+(\s\S+){0,2}", re.I)),
)


# Faker's person providers whose names are written in Latin letters: the languages a clinic's patients most
# often write in here. A name of another script is caught only after "my name is".
_NAME_LOCALES = ("en_US", "en_GB", "en_IE", "en_IN", "es_ES", "es_MX", "fr_FR", "de_DE", "it_IT", "pt_BR", "pl_PL")
_INTRO = r"(?:i'm|i’m|im|i am|this is|it's|it’s|call me|here is|here's)"
_CLAUSE_END = r"\s*(?:[,.;:!?)]|$)|\s+(?:and|here|from|with|again)\b"


@functools.cache
def load_names() -> tuple[frozenset[str], frozenset[str]]:
    """Lowercased first and last names of the locales above (read on the first call only: about 0.4 s)."""
    first: set[str] = set()
    last: set[str] = set()
    for locale in _NAME_LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        first.update(n.lower() for n in getattr(provider, "first_names", ()))
        last.update(n.lower() for n in getattr(provider, "last_names", ()))
    return frozenset(first), frozenset(last)


_INTRODUCED = re.compile(rf"\b({_INTRO})\s+({_WORD})(?:\s+({_WORD}))?", re.I)
_SIGNED = re.compile(rf"(?:^|(?<=[.!?,]\s))({_WORD})(?:\s+({_WORD}))?\s+(here|speaking)\b", re.I)


def _introduced(m: re.Match) -> str:
    """ "i'm john smith" -> "i'm [name]": the word after the phrase is a known first name, and either a known
    last name follows it or the clause ends there ("i'm grace, ..."); "this is art therapy" stays."""
    first, last = load_names()
    given, family = m.group(2).lower(), (m.group(3) or "").lower()
    if given not in first:
        return m.group(0)
    if family in last:
        return f"{m.group(1)} [name]"
    rest = m.group(0)[m.end(2) - m.start(0) :]
    ends = re.match(_CLAUSE_END, m.string[m.end(2) :])
    return f"{m.group(1)} [name]{rest}" if ends else m.group(0)


def _signed(m: re.Match) -> str:
    """ "María López here" -> "[name] here": a known first name, and a known last name if one follows, opening
    the message or a sentence before "here" or "speaking"."""
    first, last = load_names()
    if m.group(1).lower() in first and (m.group(2) is None or m.group(2).lower() in last):
        return f"[name] {m.group(3)}"
    return m.group(0)


def _name(m: re.Match) -> str:
    """A name after "my name is": its first word, and the next one too unless it starts the sentence's rest."""
    rest = m.group(3) or ""
    return f"{m.group(1)} [name]" + (rest if rest.strip().lower() in _NOT_A_SURNAME else "")


def redact(text: str) -> str:
    """Replace emails, numbers that identify someone (phone, SSN, record, member, policy), street addresses,
    dates (of birth) and self-stated names with placeholders."""
    text = _NAMED.sub(_name, text)
    text = _INTRODUCED.sub(_introduced, text)
    text = _SIGNED.sub(_signed, text)
    for placeholder, pattern in RULES:
        text = pattern.sub(placeholder, text)
    return text
