"""The contact-intent model's contract, on a tiny model written here: which details it gives, from which
thresholds, what the clinic gives from it beside the profile's patterns, and what a missing file says."""

from __future__ import annotations

import json

import numpy as np
import pytest
from safetensors.numpy import save_file

from bot.clinic.contact import ContactIntent, ContactIntentMissing
from bot.clinic.files import Clinic
from bot.clinic.messages import Messages
from bot.clinic.profile import ClinicProfile
from train.contact_intent import calibrate, outcome

PROFILE = ClinicProfile.parse(
    "name: Harbor Clinic\nphone: 555-0100\nhours: Mon-Fri 9-5\naddress: 1 Pier Road\nbooking: https://h.example/b\n"
)


def tiny(folder, thresholds=(0.6, 0.6, 0.6, 0.6)):
    """A model over 3-wide vectors: axis 0 reads phone, axis 1 hours, axis 2 address; booking never."""
    weight = np.zeros((4, 3), dtype=np.float32)
    weight[0, 0] = weight[1, 1] = weight[2, 2] = 8.0
    bias = np.array([-4, -4, -4, -9], dtype=np.float32)
    save_file({"weight": weight, "bias": bias}, str(folder / "model.safetensors"))
    details = ["phone", "hours", "address", "booking"]
    (folder / "config.json").write_text(
        json.dumps({"details": details, "thresholds": dict(zip(details, thresholds, strict=True))})
    )
    return ContactIntent.load(folder)


class Vectors:
    """An embedder that reads a question's words as axes: 'call' -> phone, 'open' -> hours, 'where' -> address."""

    def embed_query(self, text: str) -> np.ndarray:
        return np.array([w in text for w in ("call", "open", "where")], dtype=np.float32)


def test_each_detail_is_given_from_its_own_threshold(tmp_path):
    model = tiny(tmp_path, thresholds=(0.6, 0.99, 0.6, 0.6))
    both = model.asks(np.array([1.0, 1.0, 0.0]))  # P = 0.98 for phone and for hours
    assert both == ["phone"]
    assert model.asks(np.zeros(3)) == []
    assert model.probabilities(np.eye(3)).shape == (3, 4)


def test_the_clinic_gives_the_details_the_model_reads_and_has(tmp_path, settings):
    clinic = Clinic(PROFILE, Messages.load(settings, PROFILE), intent=tiny(tmp_path), embedder=Vectors())
    answer, quotes = clinic.reply("whereabouts is the practice", False, dict)
    assert answer is not None and "1 Pier Road" in answer.answer and "1 Pier Road" in quotes.values()
    assert [c.section for c in answer.citations] == ["Address"]
    assert clinic.reply("is the treatment safe", False, dict) == (None, {})
    no_hours = ClinicProfile.parse("name: Harbor Clinic\nphone: 555-0100\n")
    clinic = Clinic(no_hours, Messages.load(settings, no_hours), intent=tiny(tmp_path), embedder=Vectors())
    assert clinic.reply("when are you open", False, dict) == (None, {})  # nothing to quote: the articles' turn


def test_what_the_model_reads_joins_what_the_patterns_find():
    assert PROFILE.asked_for("hello", ["booking"]) == ["phone", "booking"]  # booking by phone comes with it
    assert PROFILE.asked_for("what is your phone number", ["address"]) == ["phone", "address"]
    assert PROFILE.asked_for("hello", []) == []


def test_a_clinic_without_the_model_reads_the_patterns_alone(settings):
    clinic = Clinic(PROFILE, Messages.load(settings, PROFILE))
    assert clinic.reply("whereabouts is the practice", False, dict) == (None, {})
    assert clinic.contact_asks("whereabouts is the practice") == []
    assert clinic.reply("where is the clinic?", False, dict)[0] is not None


def test_a_missing_model_names_the_command_that_makes_it(tmp_path):
    with pytest.raises(ContactIntentMissing, match="python -m train.contact_intent"):
        ContactIntent.load(tmp_path)


def test_thresholds_sit_above_every_wrong_dev_reading():
    probs = np.array([[0.9, 0.1, 0.0, 0.0], [0.72, 0.0, 0.0, 0.0], [0.2, 0.3, 0.0, 0.0]])
    labels = np.array([[1, 0, 0, 0], [0, 0, 0, 0], [0, 1, 0, 0]])
    thresholds = calibrate(probs, labels)
    assert thresholds[0] == pytest.approx(0.77)  # the wrong 0.72, rounded up to 0.72, plus the margin
    assert thresholds[1] == pytest.approx(0.55)  # never under 0.5 plus the margin
    assert outcome(probs, labels, thresholds) == {"right": 1, "asked": 2, "wrong": 0, "questions": 3}


def test_the_clinics_own_name_is_read_as_you_and_other_places_keep_theirs():
    from bot.clinic.contact import intent_text

    name = "Riverbend Stone & Urology Centre"
    assert intent_text("riverbend hours on saturday?", name) == "you hours on saturday?"
    assert intent_text("whats the number for Riverbend Stone Centre", name) == "what is the number for you"
    assert intent_text("is Riverbend's car park free", name) == "is your car park free"
    assert intent_text("what time does walmart close", name) == "what time does walmart close"
    assert intent_text("does urology treat stones", name) == "does urology treat stones"  # a specialty, not us
    # a name that is only a kind of place would make every other clinic this one: nothing is read as "you"
    assert intent_text("where is the other clinic", "The Clinic") == "where is the other clinic"
    assert intent_text("riverbend hours?", "") == "riverbend hours?"


def test_the_fresh_contact_measure_counts_an_added_phone_on_a_booking_as_no_mistake(tmp_path):
    from evals.approved import named_outcome

    rows = [
        {"question": "book me in at harbor", "asks": ["booking"], "clinic": "Harbor Clinic"},
        {"question": "harbor hours?", "asks": ["hours"], "clinic": "Harbor Clinic"},
        {"question": "walmart phone", "asks": [], "clinic": "Harbor Clinic"},
    ]
    (tmp_path / "a.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    given = {"book me in at harbor": ["phone", "booking"], "harbor hours?": [], "walmart phone": ["phone"]}
    got = named_outcome(lambda q, clinic: given[q], tmp_path)
    assert got == {"right": 1, "should": 2, "wrong": 1, "questions": 3}
