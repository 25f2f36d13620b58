"""Patients' words are stored for staff only after personal details are removed."""

from __future__ import annotations

import pytest

from bot.core.records import Answer
from services.chatlog import ChatLog
from services.redact import redact
from tests.helpers import storage_at


@pytest.mark.parametrize(
    "text,gone,placeholder",
    [
        ("email me at jane.doe+k@example.org please", "jane.doe", "[email]"),
        ("call me back on (262) 555-0134 or 262.555.0134", "555", "[phone]"),
        ("my dob is 04/12/1987, am i too old?", "1987", "[date"),
        ("I was born on March 3, 1985 and take lithium", "1985", "[date"),
        ("hi, my name is Maria Lopez and i have ptsd", "Maria", "[name]"),
    ],
)
def test_personal_details_are_replaced(text, gone, placeholder):
    out = redact(text)
    assert gone not in out and placeholder in out


def test_ordinary_questions_are_unchanged():
    text = "how long does a 40-60 minute infusion take, and is it approved since 2019?"
    assert redact(text) == text


def test_stored_exchange_and_feedback_hold_no_raw_details(tmp_path):
    log = ChatLog(storage_at(tmp_path / "chat.sqlite"))
    answer = Answer("my name is Tom, email tom@x.com: is it safe?", "answer", "It is generally well-tolerated [1].")
    row_id = log.record("conv-1", answer, {"llm": "none"})
    assert log.feedback(row_id, -1, "wrong answer, call me at 312-555-0188")
    assert not log.feedback(row_id + 99, 1)
    [row] = log.recent()
    stored = " ".join(str(v) for v in row.values())
    assert "Tom" not in stored and "tom@x.com" not in stored and "555-0188" not in stored
    assert row["rating"] == -1 and row["kind"] == "answer"
    with pytest.raises(ValueError):
        log.feedback(row_id, 5)


def test_everyday_phrases_are_not_taken_for_names():
    assert redact("call me back tomorrow, this is killing me") == "call me back tomorrow, this is killing me"
    assert redact("Hi, this is Dana Smith") == "Hi, this is [name]"


def test_a_logged_answer_becomes_one_evaluation_case_and_not_twice():
    from bot.core.settings import Settings
    from services.staff import StaffDesk

    settings = Settings.from_env()
    log = ChatLog(storage_at(settings.chat_log_db))
    exchange = log.record("c1", Answer("is spravato a spray?", "answer", "Yes [1]"), {})
    desk = StaffDesk(settings, bot=None, log=log)
    case = desk.add_case(exchange, "answer", ["a.txt"], ["nasal spray"])
    assert case["question"] == "is spravato a spray?" and case["split"] == "dev"
    with pytest.raises(ValueError, match="already evaluation case"):
        desk.add_case(exchange, "answer", ["a.txt"], ["nasal spray"])
    with pytest.raises(ValueError, match="no logged answer"):
        desk.add_case(exchange + 99, "answer", [], [])
    assert [c.question for c in desk.cases() if c.set == "eval_cases"] == ["is spravato a spray?"]


@pytest.mark.parametrize(
    "text,gone",
    [
        ("my ssn is 123-45-6789, do you need it?", "6789"),
        ("i live at 42 Oak Tree Road, can someone visit?", "Oak Tree"),
        ("my medical record number is 00482913", "00482913"),
        ("insurance member id XJ4482913 was denied", "XJ4482913"),
        ("policy # 88-1932-7 covers it?", "1932"),
        ("ring me on +44 7700 900123 after six", "900123"),
        ("my mobile is 0412 345 678", "345"),
        ("my name is john smith, is it safe for me?", "smith"),
        ("me llamo, I mean my name is María Núñez", "Núñez"),
        ("i'm john smith, is it safe for me?", "john"),
        ("hi im grace and i have a question about my visit", "grace"),
        ("maría lópez here, can i move my visit?", "lópez"),
        ("hello, mark here. is parking free?", "mark"),
    ],
)
def test_identifiers_of_every_kind_are_replaced(text, gone):
    """Issue 25: SSNs, street addresses, record and insurance numbers, non-US phones, lowercase names and
    surnames were stored in clear, and "María" became "[name]ía"."""
    out = redact(text)
    assert gone not in out and "[" in out, out
    assert "ía" not in out.replace("María", "")


@pytest.mark.parametrize(
    "text",
    [
        "is 2 sessions a week too many, or 6 in 3 weeks?",
        "is the group session 3 hours, in case 12 of 20?",
        "the 2nd street clinic or the 3 main ones?",
        "i take 100 mg and 25 mg, about 1000 mg a week",
        "i'm really worried about the side effects, is that normal?",
        "i'm so tired of being here",
        "this is art therapy right?",
        "it's may 5 that i come in, i'm new here and i'm sure it's fine",
    ],
)
def test_ordinary_numbers_and_phrases_stay(text):
    assert redact(text) == text


def test_the_chat_log_is_readable_by_the_apps_user_only(tmp_path):
    log = ChatLog(storage_at(tmp_path / "data" / "chat.sqlite"))
    log.record("conv-1", Answer("is it safe?", "answer", "Yes [1]"), {})
    for f in (tmp_path / "data").glob("chat.sqlite*"):
        assert f.stat().st_mode & 0o077 == 0, f"{f.name} is readable by others"
