"""The clinic profile (corpus/_clinic.yml): contact questions answered from it and cited as the clinic's details,
fixed messages carry its details, and other practices' calls to action in articles are never quoted."""

from __future__ import annotations

import re

import pytest

from bot.clinic.files import clinic_texts, load_clinic
from bot.clinic.messages import Messages
from bot.clinic.profile import ClinicProfile, ProfileError, is_contact_chrome
from tests.conftest import CORPUS

HARBOR = """name: Harbor Clinic
phone: (555) 010-0199
hours: Tuesday to Saturday, 9 am to 6 pm
address: 7 Quay Road, Portsmouth
booking: https://harbor.example/book
crisis_line: "116 123"
emergency_number: "999"
topic: sleep care
scope: sleep studies, CPAP and what to expect at a visit
"""


def test_contact_questions_are_recognised_and_content_questions_are_not():
    profile = ClinicProfile.parse(HARBOR)
    assert profile.asked_for("what is the clinic phone number?") == ["phone"]
    assert profile.asked_for("how do I book an appointment?") == ["phone", "booking"]
    assert profile.asked_for("what are your hours, are you open on weekends") == ["hours"]
    assert profile.asked_for("where is the clinic located?") == ["address"]
    # a detail's bare name, typed alone into the chat box
    assert profile.asked_for("hours?") == ["hours"]
    assert profile.asked_for(" Address ") == ["address"]
    for question in (
        "hours after the infusion?",
        "how many hours does it take",
        "are there follow up appointments after the treatment course",
        "what happens at my first appointment",
        "how long does a visit take",
        "can I call my doctor if side effects start",
    ):
        assert profile.asked_for(question) == [], question


@pytest.mark.parametrize(
    "text,reason",
    [
        ("name: [unclosed", "not valid"),
        ("- a\n- b", "'name: value' lines"),
        ("name: X\nphone: 1\nfax: 2", "does not know: fax"),
        ("name: X", "needs at least a name and a phone number or booking link"),
        ("name: X\nphone: 1\nstarters: just one", "starters must be a list"),
    ],
)
def test_a_broken_profile_says_what_to_fix(text, reason):
    with pytest.raises(ProfileError, match=re.escape(reason)):
        ClinicProfile.parse(text)


def test_every_fixed_message_takes_the_clinics_details(settings):
    messages = Messages.load(settings, ClinicProfile.parse(HARBOR))
    assert "Harbor Clinic" in messages.text("notice") and "(555) 010-0199" in messages.text("notice")
    assert (
        "116 123" in messages.text("crisis")
        and "999" in messages.text("emergency")
        and "988" not in messages.text("crisis")
    )
    assert "(555) 010-0199" in messages.text("no_answer") and "sleep studies" in messages.text("off_topic")
    assert "116 123" in messages.text("slow_down") and "999" in messages.text("notice")


def test_the_shipped_messages_name_no_clinics_topic(settings):
    raw = (Messages.load.__globals__["DEFAULT"]).read_text(encoding="utf-8").lower()
    assert "ketamine" not in raw  # a clinic's words live in its own files (corpus/_clinic.yml)


def test_calls_to_action_of_the_practices_that_wrote_the_articles_are_site_chrome():
    assert is_contact_chrome(
        "Whether you're dealing with depression, call us at 262-484-4035 or request an appointment online."
    )
    assert is_contact_chrome("Schedule a consultation today to learn more.")
    assert not is_contact_chrome("An IV infusion usually takes 40-60 minutes.")
    # a help line is not a phone number
    assert not is_contact_chrome("Patients should call 911 if symptoms are severe.")


def test_the_shipped_profile_quotes_are_what_citations_may_quote():
    texts = clinic_texts(CORPUS)
    profile = ClinicProfile.load(CORPUS)
    assert profile.phone in texts["_clinic.yml"] and profile.hours in texts["_clinic.yml"]


@pytest.mark.slow
def test_contact_questions_get_the_clinics_own_details_not_an_articles(corpus_bot):
    for question in (
        "what is the clinic phone number?",
        "how do I book an appointment?",
        "whats the phone number to book at lakeshore",
    ):
        answer = corpus_bot.ask(question)
        assert answer.kind == "answer" and "262-484-4035" not in answer.answer, (question, answer.answer)
        assert "(555) 010-0123" in answer.answer and {c.source for c in answer.citations} == {"_clinic.yml"}
        assert all(c.title == "Riverside Clinic: contact details" for c in answer.citations)
    hours = corpus_bot.ask("what are your hours, are you open on weekends")
    assert "Monday to Friday" in hours.answer and hours.citations[0].section == "Opening hours"


@pytest.mark.slow
def test_no_answer_quotes_another_practices_phone_number(corpus_bot):
    answer = corpus_bot.ask("can ketamine help with depression, anxiety or ptsd at your practice?")
    assert "262-484-4035" not in answer.answer and "call us" not in answer.answer.lower()


@pytest.mark.slow
def test_a_crisis_is_never_answered_from_the_profile(corpus_bot):
    answer = corpus_bot.ask("i want to kill myself, what is your phone number")
    assert answer.kind == "crisis" and "988" in answer.answer and "(555) 010-0123" not in answer.answer


def test_the_profile_loads_beside_the_articles(settings, corpus_copy):
    (corpus_copy / "_clinic.yml").write_text(HARBOR)
    clinic = load_clinic(settings, corpus_copy, None)
    assert clinic.profile.name == "Harbor Clinic" and "Harbor Clinic" in clinic.messages.text("refused")


def test_without_a_profile_the_settings_contact_line_is_said_as_it_is(settings, tmp_path):
    clinic = load_clinic(
        settings.with_(clinic_name="Lake Clinic", clinic_contact="ask at the front desk"), tmp_path, None
    )
    assert "To talk to a person: ask at the front desk." in clinic.messages.text("notice")
    assert clinic.profile.asked_for("what is your phone number?") == []  # nothing to quote: the articles' turn
