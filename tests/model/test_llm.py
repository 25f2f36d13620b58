"""The optional LLM composer: fake chat models return faithful and hallucinated answers."""

from __future__ import annotations

import itertools

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from bot.answer.llm import LLMComposer
from bot.engine import Bot

SETTING_Q = "where do people get ketamine treatment?"


def fake(*replies: str) -> GenericFakeChatModel:
    return GenericFakeChatModel(messages=itertools.cycle([AIMessage(content=r) for r in replies]))


class Down:
    """A chat model whose endpoint is unreachable."""

    def stream(self, messages):
        raise ConnectionError("connection refused")


@pytest.fixture
def llm_bot(corpus_bot, real_embedder):
    def make(model, timeout=10.0, first_token=None):
        b = corpus_bot
        return Bot(
            b.settings,
            b.guard,
            b.retriever,
            b.composer,
            b.messages,
            b.glossary,
            LLMComposer(model, real_embedder, timeout_s=timeout, first_token_s=first_token),
            b.clinic,
        )

    return make


def source_number(corpus_bot, section: str) -> int:
    """Which [n] the LLM prompt gives the chunk of a section (evidence order)."""
    evidence = corpus_bot.search(SETTING_Q)[:5]
    return next(i for i, e in enumerate(evidence, start=1) if e.chunk.section == section)


@pytest.mark.slow
def test_faithful_llm_answer_is_kept_with_verbatim_quote(llm_bot, corpus_bot):
    n = source_number(corpus_bot, "6. Treatment Setting and Monitoring")
    answer = llm_bot(
        fake(
            f"Ketamine therapy is usually given in a clinical setting such as a doctor's office, "
            f"infusion center or psychiatric clinic [{n}]."
        )
    ).ask(SETTING_Q)
    assert answer.kind == "answer" and answer.answer.endswith("[1]")
    assert answer.answer.startswith("Ketamine therapy is usually given in a clinical setting")
    assert answer.citations[0].section == "6. Treatment Setting and Monitoring"
    assert "infusion center, or psychiatric clinic" in answer.citations[0].quote
    assert answer.trace["llm"]["kept"] == 1


@pytest.mark.slow
def test_made_up_facts_are_dropped(llm_bot, corpus_bot):
    n = source_number(corpus_bot, "6. Treatment Setting and Monitoring")
    faithful = f"Ketamine therapy is typically given in a clinical setting such as an infusion center [{n}]."
    invented = f"Each session costs 450 dollars and insurance always pays for it [{n}]."
    answer = llm_bot(fake(f"{faithful} {invented}")).ask(SETTING_Q)
    assert "450" not in answer.answer and "insurance" not in answer.answer
    assert answer.answer.startswith("Ketamine therapy is typically given in a clinical setting")


@pytest.mark.slow
@pytest.mark.parametrize(
    "reply",
    [
        "Ketamine therapy is given in a clinical setting such as an infusion center [7].",  # not retrieved
        "Ketamine therapy is given in a clinical setting such as an infusion center.",  # no citation
        "Ketamine cures depression in 100% of patients within a day [1].",  # hallucinated
        "",  # junk
    ],
)
def test_unverifiable_answers_fall_back_to_the_extractive_one(llm_bot, corpus_bot, reply):
    extractive = corpus_bot.ask(SETTING_Q)
    answer = llm_bot(fake(reply)).ask(SETTING_Q)
    assert answer.kind == "answer" and answer.answer == extractive.answer
    assert [c.quote for c in answer.citations] == [c.quote for c in extractive.citations]


@pytest.mark.slow
def test_wrong_source_number_is_dropped(llm_bot, corpus_bot):
    evidence = corpus_bot.search(SETTING_Q)[:5]
    wrong = next(i for i, e in enumerate(evidence, start=1) if "evaluation" not in e.chunk.text)
    answer = llm_bot(fake(f"Patients undergo a comprehensive evaluation before starting treatment [{wrong}].")).ask(
        SETTING_Q
    )
    assert "comprehensive evaluation before starting" not in answer.answer
    assert answer.answer == corpus_bot.ask(SETTING_Q).answer
    assert answer.trace["llm"]["dropped"][0].startswith("unsupported: ")
    assert answer.trace["llm"]["fallback"] == "nothing verified"


@pytest.mark.slow
def test_endpoint_down_or_slow_falls_back_without_a_stack_trace(llm_bot, corpus_bot, caplog):
    extractive = corpus_bot.ask(SETTING_Q).answer
    assert llm_bot(Down()).ask(SETTING_Q).answer == extractive
    assert "fell back to extractive (endpoint down)" in caplog.text

    class Slow:
        def stream(self, messages):
            import time

            time.sleep(3)
            yield AIMessage(content="too late [1].")

    slow = llm_bot(Slow(), timeout=5, first_token=0.5).ask(SETTING_Q)
    assert slow.answer == extractive and slow.trace["llm"]["fallback"] == "timeout"


@pytest.mark.slow
def test_the_clinics_own_details_are_never_rewritten_by_the_model(llm_bot, corpus_bot):
    """Contact details come from corpus/_clinic.yml word for word: the model is not asked, nothing is streamed."""

    class Counting:
        calls = 0

        def stream(self, messages):
            Counting.calls += 1
            yield AIMessage(content="We are open every day, 24 hours [1].")

    question = "what are your hours, are you open on weekends"
    steps = list(llm_bot(Counting()).stream(question))
    assert Counting.calls == 0 and len(steps) == 1 and steps[0].final
    answer = steps[0]
    assert answer.answer == corpus_bot.ask(question).answer and "Monday to Friday" in answer.answer
    assert answer.citations[0].source == "_clinic.yml" and "llm" not in answer.trace
    assert llm_bot(Counting()).ask(SETTING_Q).kind == "answer" and Counting.calls == 1  # an article answer is asked


@pytest.mark.slow
def test_a_sentence_shown_while_the_answer_is_written_has_its_terms_explained(llm_bot, corpus_bot):
    """The partial answer carries the glossary of what it says so far, so the page underlines a term at once,
    as it will in the finished answer."""
    import re

    from webui.render import partial_html

    question = "how does ketamine act on the NMDA receptor?"
    evidence = corpus_bot.search(question)[:5]
    n, sentence = next(
        (i, s)
        for i, e in enumerate(evidence, start=1)
        for s in re.split(r"(?<=\.)\s+", e.chunk.text)
        if "NMDA receptor" in s and len(s.split()) >= 6
    )
    steps = list(llm_bot(fake(f"{sentence.rstrip('.')} [{n}].")).stream(question))
    assert len(steps) == 2 and not steps[0].final, steps[-1].trace.get("llm")
    terms = dict(steps[0].glossary)
    assert terms and terms == dict(corpus_bot.glossary.find(steps[0].answer))  # e.g. neurotransmitter, serotonin
    shown = partial_html(steps[0])
    assert shown.count('<abbr class="term"') == len(terms) and "Sources" not in shown
    assert dict(steps[-1].glossary).keys() >= terms.keys()
