"""Approved answers matched by meaning (threshold calibrated on evals/approved/), and content gaps grouped by meaning.
Real models throughout: the threshold only means something for the models it was calibrated on."""

from __future__ import annotations

import shutil

import pytest

from bot.clinic.approved import THRESHOLD, ApprovedAnswers, load_judge, parse
from bot.clinic.files import load_clinic
from evals.approved import FOLDER, calibrate, outcome, score_all
from services.gaps import group

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def judge():
    return load_judge()


def test_the_threshold_in_use_is_the_calibrated_one_and_matches_nothing_wrong_on_dev(real_embedder, judge):
    rows = score_all(real_embedder, judge)
    assert calibrate(rows) == THRESHOLD  # re-run `python -m evals.approved` if a model or the set changed
    result = outcome([r for r in rows if r.split == "dev"], THRESHOLD)
    assert result["wrong"] == 0  # a wrong approved answer would be worse than the articles' answer
    assert result["right"] > 0  # and it does match paraphrases (none is an editor's own wording)


def test_a_listed_question_always_gets_its_approved_answer(real_embedder, judge):
    answers = ApprovedAnswers(parse((FOLDER / "answers.yml").read_text()), real_embedder, judge)
    for entry in answers.entries:
        for question in entry.questions:
            assert answers.match(question.upper() + "??").entry.id == entry.id


@pytest.fixture
def clinic_bot(corpus_bot, corpus_copy, settings):
    """The corpus bot with the calibration set's approved answers published beside the articles."""
    shutil.copy(FOLDER / "answers.yml", corpus_copy / "_answers.yml")
    return corpus_bot.with_clinic(
        load_clinic(settings, corpus_copy, corpus_bot.retriever.embedder, corpus_bot.clinic.approved.judge)
    )


def test_a_question_that_means_the_same_gets_the_clinics_answer(clinic_bot):
    answer = clinic_bot.ask("is it ok to drive myself after treatment")
    assert answer.kind == "answer" and answer.answer.startswith("No. Do not drive for the rest of the day")
    (citation,) = answer.citations
    assert citation.source == "_answers.yml" and citation.title == "Riverside Clinic's answer"
    assert citation.section.startswith("Reviewed 2026-11-01") and answer.trace["verify"]["ok"]


def test_a_different_question_still_gets_the_articles(clinic_bot):
    answer = clinic_bot.ask("how does ketamine work in the brain")
    assert answer.kind == "answer" and all(not c.source.startswith("_") for c in answer.citations)


def test_a_crisis_never_gets_an_approved_answer(clinic_bot):
    answer = clinic_bot.ask("i want to end my life. is it ok to drive myself after treatment")
    assert answer.kind == "crisis" and "988" in answer.answer


def test_unanswered_and_disliked_questions_are_grouped_by_meaning_newest_first(real_embedder):
    rows = [
        {
            "question": "is there parking at the clinic",
            "kind": "no_answer",
            "rating": None,
            "at": "2026-11-01T09:00:00",
        },
        {
            "question": "is there any parking at your clinic?",
            "kind": "no_answer",
            "rating": None,
            "at": "2026-11-03T09:00:00",
        },
        {
            "question": "is there parking at the clinic?",
            "kind": "no_answer",
            "rating": None,
            "at": "2026-11-04T09:00:00",
        },
        {
            "question": "does medicare pay for spravato",
            "kind": "no_answer",
            "rating": None,
            "at": "2026-11-05T09:00:00",
        },
        {"question": "how is ketamine given", "kind": "answer", "rating": -1, "at": "2026-11-02T09:00:00"},
        {
            "question": "how long is an infusion",
            "kind": "answer",
            "rating": 1,
            "at": "2026-11-06T09:00:00",
        },  # liked: no gap
    ]
    gaps = group(rows, real_embedder)
    assert [g.key for g in gaps] == [
        "does medicare pay for spravato",
        "is there parking at the clinic",
        "how is ketamine given",
    ]
    parking = gaps[1]
    assert parking.count >= 2 and parking.first == "2026-11-01T09:00:00" and parking.last == "2026-11-04T09:00:00"
    assert gaps[2].why() == "1 marked 👎" and "not answered" in parking.why()
