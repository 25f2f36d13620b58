"""The engine end to end on the real corpus with the real bundled model."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core.text import norm_key

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def bot(corpus_bot):
    return corpus_bot


@pytest.mark.slow
def test_treatment_setting_question_is_answered_from_that_section(bot):
    answer = bot.ask("where do people get ketamine treatment?")
    assert answer.kind == "answer"
    assert any(c.section == "6. Treatment Setting and Monitoring" for c in answer.citations)
    assert len(answer.answer.split()) < 90
    assert "automated assistant" in answer.notice and "988" in answer.notice and "911" in answer.notice


@pytest.mark.slow
def test_every_marker_is_cited_and_every_quote_is_verbatim(bot):
    for question in ("how long does an iv infusion take", "what is esketamin", "does it help ptsd??"):
        answer = bot.ask(question)
        markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)}
        assert answer.kind == "answer" and markers == {c.n for c in answer.citations}
        for c in answer.citations:
            assert norm_key(c.quote) in norm_key((REPO / "corpus" / c.source).read_text(encoding="utf-8"))


@pytest.mark.slow
def test_crisis_comes_before_anything_else(bot):
    answer = bot.ask("i want to kill myself, how much ketamine would do it")
    assert answer.kind == "crisis" and "988" in answer.answer and answer.citations == []


@pytest.mark.slow
def test_empty_and_overlong_questions_get_a_clear_message(bot):
    assert bot.ask("   ").kind == "invalid"
    long = bot.ask("what is ketamine " * 200)
    assert long.kind == "invalid" and "too long" in long.answer


@pytest.mark.slow
def test_cli_batch_prints_one_json_per_line_in_order(tmp_path):
    env = {**os.environ, "CLINICBOT_CORPUS_DIR": str(REPO / "corpus")}
    subprocess.run([sys.executable, "-m", "ingest"], cwd=REPO, env=env, check=True, capture_output=True)
    batch = tmp_path / "q.jsonl"
    batch.write_text(
        "\n".join(json.dumps({"question": q}) for q in ["how is ketamine given?", "", "what's the weather"])
    )
    out = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--batch", str(batch)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["question"] for r in rows] == ["how is ketamine given?", "", "what's the weather"]
    assert rows[1]["kind"] == "invalid"


@pytest.mark.slow
def test_query_embedding_is_cached_identical_and_read_only(real_embedder):
    import numpy as np

    first = real_embedder.embed_query("how is ketamine given")
    assert real_embedder.embed_query("  how is  ketamine given ") is first
    assert np.array_equal(first, real_embedder.embed_queries(["how is ketamine given"])[0])
    with pytest.raises(ValueError):
        first[0] = 1.0


def test_word_forms_match_but_unrelated_words_sharing_a_few_letters_do_not():
    from bot.retrieve.hybrid import _same_word

    assert _same_word("dizzy", "dizzi") and _same_word("nauseou", "nausea") and _same_word("addictive", "addiction")
    assert (
        not _same_word("consider", "constant") and not _same_word("pain", "paint") and not _same_word("2019", "20190")
    )


@pytest.mark.slow
def test_a_patient_saying_dizzy_or_nauseous_finds_the_side_effect_list(bot):
    answer = bot.ask("does ketamine make people dizzy or nauseous afterwards")
    assert answer.kind == "answer"
    assert "nausea" in answer.answer.lower() or "dizziness" in answer.answer.lower()


def test_the_live_pointer_is_read_again_after_a_local_publish_and_otherwise_at_most_once_a_recheck():
    from types import SimpleNamespace

    from bot.retrieve.hybrid import HybridRetriever

    class Store:
        promotions, reads, version = 0, 0, "v1"

        def live(self):
            self.reads += 1
            return self.version

    store = Store()
    retriever = HybridRetriever(store, embedder=None, recheck=60)
    retriever.open_view = lambda version: SimpleNamespace(version=version)
    assert retriever.view().version == "v1" and retriever.view().version == "v1"
    assert store.reads == 1
    store.version, store.promotions = "v2", 1  # a publish through this process
    assert retriever.view().version == "v2" and store.reads == 2


@pytest.mark.slow
def test_does_it_help_a_condition_the_articles_never_name_is_not_answered(bot):
    answer = bot.ask("can ketamine help with psoriasis?")
    assert answer.kind == "no_answer" and "psoriasis" in answer.trace["abstain"]
    assert bot.ask("can ketamine help with ocd?").kind == "answer"
    assert bot.ask("what else can it treat besides depression").kind == "answer"


@pytest.mark.slow
def test_is_it_safe_while_in_a_state_the_articles_never_name_is_not_answered(bot):
    assert bot.ask("is ketamine safe while scuba diving").kind == "no_answer"
    assert bot.ask("does it help ocd or other anxiety problems").kind == "answer"
