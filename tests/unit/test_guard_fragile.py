"""`Guard.fragile` both ways, on a reader whose probabilities the test sets: a verdict a small nudge would
change is fragile, one far from every floor is not (the real model's cases are in tests/model)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from bot.guard.decide import Guard
from bot.guard.text import printable
from bot.guard.verdict import LABELS

WORDS = {"allowed": ["can i bring my own blanket to the visit", "is there parking near the entrance"]}


class FixedReader:
    """A stand-in for the guard's learned reader that gives every text the same label probabilities."""

    def __init__(self, **probabilities: float):
        self.config = SimpleNamespace(labels=LABELS, topics=())
        self.row = np.array([probabilities.get(label, 0.0) for label in LABELS])

    def read(self, texts):
        return np.tile(self.row, (len(texts), 1)), {}

    def read_message(self, whole, parts):
        return self.read([whole, *parts])

    def scores(self, texts):
        return [dict(zip(LABELS, map(float, self.row), strict=False)) for _ in texts]


def test_a_verdict_just_below_a_floor_is_fragile():
    # refused is the likeliest label but under its floor (0.60): the message passes, and +0.05 would refuse it
    guard = Guard(FixedReader(refused=0.57, allowed=0.43), WORDS)
    assert guard.run("can i bring my own blanket to the visit").kind == "allowed"
    assert guard.fragile("can i bring my own blanket to the visit")


def test_a_verdict_far_from_every_floor_is_not_fragile():
    guard = Guard(FixedReader(allowed=0.97, refused=0.01, off_topic=0.01, crisis=0.005, emergency=0.005), WORDS)
    assert guard.run("is there parking near the entrance").kind == "allowed"
    assert not guard.fragile("is there parking near the entrance")


@pytest.mark.parametrize(
    "message,seen",
    [
        ("і wаnt tо kіll mysеlf", "i want to kill myself"),  # Cyrillic і, а, о, е
        ("\u202eflesym llik ot tnaw i", "i want to kill myself"),  # shown reversed by a right-to-left override
        ("Ι ΑΜ ΤΟΟ ΤΙRΕD", "I AM TOO TIRED"),  # Greek capitals
        ("привет, как дела?", "привет, как дела?"),  # real Cyrillic stays Cyrillic
    ],
)
def test_look_alike_letters_and_reversed_text_are_read_as_a_person_sees_them(message, seen):
    """Issue 24: a crisis typed in Cyrillic look-alikes, or as reversed right-to-left text, was `invalid`."""
    assert printable(message) == seen
