"""Everyday chat shorthand reaches the clinic's own details; ordinary questions are read as before."""

from __future__ import annotations

import pytest

from bot.clinic.profile import ClinicProfile
from bot.core.text import expand_shorthand

PROFILE = ClinicProfile(
    name="Test Clinic",
    phone="(555) 000-1111",
    hours="Monday to Friday, 9 to 5",
    address="1 Main Street",
    booking="https://clinic.example/book",
)


@pytest.mark.parametrize(
    "question, detail",
    [
        ("what are ur hours", "hours"),
        ("when r u open", "hours"),
        ("what r ur hours", "hours"),
        ("WHEN R U OPEN?", "hours"),
        ("where r u", "address"),
        ("whats ur phone number", "phone"),
        ("how do i book an appt", "booking"),
        ("can i make an appt pls", "booking"),
        ("wat r ur hrs", "hours"),
    ],
)
def test_shorthand_questions_get_the_clinics_details(question, detail):
    assert detail in PROFILE.asked_for(question)
    answer = PROFILE.answer(question, PROFILE.asked_for(question))
    assert any(c.section and c.quote == getattr(PROFILE, detail) for c in answer.citations)


# ordinary questions in the same words (the contact-intent model is held to them too: tests/model)
ORDINARY = [
    "how many hours does the treatment last",
    "how many hrs does the treatment last",
    "are the effects felt within hours",
    "r there side effects",
    "is vitamin u real",
    "what does the ur- prefix mean in urology",
]


@pytest.mark.parametrize("question", ORDINARY)
def test_ordinary_questions_are_not_read_as_the_clinics_details(question):
    assert PROFILE.asked_for(question) == []


def test_only_whole_common_words_are_spelled_out():
    assert expand_shorthand("when r u open, thx") == "when are you open, thanks"
    assert expand_shorthand("what r ur hours") == "what are your hours"
    # inside other words, initials and apostrophes: unchanged
    assert expand_shorthand("user your turn r-value you're U.S. bur r") == "user your turn r-value you're U.S. bur r"
    assert expand_shorthand("how many hours does it last") == "how many hours does it last"
