"""What the reader looks at: a question's answer type and focus, and each candidate sentence's fit.

Everything here is about the shape of English questions and answers ("how long" wants a duration,
"how much" wants money), never about one clinic's topic: topic words come only from the articles
being served (their vocabulary and word rarity, through CorpusView).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from bot.core.text import GENERIC, stem

_NUM = (
    r"(?:\d+(?:[.,]\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|"
    r"fifty|sixty|ninety|a few|several|a couple of|half an?|an?)"
)
_UNIT = r"(?:seconds?|minutes?|mins?|hours?|hrs?|days?|nights?|weeks?|months?|years?)"

# What kind of answer a question asks for, read from its wording.
QUESTION_TYPES: dict[str, re.Pattern] = {
    "duration": re.compile(
        r"\bhow long\b|\bhow many (?:minutes|hours|days|weeks|months|years)\b|\bduration\b|\blast(?:s)?\b\??$", re.I
    ),
    "cost": re.compile(
        r"\bhow much\b(?! (?:time|sleep|water|weight|fluid|activity|exercise))|\bcosts?\b|\bprice|\bpay\b|"
        r"\bpaying\b|\bafford|\binsurance\b|\binsured\b|\bcovered\b|\bcover\b|\bcopay|\bexpensive|\bfees?\b|\bbill",
        re.I,
    ),
    "count": re.compile(
        r"\bhow (?:many|often)\b|\bhow frequent|\bnumber of\b|\bper (?:week|day|month|year)\b|\bevery how", re.I
    ),
    "when": re.compile(
        r"\bwhen\b|\bwhat time\b|\bhow (?:soon|early|late)\b|\bby when\b|\bwhat age\b|\bhow old\b", re.I
    ),
    "yesno": re.compile(
        r"^\W*(?:so |and |but |ok(?:ay)?,? )?(?:can|could|is|are|do|does|should|will|would|may|am|must|"
        r"did|has|have|was|were)\b",
        re.I,
    ),
    "where": re.compile(r"\bwhere\b", re.I),
    "who": re.compile(r"\bwho\b|\bwhich (?:people|patients|kids|children)\b|\bcandidates?\b|\beligible\b", re.I),
    "why": re.compile(r"\bwhy\b|\breason\b", re.I),
}

# What a sentence offers, by its shape.
SENTENCE_TYPES: dict[str, re.Pattern] = {
    "duration": re.compile(
        rf"\b{_NUM}(?:\s*(?:to|-|or|and)\s*{_NUM})?[\s-]*{_UNIT}\b|\b(?:overnight|all day|half a day|"
        rf"a few (?:minutes|hours|days|weeks))\b",
        re.I,
    ),
    "cost": re.compile(
        r"\$\s?\d|\b(?:costs?|price|fees?|pay|paid|payment|insurance|insurers?|covered|coverage|copays?|"
        r"deductible|out-of-pocket|financing|dollars?|billed|billing|medicare|medicaid|hsa|fsa|self-pay)\b",
        re.I,
    ),
    "count": re.compile(
        rf"\b{_NUM}\s+(?:\w+\s+){{0,2}}(?:times|sessions?|visits?|treatments?|appointments?|doses?|shots?|"
        rf"injections?|rounds?|cycles?|procedures?|weeks?|months?)\b|\b(?:once|twice|daily|weekly|monthly|"
        rf"per (?:day|week|month|year)|every (?:day|week|month|year|\d+|other))\b|\b\d+\b",
        re.I,
    ),
    "when": re.compile(
        r"\b(?:before|after|within|until|by|at|during|from)\s+(?:the |your |a |an )?(?:\d|\w+ (?:day|week|hour|"
        r"month|night|morning|evening|visit|appointment|procedure|surgery|treatment)s?)|\b\d{1,2}(?::\d\d)?\s*"
        r"(?:am|pm|a\.m\.|p\.m\.)|\b(?:morning|evening|night|tonight|tomorrow|weekend|monday|tuesday|wednesday|"
        r"thursday|friday|saturday|sunday|age|years old|months old)\b",
        re.I,
    ),
    "yesno": re.compile(
        r"\b(?:can|cannot|can't|could|should|shouldn't|must|may|do not|don't|avoid|safe|never|not|okay|"
        r"ok|fine|allowed|recommend(?:ed)?|need to|needs to|will|won't|is|are)\b",
        re.I,
    ),
    "where": re.compile(
        r"\b(?:at (?:our|the|home|a|an)|in (?:our|the|a)|clinic|office|center|centre|hospital|pharmacy|"
        r"location|room|online|lab|suite|floor|building)\b",
        re.I,
    ),
    "who": re.compile(
        r"\b(?:people|patients|anyone|adults|children|kids|women|men|those|candidates?|if you (?:have|are)|"
        r"who|teens?|infants?|babies|adolescents)\b",
        re.I,
    ),
    "why": re.compile(
        r"\b(?:because|so that|so your|so you|helps?|in order to|reasons?|due to|since|which (?:helps|means|"
        r"reduces|lowers|allows))\b",
        re.I,
    ),
}
TYPES = tuple(QUESTION_TYPES)
SPECIFIC = ("duration", "cost", "count", "when")  # answer types a sentence plainly has or lacks
GENERIC_STEMS = frozenset(stem(w) for w in GENERIC)
FEATURES = (
    "dense",
    "dense_rel",
    "matched",
    "matched_rel",
    "chunk_dense",
    "chunk_rank",
    "coverage",
    "coverage_rel",
    "context_coverage",
    "rare_hit",
    "faq_question",
    "section_coverage",
    "type_match",
    "type_miss",
    *(f"match_{t}" for t in SPECIFIC),
    "log_words",
    "list_item",
    "is_question",
    "ends_colon",
    "centrality",
    "first_in_chunk",
    "has_number",
    "leaning_coverage",
)
COLUMN = {name: i for i, name in enumerate(FEATURES)}


def question_types(question: str) -> frozenset[str]:
    """The answer types a question asks for ("how long does it take?" -> duration)."""
    text = question.strip()
    return frozenset(t for t, pattern in QUESTION_TYPES.items() if pattern.search(text))


@lru_cache(maxsize=16384)
def sentence_types(sentence: str) -> frozenset[str]:
    """The answer types a sentence can supply (kept per sentence text: a served corpus's sentences come back
    question after question, and these patterns were a twentieth of an answer's time)."""
    return frozenset(t for t, pattern in SENTENCE_TYPES.items() if pattern.search(sentence))


@dataclass(frozen=True)
class Focus:
    """The question's topical words (corpus forms included) and how rare each is in the articles."""

    weights: dict[str, float]
    forms: dict[str, frozenset[str]]
    rarest: str

    @classmethod
    def of(cls, question_tokens: list[str], view) -> "Focus":
        # sorted, so sums and ties come out the same in every process (set order depends on the hash seed)
        topical = sorted({t for t in question_tokens if len(t) > 2 and t not in GENERIC_STEMS})
        weights = {t: view.idf(t) for t in topical}
        forms = {t: view.variants(t) for t in topical}
        known = {t: w for t, w in weights.items() if view.knows(t)}
        rarest = max(known, key=lambda t: (known[t], t)) if known else ""
        return cls(weights, forms, rarest)

    def coverage(self, words: set[str]) -> float:
        """idf-weighted share of the focus words that `words` contains, in any form."""
        total = sum(self.weights.values())
        if not total:
            return 0.0
        return sum(w for t, w in self.weights.items() if not self.forms[t].isdisjoint(words)) / total

    def has_rarest(self, words: set[str]) -> float:
        return float(bool(self.rarest) and not self.forms[self.rarest].isdisjoint(words))


def candidate_rows(question: str, focus: Focus, pool: list, view) -> np.ndarray:
    """One feature row per candidate, columns in FEATURES order. `pool` holds (sentence, chunk, evidence,
    dense, chunk_rank, matched) for every sentence of the retrieved chunks."""
    qtypes = question_types(question)
    wanted = qtypes & set(SPECIFIC)
    rows = []
    for sentence, chunk, ev, dense, rank, matched in pool:
        words, heading = view.sentence_words(sentence), view.heading_words(chunk)
        at = chunk.index_of(sentence)
        before = view.sentence_words(chunk.sentences[at - 1]) if at else frozenset()
        asked_before = at and chunk.sentences[at - 1].text.rstrip().endswith("?")
        stypes = sentence_types(sentence.text)
        text = sentence.text.rstrip()
        row = {
            "dense": dense,
            "dense_rel": 0.0,
            "matched": matched,
            "matched_rel": 0.0,
            "chunk_dense": ev.dense,
            "chunk_rank": 1.0 / rank,
            "coverage": focus.coverage(words),
            "coverage_rel": 0.0,
            "context_coverage": focus.coverage(words | heading),
            "rare_hit": focus.has_rarest(words),
            "faq_question": focus.coverage(before) if asked_before else 0.0,
            "section_coverage": focus.coverage(heading),
            "type_match": float(bool(qtypes & stypes)),
            "type_miss": float(bool(wanted) and not wanted & stypes),
            **{f"match_{t}": float(t in qtypes and t in stypes) for t in SPECIFIC},
            "log_words": np.log1p(len(sentence.text.split())),
            "list_item": float(_is_list_item(sentence, chunk)),
            "is_question": float(text.endswith("?")),
            "ends_colon": float(text.endswith(":")),
            "centrality": float(view.centrality[view.sentence_index[sentence.id]]),
            "first_in_chunk": float(at == 0),
            "has_number": float(bool(re.search(r"\d", sentence.text))),
            # "This phase usually lasts three to six months": a sentence leaning on the one before it is
            # about what that one names
            "leaning_coverage": focus.coverage(words | before)
            if _LEANS.match(sentence.text)
            else focus.coverage(words),
        }
        rows.append([row[f] for f in FEATURES])
    out = np.asarray(rows, dtype=np.float32).reshape(len(rows), len(FEATURES))
    if len(out):  # how each sentence compares with the best of the pool: ranking is relative
        for name in ("dense", "matched", "coverage"):
            out[:, COLUMN[f"{name}_rel"]] = out[:, COLUMN[name]] - out[:, COLUMN[name]].max()
    return out


_LEANS = re.compile(r"^(this|these|that|those|it|they|such|both|each|the procedure|the process)\b", re.I)


def _is_list_item(sentence, chunk) -> bool:
    """Whether the sentence was a '- ' item in the article (the chunk text keeps the marker)."""
    offset = sentence.start - chunk.start
    return chunk.text[max(0, offset - 2) : offset] == "- "
