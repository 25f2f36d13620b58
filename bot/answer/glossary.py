"""Plain-language glossary: the clinic's own definitions, attached once to answers that use a term."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

MAX_TERMS = 3  # more than a few definitions would bury the answer itself


@dataclass(frozen=True)
class Term:
    term: str
    definition: str
    pattern: re.Pattern


class Glossary:
    """Finds glossary terms in a text (whole words, longest first; short ALL-CAPS forms match case)."""

    def __init__(self, terms: list[Term]):
        self.terms = terms

    @classmethod
    def load(cls, path: Path) -> "Glossary":
        """Read corpus/_glossary.yml; a missing file means no glossary, a broken one says why."""
        if not path.exists():
            return cls([])
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ValueError(f"{path} is not valid YAML: {str(exc).splitlines()[0]}") from None
        terms = [_term(entry) for entry in data.get("terms", []) if entry.get("term") and entry.get("definition")]
        return cls(sorted(terms, key=lambda t: -len(t.term)))

    def find(self, text: str) -> list[tuple[str, str]]:
        """(term, definition) pairs for terms in text, in order of appearance, each once."""
        hits, taken = [], []
        for term in self.terms:
            for m in term.pattern.finditer(text):
                if not any(a <= m.start() < b for a, b in taken):
                    hits.append((m.start(), term))
                    taken.append((m.start(), m.end()))
                    break
        seen, out = set(), []
        for _, term in sorted(hits, key=lambda h: h[0]):
            if term.term not in seen:
                seen.add(term.term)
                out.append((term.term, term.definition))
        return out[:MAX_TERMS]


def _term(entry: dict) -> Term:
    names = [str(entry["term"])] + [str(a) for a in entry.get("aliases") or []]
    parts = []
    for name in sorted(set(names), key=len, reverse=True):
        core = re.escape(name)
        # "IV" must not match inside "give": short all-caps forms match their case only
        parts.append(core if name.isupper() and len(name) <= 5 else f"(?i:{core})")
    return Term(
        str(entry["term"]),
        str(entry["definition"]).strip(),
        re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w-])"),
    )
