"""The verifier judged against the real model's own output: the replies SmolLM2-135M-Instruct wrote through
llama.cpp's server for the golden questions, recorded with their sources by
`python -m benchmarks.llm_bench --record tests/fixtures/llm_replies.json` and replayed here without the
server, so the verdicts are deterministic. Each of the model's typical errors is named below by its reply."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from benchmarks.llm_bench import replayed_sources, replayed_text
from bot.answer.grounding import about_sources, flipped, new_advice, new_names, new_numbers, new_timing, new_words
from bot.answer.llm import LLMComposer

FIXTURE = Path(__file__).parents[1] / "fixtures" / "llm_replies.json"
REPLIES = {r["id"]: r for r in json.loads(FIXTURE.read_text(encoding="utf-8"))}
NEGATION = re.compile(r"\b(not|no|never|cannot|without)\b|n't\b", re.I)
CHECKS = {
    "number": new_numbers,
    "duration": new_timing,
    "condition": new_names,
    "new words": new_words,
    "about the sources": about_sources,
    "negation": flipped,
    "advice": new_advice,
}

pytestmark = pytest.mark.slow  # the real embedder

# (reply id, words of a sentence the model wrote, the check that must catch it): the real model's typical errors,
# found by reading its replies. Each is caught by its own check against the source the sentence cites (most were
# also dropped earlier for another reason, which the replay test covers).
LABELLED = [
    ("cond-11", "in the 1960s", "number"),  # a year its source does not give
    ("na-33", "Approximately 60-80% of patients", "number"),  # a response rate from another article
    ("na-33", "often within hours", "duration"),
    ("cond-11", "weeks to months", "duration"),
    ("cond-06", "complex regional pain syndrome", "condition"),  # a condition its source never names
    ("conv-07/t1", "dealing with depression, anxiety or PTSD", "condition"),
    (
        "na-04",
        "offers promising results when used",
        "negation",
    ),  # "it is not without risks": its source has no negation
    ("logist-03", "The source is not a party drug", "negation"),
    ("na-04", "Despite its long-term benefits", "new words"),  # "long-term benefits" the source never claims
    ("cond-04", "trauma recovery", "new words"),
    ("safe-12", "The source contains a serious reaction", "about the sources"),
    ("conv-07/t1", "call us at", "advice"),  # a call to action its source does not make
    ("q-3", "To get ready for your first infusion", "advice"),  # "consult a professional": not its source's advice
]


@pytest.fixture(scope="module")
def composer(real_embedder) -> LLMComposer:
    return LLMComposer(None, real_embedder)


def rejudge(composer: LLMComposer, reply: dict, verdict: dict):
    return composer.judge(replayed_text(verdict), replayed_sources(reply))


def test_the_fixture_holds_real_replies_with_kept_and_dropped_sentences():
    verdicts = [v for r in REPLIES.values() for v in r["verdicts"]]
    assert len(REPLIES) >= 50 and any(v["kept"] for v in verdicts) and any(not v["kept"] for v in verdicts)


def test_replaying_every_recorded_reply_gives_the_recorded_verdicts(composer):
    changed = []
    for reply in REPLIES.values():
        for verdict in reply["verdicts"]:
            judged = rejudge(composer, reply, verdict)
            if (judged.kept, judged.reason) != (verdict["kept"], verdict["reason"]):
                changed.append((reply["id"], verdict["text"][:60], verdict["reason"], judged.reason))
    assert not changed, changed


@pytest.mark.parametrize("reply_id, words, reason", LABELLED)
def test_each_check_catches_the_real_models_own_error(composer, real_embedder, reply_id, words, reason):
    reply = REPLIES[reply_id]
    verdict = next(v for v in reply["verdicts"] if words in v["text"])
    source = next(s for s in reply["sources"] if s["n"] == verdict["n"])
    vectors = real_embedder.embed([verdict["text"]] + source["sentences"])
    closest = [source["sentences"][i] for i in (-(vectors[1:] @ vectors[0])).argsort()]
    check = CHECKS[reason]
    finding = (
        check(verdict["text"], source["text"], closest)
        if reason in ("negation", "advice")
        else check(verdict["text"], source["text"])
    )
    assert finding is not None and finding.reason == reason, (verdict["text"], finding)
    assert not verdict["kept"] and not rejudge(composer, reply, verdict).kept


def test_no_kept_sentence_has_a_number_or_a_negation_its_source_lacks():
    """Checked here by plain regular expressions, not by bot/answer/grounding.py."""
    for reply in REPLIES.values():
        texts = {s["n"]: s["text"] for s in reply["sources"]}
        for v in reply["verdicts"]:
            if v["kept"]:
                assert set(re.findall(r"\d+", v["text"])) <= set(re.findall(r"\d+", texts[v["n"]])), v
                assert not NEGATION.search(v["text"]) or NEGATION.search(texts[v["n"]]), v


def test_a_sentence_the_model_left_unfinished_never_reaches_a_patient(composer):
    """The token limit cuts a reply mid-sentence ("Once known primarily as an anesthetic and a party drug, ketamine"):
    a half sentence may copy its source word for word, yet it is no claim a patient should read."""
    judged = [(v, rejudge(composer, r, v)) for r in REPLIES.values() for v in r["verdicts"]]
    unfinished = [v["text"] for v, j in judged if j.reason == "unfinished"]
    assert unfinished and all(not v.rstrip().endswith((".", "!", "?")) for v in unfinished)
    assert all(j.text.rstrip(" \"')]”’").endswith((".", "!", "?")) for _, j in judged if j.kept)
