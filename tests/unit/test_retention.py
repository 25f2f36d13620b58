"""The chat log keeps conversations for CLINICBOT_LOG_DAYS only, stores no more of a question than the
limit, and deletes one conversation on a patient's request."""

from __future__ import annotations

import datetime as dt
import sqlite3

from bot.core.records import Answer
from services.chatlog import ChatLog, SignInEvent, SignInLog
from tests.helpers import storage_at


def backdate(path, conversation: str, days: int) -> None:
    at = (dt.datetime.now() - dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S")
    with sqlite3.connect(path) as db:
        db.execute("update exchanges set at = ? where conversation = ?", (at, conversation))


def test_conversations_past_retention_are_deleted_whole(tmp_path):
    path = tmp_path / "chat.sqlite"
    log = ChatLog(storage_at(path))
    for conversation in ("old", "recent", "spanning"):
        log.record(conversation, Answer("is it safe?", "answer", "Yes [1]"), {})
        log.record(conversation, Answer("how long?", "answer", "An hour [1]"), {})
    backdate(path, "old", 31)
    backdate(path, "spanning", 40)
    log.record("spanning", Answer("and after?", "answer", "Rest [1]"), {})  # still going today: kept whole
    assert log.purge(days=30) == 2
    assert sorted({r["conversation"] for r in log.recent()}) == ["recent", "spanning"]
    assert len([r for r in log.recent() if r["conversation"] == "spanning"]) == 3


def test_a_long_question_is_stored_cut_at_the_limit(tmp_path):
    log = ChatLog(storage_at(tmp_path / "chat.sqlite"), max_chars=50)
    log.record("c", Answer("x" * 100_000, "invalid", "too long"), {})
    [row] = log.recent()
    assert len(row["question"]) == 50 and '"question": "' + "x" * 50 + '"' in row["answer_json"]


def test_one_conversation_is_deleted_by_answer_id_or_reference(tmp_path):
    log = ChatLog(storage_at(tmp_path / "chat.sqlite"))
    first = log.record("3f9a2c7e11", Answer("a?", "answer", "A"), {})
    log.record("3f9a2c7e11", Answer("b?", "answer", "B"), {})
    log.record("77aa00bb22", Answer("c?", "answer", "C"), {})
    assert log.conversation_of(str(first)) == "3f9a2c7e11" and log.conversation_of("3F9A2C7E") == "3f9a2c7e11"
    assert log.conversation_of("3f9a") is None and log.conversation_of("%%%%%%%%") is None
    assert log.delete_conversation("3f9a2c7e11") == 2
    assert [r["question"] for r in log.recent()] == ["c?"]


def test_a_reference_of_digits_only_still_names_its_conversation(tmp_path):
    """A reference is the conversation id's first 8 hex characters: "11946171" is one (a CI run's staff desk
    answered "Nothing deleted" to it, reading it as an answer number)."""
    log = ChatLog(storage_at(tmp_path / "chat.sqlite"))
    first = log.record("11946171aa", Answer("a?", "answer", "A"), {})
    assert log.conversation_of("11946171") == "11946171aa" and log.conversation_of(str(first)) == "11946171aa"
    assert log.conversation_of("1194617") is None  # no such answer, and too short for a reference


def test_sign_in_events_are_kept_newest_first(tmp_path):
    log = SignInLog(storage_at(tmp_path / "chat.sqlite"))
    log.add(SignInEvent("wrong password", "staff", "10.0.0.9"))
    log.add(SignInEvent("locked out", "staff", "10.0.0.9", "client locked for 15 minutes"))
    assert [e.event for e in log.recent()] == ["locked out", "wrong password"]
