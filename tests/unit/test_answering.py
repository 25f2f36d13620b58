"""How readily the assistant answers is the clinic's choice: a profile setting, a threshold per choice chosen in
training, and the risk-coverage curve that shows staff what each choice gives on their own questions."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from bot.answer.reader.model import FEATURES, ReaderConfig
from bot.clinic.profile import ClinicProfile, ProfileError
from evals.curve import curve, table
from services.quality import answering_words
from webui import charts

PROFILE = "name: Hill Clinic\nphone: 555 0100\n"


def test_a_clinic_chooses_how_readily_to_answer_in_its_profile():
    assert ClinicProfile.parse(PROFILE).answering == "balanced"
    assert ClinicProfile.parse(PROFILE + "answering: careful\n").answering == "careful"
    with pytest.raises(ProfileError, match=r"answering must be one of more, balanced, careful \(got \"sometimes\"\)"):
        ClinicProfile.parse(PROFILE + "answering: sometimes\n")


def test_each_choice_reads_its_own_threshold_and_an_unknown_one_the_default():
    config = ReaderConfig(FEATURES, answerable_threshold=0.25, operating_points=(("more", 0.1), ("careful", 0.4)))
    assert (config.threshold("more"), config.threshold("careful"), config.threshold("balanced")) == (0.1, 0.4, 0.25)


def _result(expected: str, likelihood: float | None, got: str):
    return SimpleNamespace(case=SimpleNamespace(kind=expected, set="answers"), answerable=likelihood, kind=got)


RUN = [  # read at threshold 0.3
    _result("answer", 0.9, "answer"),
    _result("answer", 0.2, "no_answer"),  # unanswered for its likelihood only: answered from 0.2 down
    _result("answer", 0.8, "no_answer"),  # unanswered for another reason: never answered
    _result("no_answer", 0.5, "answer"),
    _result("no_answer", 0.1, "no_answer"),
    _result("no_answer", None, "refused"),  # the guard's: never quoted
    _result("answer", None, "answer"),  # the clinic's own details: answered whatever the threshold
]


def test_the_curve_trades_covered_questions_answered_for_uncovered_ones_quoted():
    points = {p.threshold: p for p in curve(RUN, served=0.3, points={"careful": 0.6})}
    assert (points[0.15].answered, points[0.15].abstained) == (0.75, round(2 / 3, 3))
    assert (points[0.3].answered, points[0.3].abstained) == (0.5, round(2 / 3, 3))
    assert (points[0.6].answered, points[0.6].abstained, points[0.6].name) == (0.5, 1.0, "careful")
    assert "<- careful" in table(list(points.values()), "risk-coverage")


def test_staff_see_what_each_choice_gives_in_words_a_picture_and_a_table():
    points = curve(RUN, served=0.3, points={"more": 0.15, "balanced": 0.3, "careful": 0.6})
    words = answering_words(points, "balanced")
    assert "**Balanced** (your setting): answers 50% of the questions the articles cover" in words
    assert "**Be more careful**: answers 50%" in words and 'says "not covered" to 100%' in words
    figure = charts.answering_chart(points, "balanced")
    labels = [t.get_text() for t in figure.get_axes()[0].texts]
    assert labels == ["Answer more", "Balanced (your setting)", "Be more careful"]
    text = charts.answering_text(points)
    assert "| Be more careful | 0.60 | 50% | 100% |" in text and "{" not in text and "[" not in text
