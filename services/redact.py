"""Redaction of personal details before a patient's words are stored for staff review."""

from __future__ import annotations

import re

_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
RULES = (
    ("[email]", re.compile(r"\b[\w.+-]+@[\w-]+(\.[\w-]+)+\b")),
    (
        "[date]",
        re.compile(
            rf"\b\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b"
            rf"|\b{_MONTH} \d{{1,2}}(st|nd|rd|th)?,? \d{{4}}\b|\b\d{{1,2}}(st|nd|rd|th)? (of )?{_MONTH},? \d{{4}}\b",
            re.I,
        ),
    ),
    ("[phone]", re.compile(r"(?<![\w-])(\+?\d{1,2}[\s.-]?)?(\(\d{3}\)|\d{3})[\s.-]?\d{3}[\s.-]?\d{4}(?![\w-])")),
    (
        r"\1 [name]",
        re.compile(
            r"\b([Mm]y name is|[Mm]y name's|[Ii] am called|[Ii]'m called|[Nn]ame:) "
            r"[A-Za-z][a-z'-]+(?: [A-Z][a-z'-]+)?"
        ),
    ),
    # "call me"/"this is" are everyday phrases: only a Capitalised word after them is taken as a name
    (r"\1 [name]", re.compile(r"\b([Cc]all me|[Tt]his is|[Ii]t's|[Ii] am|[Ii]'m) [A-Z][a-z'-]+(?: [A-Z][a-z'-]+)?\b")),
    ("[date of birth]", re.compile(r"\b(dob|d\.o\.b\.|date of birth|born on|born)\b:?\s*\S+(\s\S+){0,2}", re.I)),
)


def redact(text: str) -> str:
    """Replace emails, phone numbers, dates (of birth) and self-stated names with placeholders."""
    for placeholder, pattern in RULES:
        text = pattern.sub(placeholder, text)
    return text
