"""The sentence matcher: a missing file is named with the command that makes it; the shipped weights give one
unit vector per sentence, under its heading, the same whichever runner embeds them."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from bot.core.records import Chunk, Sentence
from bot.retrieve.matcher import MODEL_DIR, Matcher, MatcherMissing, sentence_text
from bot.retrieve.store import Loaded


def _loaded(texts: list[str], section: str = "Your visit") -> Loaded:
    sentences, start = [], 0
    for i, text in enumerate(texts):
        sentences.append(Sentence(f"a.md#0.{i}", "a.md#0", "a.md", start, start + len(text), text))
        start += len(text) + 1
    chunk = Chunk("a.md#0", "a.md", "A", section, 0, 0, start, " ".join(texts), tuple(sentences))
    return Loaded("v1", [chunk], np.zeros((1, 384), np.float32), sentences, np.zeros((len(texts), 384), np.float32))


def test_a_missing_file_is_named_with_the_command_that_makes_it(tmp_path):
    shutil.copytree(MODEL_DIR, tmp_path / "matcher")
    (tmp_path / "matcher" / "model.safetensors").unlink()
    with pytest.raises(MatcherMissing, match=r"model\.safetensors.*python -m train\.matcher"):
        Matcher(tmp_path / "matcher")


def test_a_sentence_is_read_under_its_heading():
    assert sentence_text("Your visit", "Plan two hours.") == "Your visit: Plan two hours."
    assert sentence_text("", "Parking is free.") == "Parking is free."


@pytest.mark.slow
def test_every_sentence_gets_one_unit_vector_whichever_runner_embeds_it():
    matcher = Matcher()
    few = ["Plan to spend about two hours with us.", "One adult may stay in the room."]
    many = few + [f"Sentence number {i} says something else entirely." for i in range(30)]  # the batch runner
    small, large = matcher.sentences(_loaded(few)), matcher.sentences(_loaded(many))
    assert small.shape == (2, 384) and large.shape == (32, 384)
    assert np.allclose(np.linalg.norm(large, axis=1), 1.0, atol=1e-4)
    assert np.allclose(small, large[:2], atol=2e-3)  # numpy for a few texts, torch for a batch: same vectors
    question = matcher.question("how long is the visit")
    assert question.shape == (384,) and abs(float(np.linalg.norm(question)) - 1.0) < 1e-4
