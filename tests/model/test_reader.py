"""The answer reader: answer types, follow-ups, the shipped model, and answers a patient can use."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.answer.reader import ReaderModelMissing, ReaderNet
from bot.answer.reader.features import question_types, sentence_types
from bot.retrieve.followup import resolve

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "question,kind",
    [
        ("how long does the first visit take?", "duration"),
        ("how much is it without insurance", "cost"),
        ("how often will i need to come in", "count"),
        ("when can i go back to work?", "when"),
        ("can i drive myself home after", "yesno"),
    ],
)
def test_a_question_is_read_for_the_kind_of_answer_it_wants(question, kind):
    assert kind in question_types(question)


def test_a_sentence_offers_a_duration_only_when_it_states_one():
    assert "duration" in sentence_types("Each session lasts about 45 minutes.")
    assert "duration" in sentence_types("Most people heal in two to three weeks.")
    assert "duration" not in sentence_types(
        "The frequency and duration of maintenance visits vary from person to person."
    )
    assert "cost" in sentence_types("A visit without insurance is $180.")


def test_a_question_that_names_its_own_topic_is_not_steered_by_the_one_before():
    df = {"insurance": 2, "cover": 3, "treatment": 9, "side": 2, "effect": 2, "kid": 1, "children": 1}
    history = ["what are the side effects of the treatment?"]
    assert (
        resolve("is the treatment covered by insurance?", history, df, 10) == "is the treatment covered by insurance?"
    )
    assert resolve("how often?", history, df, 10) == "how often? (what are the side effects of the treatment?)"
    assert resolve("what about for kids?", history, df, 10).endswith("(what are the side effects of the treatment?)")
    # "it" borrows what the articles are about (the treatment), not the aspect asked about before
    assert resolve("does insurance cover it?", history, df, 10) == "does insurance cover it? (treatment)"


def test_a_missing_reader_model_says_how_to_restore_it(tmp_path):
    with pytest.raises(ReaderModelMissing, match="python -m train.reader"):
        ReaderNet.load(tmp_path)
    shutil.copy(REPO / "models" / "reader" / "model.safetensors", tmp_path)
    config = json.loads((REPO / "models" / "reader" / "reader_config.json").read_text())
    (tmp_path / "reader_config.json").write_text(json.dumps({**config, "features": config["features"][:-1]}))
    with pytest.raises(ReaderModelMissing, match="other features"):  # weights from older code are not used silently
        ReaderNet.load(tmp_path)


@pytest.mark.slow
def test_how_long_is_answered_with_the_sentence_that_gives_the_duration(corpus_bot):
    answer = corpus_bot.ask("how long does an iv infusion take?")
    first = answer.answer.split("[1]")[0]
    assert answer.kind == "answer" and "minutes" in first
    assert len(answer.answer.split()) <= 60


@pytest.mark.slow
def test_an_insurance_question_after_a_side_effect_question_gets_the_insurance_answer(corpus_bot):
    alone = corpus_bot.ask("does insurance cover ketamine treatment?")
    after = corpus_bot.ask("does insurance cover ketamine treatment?", ["what are the side effects of ketamine?"])
    assert after.kind == alone.kind and after.answer == alone.answer


@pytest.mark.slow
def test_a_condition_the_articles_never_name_is_not_covered(corpus_bot):
    answer = corpus_bot.ask("is ketamine safe if i have glaucoma?")
    assert answer.kind == "no_answer"
    assert "don't cover" in answer.answer or "do not cover" in answer.answer


@pytest.mark.slow
def test_a_careful_clinic_needs_the_likelier_answer_its_setting_names(corpus_bot, monkeypatch):
    import dataclasses

    config = corpus_bot.composer.reader.config
    careful, balanced = config.threshold("careful"), config.threshold("balanced")
    assert careful > balanced
    clinic = corpus_bot.clinic
    monkeypatch.setattr(
        corpus_bot,
        "clinic",
        dataclasses.replace(clinic, profile=dataclasses.replace(clinic.profile, answering="careful")),
    )
    for question in ("How is ketamine given?", "Can I bring my dog to the clinic?"):
        assert corpus_bot.ask(question).trace["compose"]["threshold"] == round(careful, 3)
