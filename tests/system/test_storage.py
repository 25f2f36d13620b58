"""The shared-state database on both backends: SQLite (the embedded default) and a real PostgreSQL server
(Debian's package, started here). Two Storage objects on one database stand for two app replicas."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
import time

import pytest
from sqlalchemy import create_engine, inspect, select, text

from bot.core.records import Answer
from services.chatlog import ChatLog, SignInEvent, SignInLog
from services.desk_records import CaseReviews, EvalCases, EvalRuns, OutOfScope, PublishLog, adopt_files
from services.storage import Busy, Storage
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


def test_what_staff_and_editors_decide_on_one_replica_holds_on_the_other(url):
    """Issue 25: evaluation cases, reviews, gaps marked out of scope, the publish log and the run history were
    files in one replica's data folder; now the other replica's desk sees them."""
    one, two = replicas(url)
    EvalCases(one).add({"id": "fb-7", "split": "dev", "question": "is there parking?", "kind": "answer"})
    with pytest.raises(ValueError, match="already evaluation case fb-7"):
        EvalCases(two).add({"id": "fb-7", "split": "dev", "question": "is there parking?", "kind": "answer"})
    assert [c["question"] for c in EvalCases(two).rows()] == ["is there parking?"]
    CaseReviews(one).add("answers/drive", "answer", ["You need a driver."], ["leaflet.pdf"], "nurse.kim", "new leaflet")
    assert CaseReviews(two).all()["answers/drive"].facts == ("You need a driver.",)
    OutOfScope(two).add("do you sell gift cards")
    assert OutOfScope(one).keys() == {"do you sell gift cards"}
    PublishLog(one).add({"who": "editor", "version": "v2", "override_reason": "typo fix"})
    assert PublishLog(two).entries()[0]["override_reason"] == "typo fix"
    EvalRuns(one).add({"dev": {"answers": {"fact_recall": 0.7}}}, {"reading": {}})
    EvalRuns(two).add({"dev": {"answers": {"fact_recall": 0.8}}}, {"reading": {}})
    assert EvalRuns(one).last() == {"dev": {"answers": {"fact_recall": 0.8}}} and len(EvalRuns(one).runs()) == 2


def test_an_earlier_versions_files_move_into_the_database_once(url, tmp_path):
    """A clinic upgrading keeps its reviews, cases, gap marks, publishes and history; a line cut short by a
    crash is skipped, and the files are renamed, not deleted, so nothing is read twice."""
    data = tmp_path / "old-data"
    data.mkdir()
    review = {
        "case": "a/1",
        "kind": "answer",
        "facts": ["f"],
        "sources": ["s.txt"],
        "who": "kim",
        "at": "x",
        "why": "y",
    }
    (data / "case_reviews.jsonl").write_text(json.dumps(review) + "\n" + '{"case": "a/2", "ki')
    (data / "eval_cases.jsonl").write_text(json.dumps({"id": "fb-1", "split": "dev", "question": "q?"}) + "\n")
    (data / "out_of_scope.json").write_text(json.dumps(["gift cards"]))
    (data / "publish_log.jsonl").write_text(json.dumps({"at": "t", "who": "ed", "version": "v3"}) + "\n")
    (data / "eval_history.json").write_text(json.dumps([{"at": "t", "figures": {"a": 1}}]))
    store = Storage(url)
    assert sorted(adopt_files(store, data)) == sorted(
        ["case_reviews.jsonl", "eval_cases.jsonl", "out_of_scope.json", "publish_log.jsonl", "eval_history.json"]
    )
    assert adopt_files(store, data) == [] and (data / "publish_log.jsonl.adopted").exists()
    assert list(CaseReviews(store).all()) == ["a/1"] and EvalCases(store).rows()[0]["id"] == "fb-1"
    assert OutOfScope(store).keys() == {"gift cards"} and PublishLog(store).entries()[0]["version"] == "v3"
    assert EvalRuns(store).last() == {"a": 1}
    store.close()


def test_one_publish_at_a_time_across_replicas(url):
    """Issue 25: two editors on two replicas could both switch the live index; the second is now told at once."""
    one, two = replicas(url)
    with one.exclusive("publish"):
        with pytest.raises(Busy):
            with two.exclusive("publish"):
                pass
    with two.exclusive("publish"):  # released: the next publish goes ahead
        pass


def test_an_editor_publishing_while_another_replica_publishes_is_told_and_nothing_moves(url, settings, tmp_path):
    from services.editor import EditError, EditorDesk, Staged
    from tests.unit.test_editor import StubBot, StubStore

    one, two = replicas(url)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("An article.")
    store = StubStore()
    desk = EditorDesk(settings.with_(corpus_dir=corpus), StubBot(store), None, two)
    with one.exclusive("publish"):
        with pytest.raises(EditError, match="another editor is publishing right now"):
            desk.publish(Staged("v2", "v1", [], ["a.txt"], tmp_path), "editor")
    assert (corpus / "a.txt").exists() and store.promoted == [] and desk.publishes.entries() == []
    desk.publish(Staged("v2", "v1", [], ["a.txt"], tmp_path), "editor")
    assert store.promoted == ["v2"] and not (corpus / "a.txt").exists()


def test_two_replicas_counting_a_first_failure_at_once_take_turns(url):
    """Issue 25: a row that does not exist yet was not locked by FOR UPDATE, so two replicas counting the first
    wrong password of a new address both started from nothing and one count was lost."""
    import threading

    one, two = replicas(url)
    seen = []
    with one.transaction() as conn:
        assert one.locked(conn, signin_failures, {"who": "client", "key": "10.5.5.5"}) is None

        def other_replica():
            with two.transaction() as other:
                seen.append(two.locked(other, signin_failures, {"who": "client", "key": "10.5.5.5"}))

        waiting = threading.Thread(target=other_replica)
        waiting.start()
        time.sleep(0.5)  # the other replica asks for the same new row while this one holds it
        row = {"count": 1, "until": 0.0, "told": 0, "touched": 0.0}
        one.upsert(conn, signin_failures, {"who": "client", "key": "10.5.5.5"}, row)
    waiting.join(timeout=30)
    assert seen and seen[0] is not None and seen[0]["count"] == 1  # it waited, then saw the first count


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
