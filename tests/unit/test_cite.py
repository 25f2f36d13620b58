"""A citation's quote is the article's own words: neighbouring sentences share one only within a paragraph."""

from __future__ import annotations

from bot.answer.compose import cite
from bot.answer.reader import Candidate
from bot.core.records import Chunk, Sentence

# the cleaner dropped a heading between the list item and the paragraph ("Get your home ready" read as a
# call to action), so the chunk runs over it
TEXT = "- Tylenol is fine before surgery.\n\nFor 2 weeks you cannot lift your arms. Plan ahead with help."


def _chunk() -> Chunk:
    spans = [(2, 33), (35, 73), (74, len(TEXT))]
    sentences = tuple(Sentence(f"s{i}", "c0", "a.html", a, b, TEXT[a:b].lstrip("- ")) for i, (a, b) in enumerate(spans))
    return Chunk("c0", "a.html", "Before surgery", "Medicines", 0, 0, len(TEXT), TEXT, sentences)


def _picked(*which: int) -> list[Candidate]:
    chunk = _chunk()
    return [Candidate(chunk.sentences[i], chunk, 1.0, 0.5, 0.5) for i in which]


def test_sentences_of_one_paragraph_share_one_quote():
    text, citations = cite(_picked(1, 2))
    assert text == "For 2 weeks you cannot lift your arms. Plan ahead with help. [1]"
    assert [c.quote for c in citations] == ["For 2 weeks you cannot lift your arms. Plan ahead with help."]


def test_a_quote_never_runs_over_a_paragraph_break():
    text, citations = cite(_picked(0, 1))
    assert text == "Tylenol is fine before surgery. [1] For 2 weeks you cannot lift your arms. [2]"
    assert [c.quote for c in citations] == [
        "Tylenol is fine before surgery.",
        "For 2 weeks you cannot lift your arms.",
    ]
