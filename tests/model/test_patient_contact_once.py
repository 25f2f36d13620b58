"""The clinic's contact line is given once with an approved answer (and with the clinic's contact details),
not once in the answer and again in the notice."""

from __future__ import annotations

import shutil

import pytest

from bot.clinic.files import load_clinic
from evals.approved import FOLDER


@pytest.fixture
def clinic_bot(corpus_bot, corpus_copy, settings):
    """The corpus bot with the calibration set's approved answers published beside the articles."""
    shutil.copy(FOLDER / "answers.yml", corpus_copy / "_answers.yml")
    return corpus_bot.with_clinic(
        load_clinic(settings, corpus_copy, corpus_bot.retriever.embedder, corpus_bot.clinic.approved.judge)
    )


def _shown(answer) -> str:
    """What a patient reads: the reply and the notice that goes with it."""
    return f"{answer.answer} {answer.notice}"


@pytest.mark.parametrize(
    "question", ["Can I drive myself home after a treatment?", "can i drive home after my treatment"]
)
def test_an_approved_answer_gives_the_contact_line_once(clinic_bot, question):
    answer = clinic_bot.ask(question)
    phone = clinic_bot.clinic.profile.phone
    assert answer.citations and answer.citations[0].source == "_answers.yml"  # the editor's answer, not an article's
    assert answer.answer.startswith("No. Do not drive") and _shown(answer).count(phone) == 1


def test_the_contact_details_are_not_followed_by_the_contact_line_again(clinic_bot):
    answer = clinic_bot.ask("how do i book my appointment")
    phone = clinic_bot.clinic.profile.phone
    assert answer.citations[0].source == "_clinic.yml"
    assert answer.answer.count(phone) == 1


def test_an_articles_answer_to_a_personal_question_still_says_to_ask_the_care_team(clinic_bot):
    answer = clinic_bot.ask("is ketamine safe for me if i have high blood pressure")
    assert answer.kind == "answer" and not answer.citations[0].source.startswith("_")
    assert "Everyone's situation is different" in answer.answer
