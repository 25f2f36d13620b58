"""Issue 24's routes on a reader whose readings the test sets per text: a risk said in one part of a longer
message is found however the whole reads; worry without danger gets the `support` kind; a request to act as the
clinician is refused with its own reply. The real model's behaviour is measured in benchmarks/guard_fresh.py."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from bot.guard.decide import Guard
from bot.guard.verdict import LABELS

WORDS = {
    "allowed": [
        "what does the treatment do",
        "everyone would be better off if i was gone",
        "how long is the visit whats the limit on fluids each day and can i drink tea",
    ]
}


class TextReader:
    """Reads a text as `risky` when it holds `marker`, else as `whole`; topic heads are given per text too."""

    def __init__(self, marker: str, risky: dict, whole: dict, topics: dict | None = None):
        self.config = SimpleNamespace(labels=LABELS, topics=())
        self.marker, self.risky, self.whole, self.topic_values = marker, risky, whole, topics or {}
        self.seen: list[list[str]] = []

    def _row(self, text: str) -> list[float]:
        probs = self.risky if self.marker in text and text.strip() == self.marker else self.whole
        return [probs.get(label, 0.0) for label in LABELS]

    def read(self, texts):
        self.seen.append(list(texts))
        topics = {name: np.full(len(texts), value) for name, value in self.topic_values.items()}
        return np.array([self._row(t) for t in texts]), topics

    def read_message(self, whole, parts):
        return self.read([whole, *parts])

    def scores(self, texts):
        return [dict(zip(LABELS, row, strict=False)) for row in self.read(texts)[0]]


ORDINARY = {"allowed": 0.86, "crisis": 0.12, "refused": 0.01, "off_topic": 0.01}  # leans crisis a little


def test_a_crisis_sentence_beside_an_ordinary_question_is_found_in_one_pass():
    message = "everyone would be better off if i was gone. what does the treatment do"
    # the whole message reads as ordinary, leaning crisis a little; its first sentence alone reads as crisis
    reader = TextReader("everyone would be better off if i was gone", {"crisis": 0.9, "allowed": 0.1}, ORDINARY)
    guard = Guard(reader, WORDS)
    assert guard.run(message).kind == "crisis"
    # one batched pass: the whole message and its sentence of risk (the treatment question, in the clinic's
    # words, is not read alone)
    assert reader.seen == [[message, "everyone would be better off if i was gone"]]


def test_a_crisis_stretch_in_a_message_typed_without_stops_is_found():
    message = "how long is the visit whats the limit on fluids each day can i drink tea everyone would be better off"
    reader = TextReader("", {}, ORDINARY)
    crisis_words = set("everyone would be better off".split())
    reader._row = lambda t: (  # a stretch (12 words at most) holding the risk reads as crisis on its own
        [{"crisis": 0.9, "allowed": 0.1}.get(label, 0.0) for label in LABELS]
        if crisis_words <= set(t.split()) and len(t.split()) <= 12
        else [ORDINARY.get(label, 0.0) for label in LABELS]
    )
    assert Guard(reader, WORDS).run(message).kind == "crisis"


def test_a_fragment_read_as_crisis_does_not_count_when_the_whole_reads_none():
    message = "my wife would have wanted me to try this. what does the treatment do"
    calm = {"allowed": 0.99, "crisis": 0.01}
    reader = TextReader("my wife would have wanted me to try this", {"crisis": 0.96, "allowed": 0.04}, calm)
    assert Guard(reader, WORDS).run(message).kind == "allowed"


def test_worry_without_danger_gets_support_and_a_clear_question_does_not():
    worried = TextReader("x", {}, {"support": 0.8, "allowed": 0.15, "crisis": 0.05})
    assert Guard(worried, WORDS).run("what does the treatment do").kind == "support"
    assert Guard(TextReader("x", {}, ORDINARY), WORDS).run("what does the treatment do").kind == "allowed"


def test_real_risk_outranks_support():
    reader = TextReader("x", {}, {"crisis": 0.55, "support": 0.45})
    assert Guard(reader, WORDS).run("what does the treatment do").kind == "crisis"


def test_a_request_to_act_as_the_clinician_is_refused_with_its_own_topic():
    acting = TextReader("x", {}, {"refused": 0.9, "allowed": 0.1}, topics={"clinician_role": 0.8})
    verdict = Guard(acting, WORDS).run("what does the treatment do")
    assert (verdict.kind, verdict.topic) == ("refused", "clinician_role")
    misuse = TextReader("x", {}, {"refused": 0.9, "allowed": 0.1}, topics={"clinician_role": 0.1})
    assert Guard(misuse, WORDS).run("what does the treatment do").topic == ""


def test_a_date_does_not_undo_an_emergency_the_reader_is_sure_of():
    # "ago" and "yesterday" are words of the past, but the danger is now: a sure reading stands
    # the whole message reads as an emergency; none of its parts does on its own
    parts = {"allowed": 0.9, "emergency": 0.05, "crisis": 0.05}
    message = "stopped drinking 2 days ago, can't stop shaking and i'm seeing bugs on the wall"
    reader = TextReader(message, {"emergency": 0.97, "allowed": 0.03}, parts)
    assert Guard(reader, WORDS).run(message).kind == "emergency"
    # an unsure one, beside words of a lasting condition, is an ordinary question about it
    message = "my blood pressure is normally low, is that a problem"
    reader = TextReader(message, {"emergency": 0.6, "allowed": 0.4}, parts)
    assert Guard(reader, WORDS).run(message).kind == "allowed"


class PartsReader(TextReader):
    """Reads each text as given in `readings`, the whole message as `whole`, and any other part as ordinary."""

    def __init__(self, message: str, whole: dict, readings: dict[str, dict]):
        super().__init__(message, whole, {"allowed": 0.97, "crisis": 0.01, "emergency": 0.01, "refused": 0.01})
        self.readings = readings

    def _row(self, text: str) -> list[float]:
        probs = self.readings.get(text.strip())
        return [probs.get(label, 0.0) for label in LABELS] if probs else super()._row(text)


def test_crisis_and_emergency_likelier_than_not_are_never_let_through():
    message = "i have big pain in the middle and i sweat very much and i want to vomit. could it be the tablets"
    assert Guard(None, WORDS).run(message).kind == "allowed"  # no rule sees a danger here: the reader must
    first = "i have big pain in the middle and i sweat very much and i want to vomit"
    # the whole reads crisis first, under its floor, and emergency second: danger together at 0.77
    whole = {"crisis": 0.44, "emergency": 0.33, "allowed": 0.16, "refused": 0.07}
    reader = PartsReader(message, whole, {first: {"emergency": 0.78, "crisis": 0.17, "allowed": 0.05}})
    verdict = Guard(reader, WORDS).run(message)
    # the part that reads as an emergency makes it the stronger of the two
    assert verdict.kind == "emergency"
    # with no part reading either way, crisis is the stronger, and its reply names 911 too
    assert Guard(PartsReader(message, whole, {}), WORDS).run(message).kind == "crisis"
    # danger under even odds is a question
    leaning = {"crisis": 0.30, "emergency": 0.15, "allowed": 0.55}
    assert Guard(PartsReader(message, leaning, {}), WORDS).run(message).kind == "allowed"


def test_a_crisis_part_that_does_not_count_does_not_hide_an_emergency():
    first = "my waters broke and something soft is coming out down there"
    second = "i am alone at home please what do i do"
    message = f"{first}. {second}"
    readings = {first: {"emergency": 0.98, "allowed": 0.02}, second: {"crisis": 0.95, "allowed": 0.05}}
    # the whole reads as worry, leaning an emergency's way; the second sentence alone misreads as crisis, but the
    # whole reads no crisis, so it does not count, and the emergency in the first must not be lost
    whole = {"support": 0.81, "emergency": 0.16, "crisis": 0.01, "allowed": 0.02}
    assert Guard(PartsReader(message, whole, readings), WORDS).run(message).kind == "emergency"
    # a crisis part that counts (the whole leans crisis too) is judged first: its reply names 911 as well
    whole = {"support": 0.6, "emergency": 0.16, "crisis": 0.2, "allowed": 0.04}
    assert Guard(PartsReader(message, whole, readings), WORDS).run(message).kind == "crisis"


def test_an_emergency_pattern_yields_only_to_a_reader_sure_there_is_none():
    message = "some days the fatigue is so bad i feel like i'm dying. is that part of long covid"
    sure = {"allowed": 0.97, "emergency": 0.004, "crisis": 0.004}
    # a rule sees an emergency in so many words; the reader, whole and in every part, is sure there is none
    assert Guard(TextReader("none", {}, sure), WORDS).run(message).kind == "allowed"
    # a reader that leans an emergency's way at all leaves the rule's verdict standing
    leaning = {"allowed": 0.8, "emergency": 0.14, "crisis": 0.02}
    assert Guard(TextReader("none", {}, leaning), WORDS).run(message).kind == "emergency"
    # one part that reads as an emergency first does not stand against a whole the reader is sure is a question
    part = "some days the fatigue is so bad i feel like i'm dying"
    reader = TextReader(part, {"emergency": 0.6, "allowed": 0.4}, sure)
    assert Guard(reader, WORDS).run(message).kind == "allowed"
    # it stands when the whole is no question it is sure of ("the oximeter says 81% and dropping, what do we do"
    # reads whole as a request to read results)
    request = {"refused": 0.9, "allowed": 0.08, "emergency": 0.01, "crisis": 0.01}
    reader = PartsReader(message, request, {part: {"emergency": 0.6, "allowed": 0.4}})
    assert Guard(reader, WORDS).run(message).kind == "emergency"
    # without a reader (rules only), the pattern decides
    assert Guard(None, WORDS).run(message).kind == "emergency"
