"""LLM mode when the endpoint misbehaves, through the real ChatOpenAI client against a tiny local endpoint that
fails on purpose (tests/fake_openai.py): each failure ends in the extractive answer, with one log line and
the reason in the trace, and never a traceback. The real server's happy path is in test_llm_server.py."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.answer.llm import LLMComposer
from bot.core.settings import Settings
from bot.engine import Bot
from tests.fake_openai import Behaviour, FakeOpenAI
from tests.helpers import free_port

REPO = Path(__file__).resolve().parents[2]
QUESTION = "where do people get ketamine treatment?"
SECTION = "6. Treatment Setting and Monitoring"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fake():
    with FakeOpenAI() as server:
        yield server


@pytest.fixture(scope="module")
def faithful(corpus_bot) -> str:
    """Two sentences the verifier keeps, citing the source the prompt numbers for the setting section."""
    evidence = corpus_bot.search(QUESTION)[:5]
    n = next(i for i, e in enumerate(evidence, start=1) if e.chunk.section == SECTION)
    return (
        f"Ketamine therapy is usually given in a clinical setting such as a doctor's office, infusion center or "
        f"psychiatric clinic [{n}]. Ketamine therapy is typically given in a clinical setting such as an "
        f"infusion center [{n}]."
    )


def openai_bot(corpus_bot, embedder, url: str) -> Bot:
    settings = Settings(
        llm="openai", llm_base_url=url, llm_timeout_s=15, llm_first_token_s=1.0, llm_max_tokens=64, llm_seed=1
    )
    b = corpus_bot
    return Bot(
        settings,
        b.guard,
        b.retriever,
        b.composer,
        b.messages,
        b.glossary,
        LLMComposer.from_settings(settings, embedder),
        b.clinic,
    )


def fallback_lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "clinicbot" and "fell back to extractive" in r.getMessage()]


def test_a_healthy_endpoint_is_streamed_sentence_by_sentence(fake, corpus_bot, real_embedder, faithful):
    fake.behaviour = Behaviour(text=faithful)
    steps = list(openai_bot(corpus_bot, real_embedder, fake.url).stream(QUESTION))
    partial, final = steps[:-1], steps[-1]
    assert [a.final for a in steps] == [False] * len(partial) + [True] and len(partial) >= 1
    assert final.trace["llm"]["fallback"] is None and final.trace["llm"]["kept"] >= 1
    assert all(final.answer.startswith(p.answer) for p in partial)  # each step adds to what is shown
    request = fake.behaviour.requests[-1]
    assert request["stream"] is True and request["temperature"] == 0 and request["seed"] == 1, request
    assert request["max_tokens"] == 64, request  # the name llama.cpp's server and vLLM read


@pytest.mark.parametrize(
    "name, behaviour, reason",
    [
        ("dies mid-answer", lambda text: Behaviour(text=text, die_after=30), "connection lost"),
        ("slow first token", lambda text: Behaviour(text=text, first_token_delay=2.5), "timeout"),
        ("junk", lambda text: Behaviour(junk=b"data: {this is not json\n\n"), "bad reply"),
        ("empty choices", lambda text: Behaviour(empty_choices=True), "empty reply"),
        ("server error", lambda text: Behaviour(status=500), "bad reply"),
        (
            "ignores the citation format",
            lambda text: Behaviour(text=text.replace("[", "(source ").replace("]", ")")),
            "nothing verified",
        ),
    ],
)
def test_a_failing_endpoint_ends_in_the_extractive_answer(
    fake, corpus_bot, real_embedder, faithful, caplog, name, behaviour, reason
):
    extractive = corpus_bot.ask(QUESTION)
    fake.behaviour = behaviour(faithful)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="clinicbot"):
        answer = openai_bot(corpus_bot, real_embedder, fake.url).ask(QUESTION)
    assert answer.kind == "answer" and answer.answer == extractive.answer, name
    assert [c.quote for c in answer.citations] == [c.quote for c in extractive.citations]
    assert answer.trace["llm"]["fallback"] == reason
    lines = fallback_lines(caplog)
    assert len(lines) == 1 and lines[0].exc_info is None and "Traceback" not in caplog.text


def test_dying_mid_answer_after_a_verified_sentence_still_ends_in_the_extractive_answer(
    fake, corpus_bot, real_embedder, faithful
):
    fake.behaviour = Behaviour(text=faithful, die_after=len(faithful.split(" ")) - 2)
    steps = list(openai_bot(corpus_bot, real_embedder, fake.url).stream(QUESTION))
    assert not steps[0].final and "clinical setting" in steps[0].answer  # the first sentence was already shown
    assert (
        steps[-1].answer == corpus_bot.ask(QUESTION).answer and steps[-1].trace["llm"]["fallback"] == "connection lost"
    )


def test_cli_with_the_endpoint_down_answers_extractively_with_one_log_line(corpus_index):
    settings, _ = corpus_index
    env = {
        **os.environ,
        "CLINICBOT_LLM": "openai",
        "CLINICBOT_LLM_BASE_URL": f"http://127.0.0.1:{free_port()}/v1",
        "CLINICBOT_INDEX_DIR": str(settings.index_dir),
        "CLINICBOT_CORPUS_DIR": str(settings.corpus_dir),
        "CLINICBOT_DATA_DIR": str(settings.data_dir),
    }
    run = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json", QUESTION],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    answer = json.loads(run.stdout)
    assert answer["kind"] == "answer" and answer["citations"]
    assert "Traceback" not in run.stderr
    lines = [line for line in run.stderr.splitlines() if "fell back to extractive" in line]
    assert len(lines) == 1 and "(endpoint down)" in lines[0], run.stderr[-2000:]
