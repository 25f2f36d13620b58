"""The one module that touches SQLite: chat and feedback records for staff review (redacted), their
retention, and the staff sign-in log."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.core.records import Answer
from services.redact import redact

SCHEMA = """
create table if not exists exchanges (
  id integer primary key, at text not null, conversation text not null,
  question text not null, kind text not null, answer_json text not null, settings_json text not null,
  rating integer, comment text
);
create index if not exists exchanges_conversation on exchanges (conversation);
create table if not exists signins (
  id integer primary key, at text not null, event text not null, user text not null, client text not null,
  detail text not null
);
"""
STAMP = "%Y-%m-%dT%H:%M:%S"  # local time; sorts as text


def _now() -> str:
    return time.strftime(STAMP)


@contextmanager
def _connect(path: Path):
    """One short-lived connection: committed on success, rolled back on error, always closed."""
    db = sqlite3.connect(path, timeout=10)
    try:
        # NORMAL with WAL keeps every committed exchange across a crash of the app; only a power
        # cut can lose the last few, and it saves a disk flush on every patient's question.
        db.execute("pragma synchronous=normal")
        with db:
            yield db
    finally:
        db.close()


def _open(path: Path) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)  # patients' words: readable by the app's own user only (SQLite gives its -wal file the same)
    with _connect(path) as db:
        # write-ahead logging: patients' exchanges are written while staff read the review list
        db.execute("pragma journal_mode=wal")
        db.executescript(SCHEMA)


class ChatLog:
    """Stores each exchange (and later its thumbs up/down) with personal details removed, and at most
    `max_chars` characters of any question (a longer message was refused unread anyway)."""

    def __init__(self, path: Path, max_chars: int = 1000):
        self.path = path
        self.max_chars = max_chars
        _open(path)

    def record(self, conversation: str, answer: Answer, settings: dict) -> int:
        """Store one exchange; returns its id (for feedback)."""
        question = redact(answer.question[: self.max_chars])  # cut before redacting: redact is not free
        payload = {**answer.to_json(), "question": question}
        with self._db() as db:
            cur = db.execute(
                "insert into exchanges (at, conversation, question, kind, answer_json, settings_json) "
                "values (?, ?, ?, ?, ?, ?)",
                (_now(), conversation, question, answer.kind, json.dumps(payload), json.dumps(settings)),
            )
            return int(cur.lastrowid)

    def feedback(self, exchange_id: int, rating: int, comment: str = "") -> bool:
        """Thumbs up (+1) or down (-1) with an optional comment; False if the exchange is unknown."""
        if rating not in (-1, 1):
            raise ValueError("rating must be +1 or -1")
        with self._db() as db:
            cur = db.execute(
                "update exchanges set rating = ?, comment = ? where id = ?",
                (rating, redact((comment or "")[:2000]), exchange_id),
            )
            return cur.rowcount == 1

    def recent(self, limit: int = 100) -> list[dict]:
        """Newest first, thumbs-down before everything else."""
        with self._db() as db:
            db.row_factory = sqlite3.Row
            rows = db.execute(
                "select * from exchanges order by (rating = -1) desc, id desc limit ?", (limit,)
            ).fetchall()
        return [dict(r) for r in rows]

    def crisis_conversations(self) -> set[str]:
        """Conversations in which a crisis reply was given (staff review these first)."""
        with self._db() as db:
            return {row[0] for row in db.execute("select distinct conversation from exchanges where kind = 'crisis'")}

    def purge(self, days: int, now: dt.datetime | None = None) -> int:
        """Delete every conversation whose last exchange is older than `days` (and sign-in events as old);
        returns how many exchanges went."""
        cutoff = ((now or dt.datetime.now()) - dt.timedelta(days=days)).strftime(STAMP)
        with self._db() as db:
            cur = db.execute(
                "delete from exchanges where conversation in (select conversation from exchanges "
                "group by conversation having max(at) < ?)",
                (cutoff,),
            )
            db.execute("delete from signins where at < ?", (cutoff,))
            return cur.rowcount

    def conversation_of(self, reference: str) -> str | None:
        """The conversation an answer id ("42") or a conversation reference (its first 8+ characters) names."""
        reference = reference.strip().lower()
        with self._db() as db:
            if reference.isdigit():
                row = db.execute("select conversation from exchanges where id = ?", (int(reference),)).fetchone()
            elif re.fullmatch(r"[a-z0-9-]{8,64}", reference):  # no LIKE wildcards can get in
                rows = db.execute(
                    "select distinct conversation from exchanges where conversation like ?", (reference + "%",)
                ).fetchall()
                row = rows[0] if len(rows) == 1 else None  # an ambiguous reference deletes nothing
            else:
                row = None
        return row[0] if row else None

    def delete_conversation(self, conversation: str) -> int:
        """Delete every exchange of one conversation (a patient's request); returns how many."""
        with self._db() as db:
            return db.execute("delete from exchanges where conversation = ?", (conversation,)).rowcount

    def _db(self):
        return _connect(self.path)


@dataclass(frozen=True)
class SignInEvent:
    """One staff sign-in event, in words staff read: what happened, to which user name, from where."""

    event: str  # "signed in", "wrong password", "locked out", "refused while waiting", "refused while locked"
    user: str
    client: str
    detail: str = ""
    at: str = ""


class SignInLog:
    """Every failed staff sign-in and lockout (and each success), for the staff desk's Sign-ins tab."""

    def __init__(self, path: Path):
        self.path = path
        _open(path)

    def add(self, event: SignInEvent) -> None:
        with _connect(self.path) as db:
            db.execute(
                "insert into signins (at, event, user, client, detail) values (?, ?, ?, ?, ?)",
                (event.at or _now(), event.event, event.user[:100], event.client[:100], event.detail[:300]),
            )

    def recent(self, limit: int = 200) -> list[SignInEvent]:
        """Newest first."""
        with _connect(self.path) as db:
            rows = db.execute(
                "select at, event, user, client, detail from signins order by id desc limit ?", (limit,)
            ).fetchall()
        return [SignInEvent(event=e, user=u, client=c, detail=d, at=a) for a, e, u, c, d in rows]
