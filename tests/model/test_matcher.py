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


class _Counting:
    """The matcher's own embedder, counting the sentences it is asked to embed."""

    def __init__(self, embedder):
        self.embedder, self.texts = embedder, 0

    def embed(self, texts):
        self.texts += len(texts)
        return self.embedder.embed(texts)


@pytest.mark.slow
def test_sentence_vectors_are_made_when_a_version_is_written_not_when_a_patient_asks(
    settings, fake_embedder, corpus_copy
):
    from bot.retrieve.hybrid import HybridRetriever
    from bot.retrieve.store import IndexStore
    from ingest.sync import Syncer

    matcher = Matcher()
    counting = matcher.embedder = _Counting(matcher.embedder)
    store = IndexStore.open(settings)
    first = Syncer(store, fake_embedder, settings.max_file_bytes, matcher=matcher).run(corpus_copy)
    sentences = len(store.load(first.version).sentences)
    assert counting.texts == sentences > 50

    counting.texts = 0  # a fresh process loads the version: the first question waits for no sentence embedding
    view = HybridRetriever(store, fake_embedder, matcher=matcher).open_view(first.version)
    assert counting.texts == 0
    assert np.allclose(view.match_vectors, Matcher().sentences(store.load(first.version)), atol=2e-3)

    article = sorted(corpus_copy.glob("*.txt"))[0]
    article.write_text(article.read_text().replace("\n\n", "\n\nThe front desk opens at seven on weekdays.\n\n", 1))
    second = Syncer(store, fake_embedder, settings.max_file_bytes, matcher=matcher).run(corpus_copy)
    assert second.updated == [article.name]
    assert 0 < counting.texts < 5  # only the edited text is embedded again
    served = {s.text for s in store.load(second.version).sentences}
    kept = store.cached_vectors(matcher.space, [k for k in _keys(store, second.version)])
    assert len(kept) == len(served)  # every served sentence is kept, and nothing else is
    assert store.prune_vectors(matcher.space, _keys(store, second.version)) == 0

    other = Matcher()
    other.space = "match-retrained"  # weights retrained: the old model's vectors are never read
    assert other.sentences(store.load(second.version), store).shape == (len(served), 384)
    assert store.cached_vectors("match-retrained", _keys(store, second.version))


def _keys(store, version: str) -> list[str]:
    from bot.retrieve.matcher import sentence_texts, text_key

    return [text_key(t) for t in sentence_texts(store.load(version))]


@pytest.mark.slow
def test_a_sentence_said_twice_in_a_version_is_kept_once_and_read_back_for_both(settings):
    from bot.retrieve.store import IndexStore

    store, matcher = IndexStore.open(settings), Matcher()
    twice = _loaded(["Call us if the pain gets worse.", "Plan two hours.", "Call us if the pain gets worse."])
    first = matcher.sentences(twice, store)
    again = matcher.sentences(twice, store)  # read back from the index this time
    assert first.shape == again.shape == (3, 384) and np.allclose(first, again, atol=1e-6)
    assert np.allclose(again[0], again[2])
