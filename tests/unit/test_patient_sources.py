"""Sources under an answer: each article section listed once, its title never repeated as its section."""

from __future__ import annotations

import re

from bot.core.records import Answer, Citation
from webui.render import answer_html


def _sources(shown: str) -> list[str]:
    return re.findall(r"<li>(.*?)<details>", shown)


def test_a_section_named_as_the_article_is_not_repeated():
    title = "Ketamine, A New Purpose"
    shown = answer_html(
        Answer("q", "answer", "It helps [1].", [Citation(1, "a.txt", title, f" {title.upper()} ", "It helps.")])
    )
    (line,) = _sources(shown)
    assert line == '<a href="/articles/a.txt" target="_blank" rel="noopener noreferrer">[1] Ketamine, A New Purpose</a>'


def test_a_section_that_adds_something_is_shown():
    shown = answer_html(Answer("q", "answer", "Yes [1].", [Citation(1, "a.txt", "Guide", "Side effects", "Yes.")]))
    assert _sources(shown) == [
        '<a href="/articles/a.txt" target="_blank" rel="noopener noreferrer">[1] Guide</a>, Side effects'
    ]


def test_two_citations_of_one_section_are_listed_once_with_both_numbers():
    citations = [
        Citation(1, "a.txt", "Guide", "Dosing", "First quote."),
        Citation(2, "b.txt", "Other", "Dosing", "Second quote."),
        Citation(3, "a.txt", "Guide", "Dosing", "Third quote."),
    ]
    shown = answer_html(Answer("q", "answer", "One [1]. Two [2]. Three [3].", citations))
    lines = _sources(shown)
    assert len(lines) == 2 and ">[1] [3] Guide</a>, Dosing" in lines[0] and ">[2] Other</a>, Dosing" in lines[1]
    assert "Show the words quoted from sources 1 and 3" in shown and "Show the words quoted from source 2" in shown
    assert all(q in shown for q in ("First quote.", "Second quote.", "Third quote."))  # every quote still shown
    assert all(f"<strong>[{n}]</strong>" in shown for n in (1, 2, 3))  # the markers in the answer are unchanged
