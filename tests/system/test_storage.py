"""The shared-state database on both backends: SQLite (the embedded default) and a real PostgreSQL server
(Debian's package, started here). Two Storage objects on one database stand for two app replicas."""

from __future__ import annotations

import multiprocessing
import sqlite3

import pytest
from sqlalchemy import create_engine, inspect, select, text

from bot.core.records import Answer
from services.chatlog import ChatLog, SignInEvent, SignInLog
from services.storage import Storage
from services.storage.schema import LATEST, schema_version, signin_failures
from services.throttle import RateLimiter, SignInThrottle
from tests.postgres import create_database, postgres_server
from webui.shield.signin import StaffSessions

pytestmark = [pytest.mark.integration]

OLD_CHATLOG = """
create table exchanges (id integer primary key, at text not null, conversation text not null,
  question text not null, kind text not null, answer_json text not null, settings_json text not null,
  rating integer, comment text);
create table signins (id integer primary key, at text not null, event text not null, user text not null,
  client text not null, detail text not null);
insert into exchanges (at, conversation, question, kind, answer_json, settings_json)
  values ('2026-12-01T10:00:00', 'conv-old', 'is it safe?', 'answer', '{}', '{}');
"""


@pytest.fixture(scope="module")
def postgres():
    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    """A fresh, empty database on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/state.sqlite"
    return create_database(request.getfixturevalue("postgres"))


def replicas(url: str, n: int = 2) -> list[Storage]:
    return [Storage(url) for _ in range(n)]


def test_an_empty_database_gets_the_newest_schema(url):
    store = Storage(url)
    with store.transaction() as conn:
        assert conn.execute(select(schema_version.c.version)).scalar() == LATEST
    assert {"exchanges", "signins", "staff_sessions", "signin_failures"} <= set(inspect(store.engine).get_table_names())
    Storage(url).close()  # opening it again changes nothing
    store.close()


def test_the_previous_schema_migrates_and_keeps_its_rows(url):
    """A clinic's chat log from before the storage layer (version 1, no version table) opens and keeps its rows."""
    if url.startswith("sqlite"):
        with sqlite3.connect(url.split(":///", 1)[1]) as db:
            db.executescript(OLD_CHATLOG)
    else:
        engine = create_engine(url)
        with engine.begin() as conn:
            postgres_sql = OLD_CHATLOG.replace("integer primary key", "serial primary key")
            postgres_sql = postgres_sql.replace(" user ", ' "user" ')  # a reserved word in PostgreSQL
            for statement in postgres_sql.split(";"):
                if statement.strip():
                    conn.execute(text(statement))
        engine.dispose()
    store = Storage(url)
    with store.transaction() as conn:
        assert conn.execute(select(schema_version.c.version)).scalar() == LATEST
        assert conn.execute(text("select question from exchanges")).scalar() == "is it safe?"
    store.close()


def test_a_staff_session_made_on_one_replica_works_on_the_other(url):
    clock = Clock()
    one, two = (StaffSessions(s, hours=1, clock=clock) for s in replicas(url))
    token = one.start("staff")
    assert two.user(token) == "staff" and two.user("made-up") is None
    clock.now += 3601
    assert two.user(token) is None  # expired everywhere
    clock.now -= 3601
    two.end(token)
    assert one.user(token) is None  # signed out everywhere


def test_wrong_passwords_count_across_replicas(url):
    clock = Clock()
    one, two = (
        SignInThrottle(s, max_failures=4, user_max_failures=50, lockout_s=900, clock=clock) for s in replicas(url)
    )
    for throttle in (one, two, one, two):
        throttle.failed("10.0.0.7", "staff")
        clock.now += 100
    clock.now -= 100
    refused = two.check("10.0.0.7", "staff")
    assert not refused.allowed and refused.locked  # four failures, two on each replica: the limit of four


def test_a_patients_question_budget_is_one_across_replicas(url):
    clock = Clock()
    one, two = (RateLimiter(s, per_minute=6, burst=3, clock=clock) for s in replicas(url))
    assert [one.take("10.1.1.1"), two.take("10.1.1.1"), one.take("10.1.1.1")] == [0.0, 0.0, 0.0]
    assert two.take("10.1.1.1") > 0  # the fourth question in a burst of three, on either replica, waits
    assert one.take("10.1.1.2") == 0.0


def test_exchanges_and_feedback_written_on_one_replica_are_on_the_others_desk(url):
    one, two = (ChatLog(s) for s in replicas(url))
    first = one.record("3f9a2c7e11", Answer("my name is Ana Ruiz, is it safe?", "answer", "Yes [1]"), {})
    two.record("3f9a2c7e11", Answer("i want to die", "crisis", "Please call 988"), {})
    assert two.feedback(first, -1, "call me at 312-555-0188")
    rows = one.recent()
    assert [r["question"] for r in rows] == ["my name is [name], is it safe?", "i want to die"]  # 👎 first
    assert rows[0]["rating"] == -1 and "555" not in rows[0]["comment"]
    assert one.crisis_conversations() == {"3f9a2c7e11"}
    assert two.conversation_of("3F9A2C7E") == "3f9a2c7e11" and two.conversation_of("3f9a%%%%") is None
    assert one.purge(days=30) == 0 and two.delete_conversation("3f9a2c7e11") == 2 and one.recent() == []
    events = SignInLog(replicas(url, 1)[0])
    events.add(SignInEvent("wrong password", "staff", "10.0.0.9"))
    assert [e.event for e in SignInLog(replicas(url, 1)[0]).recent()] == ["wrong password"]


def _fail_many(url: str, n: int) -> None:
    throttle = SignInThrottle(Storage(url), max_failures=10_000, user_max_failures=10_000, lockout_s=1)
    for _ in range(n):
        throttle.failed("10.0.0.8", "staff")


def test_two_processes_counting_at_once_lose_no_failure(url):
    """Two replicas count the same guesser at the same moment: every failure is counted."""
    seed = SignInThrottle(Storage(url), max_failures=10_000, user_max_failures=10_000, lockout_s=1)
    seed.failed("10.0.0.8", "staff")
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_fail_many, args=(url, 25)) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
        assert w.exitcode == 0
    with seed.storage.transaction() as conn:
        counts = dict(conn.execute(select(signin_failures.c.who, signin_failures.c.count)).all())
    assert counts == {"client": 51, "user": 51}


class Clock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now
