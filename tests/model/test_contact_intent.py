"""The shipped contact-intent model (models/contact_intent): calibrated as its trainer says, it reads where
the clinic is without the profile's patterns, and questions that only share the words stay with the articles."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bot.clinic.contact import MODEL_DIR, ContactIntent, intent_text
from tests.unit.test_patient_shorthand import ORDINARY, PROFILE
from train.contact_intent import DATA, calibrate, read, targets


@pytest.fixture(scope="module")
def intent() -> ContactIntent:
    return ContactIntent.load()


def test_the_model_reads_where_and_how_to_reach_the_clinic_without_the_patterns(intent, real_embedder):
    assert intent.asked("where r u", real_embedder) == ["address"]
    assert intent.asked("where is your office", real_embedder) == ["address"]
    assert intent.asked("can i update my address on file", real_embedder) == []


def test_the_shipped_thresholds_are_the_ones_the_dev_questions_give(intent, real_embedder):
    dev = read(DATA / "dev")
    vectors = real_embedder.embed([intent_text(r["question"]) for r in dev])
    probs = intent.probabilities(vectors)
    assert calibrate(probs, targets(dev)) == pytest.approx(list(intent.thresholds))  # else retrain
    config = json.loads((MODEL_DIR / "config.json").read_text())
    assert config["dev_questions"] == len(dev) and config["train_questions"] == len(read(DATA / "train"))
    given = probs >= np.asarray(intent.thresholds)
    assert not (given & (targets(dev) == 0)).any()  # no dev question gets a detail it did not ask for


@pytest.mark.parametrize("question", ORDINARY)
def test_ordinary_questions_are_not_read_as_the_clinics_details(intent, real_embedder, question):
    assert PROFILE.asked_for(question, intent.asked(question, real_embedder)) == []  # as served
