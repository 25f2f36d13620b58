"""An answer's decisions in the words a nurse-manager reads: how well the best sentence matches the question,
how close the best passage is in meaning, and whether the assistant was sure enough to answer. Numbers appear
only as counts ("3 of the question's 4 key words")."""

from __future__ import annotations

from bot.core.text import GENERIC, STOPWORDS, stem, tokens

# How close the best passage is in meaning (the embedder's cosine). Display words only: no decision is taken
# on them. From 0.5 a passage is about the same thing; below 0.3 it shares little more than the topic.
CLOSE, PARTIAL = 0.5, 0.3


def key_words(text: str) -> list[str]:
    """The words that carry a question's meaning: not the little words, not everyday filler."""
    return list(dict.fromkeys(t for t in tokens(text) if len(t) > 2 and t not in STOPWORDS and t not in GENERIC))


def matched(question: str, sentence: str) -> tuple[int, int]:
    """(how many of the question's key words the sentence has, in any form; how many key words it has)."""
    asked = key_words(question)
    have = {stem(t) for t in tokens(sentence)}
    return sum(stem(t) in have for t in asked), len(asked)


def closeness(cosine: float) -> str:
    """How close in meaning, in a word: close, partial or weak."""
    return "close" if cosine >= CLOSE else "partial" if cosine >= PARTIAL else "weak"


def explain(question: str, trace: dict) -> list[str]:
    """Plain sentences about the decisions behind one answer, from its trace."""
    lines = []
    evidence = trace.get("evidence") or []
    if evidence:
        best = evidence[0]
        lines.append(f"The best passage found was a {closeness(best.get('dense', 0.0))} match in meaning.")
    compose = trace.get("compose") or {}
    sentences = compose.get("sentences") or []
    if sentences:
        hit, total = matched(question, sentences[0]["text"])
        lines.append(
            f"The best sentence matched {hit} of the question's {total} key words."
            if total
            else "The question has no key words of its own, so the match rests on its meaning."
        )
    if compose:
        lines.append(
            "The assistant was not sure the articles answer this, so it said so instead of guessing."
            if compose.get("abstain")
            else "The assistant was sure enough that the articles answer this to quote them."
        )
    return lines
