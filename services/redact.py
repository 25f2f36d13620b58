"""Redaction of personal details before a patient's words are stored for staff review.

Patterns of identifiers rather than lists of values: an email, a date, a phone number in any country's
layout, a US social security number, a street address, a record, member or policy number, and a name the
patient gives after "my name is" (any script, either case). What is left out: a lowercase name after an
everyday phrase ("i'm john smith"), which no pattern tells from "i'm really worried".
"""

from __future__ import annotations

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


def _name(m: re.Match) -> str:
    """A name after "my name is": its first word, and the next one too unless it starts the sentence's rest."""
    rest = m.group(3) or ""
    return f"{m.group(1)} [name]" + (rest if rest.strip().lower() in _NOT_A_SURNAME else "")


def redact(text: str) -> str:
    """Replace emails, numbers that identify someone (phone, SSN, record, member, policy), street addresses,
    dates (of birth) and self-stated names with placeholders."""
    text = _NAMED.sub(_name, text)
    for placeholder, pattern in RULES:
        text = pattern.sub(placeholder, text)
    return text
