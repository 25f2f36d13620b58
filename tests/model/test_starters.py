"""A clinic's starter questions are the first thing a patient taps: each is answered, and the answer quotes the
article sentence that answers it (tests/fixtures/starter_answers.yml names words of that sentence)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.clinic.profile import ClinicProfile

REPO = Path(__file__).resolve().parents[2]
EXPECTED = yaml.safe_load((REPO / "tests" / "fixtures" / "starter_answers.yml").read_text(encoding="utf-8"))
SKIP = {".venv", ".git", "node_modules"}


def clinics_with_starters() -> dict[str, tuple[str, ...]]:
    """Every clinic folder in the repo whose profile lists starters, by its path from the repo root."""
    out = {}
    for profile in sorted(REPO.rglob("_clinic.yml")):
        if SKIP.intersection(profile.relative_to(REPO).parts):
            continue
        starters = ClinicProfile.parse(profile.read_text(encoding="utf-8")).starters
        if starters:
            out[profile.parent.relative_to(REPO).as_posix()] = starters
    return out


def test_every_clinics_starters_have_their_answers_listed():
    found = clinics_with_starters()
    assert found, "the default clinic shows starters on its patient page"
    for clinic, starters in found.items():
        assert set(starters) == set(EXPECTED.get(clinic, {})), f"{clinic}: list its starters' answers"


@pytest.mark.slow
@pytest.mark.parametrize(
    "question",
    sorted(EXPECTED["corpus"]),
)
def test_a_starter_is_answered_with_the_sentence_that_answers_it(corpus_bot, question):
    answer = corpus_bot.ask(question)
    assert answer.kind == "answer", answer.answer
    assert answer.citations, "an answer cites its article"
    said = answer.answer.lower()
    assert any(words.lower() in said for words in EXPECTED["corpus"][question]), answer.answer
