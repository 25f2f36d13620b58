"""The one module that touches SQLite: chat and feedback records for staff review, redacted."""
from __future__ import annotations

import json
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path

from bot.records import Answer
from bot.redact import redact

SCHEMA = """
create table if not exists exchanges (
  id integer primary key, at text not null, conversation text not null,
  question text not null, kind text not null, answer_json text not null, settings_json text not null,
  rating integer, comment text
);
"""


class ChatLog:
    """Stores each exchange (and later its thumbs up/down) with personal details removed."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        with self._db() as db:
            # write-ahead logging: patients' exchanges are written while staff read the review list
            db.execute("pragma journal_mode=wal")
            db.executescript(SCHEMA)

    def record(self, conversation: str, answer: Answer, settings: dict) -> int:
        """Store one exchange; returns its id (for feedback)."""
        payload = answer.to_json()
        payload["question"] = redact(payload["question"])
        with self._db() as db:
            cur = db.execute("insert into exchanges (at, conversation, question, kind, answer_json, settings_json) "
                             "values (?, ?, ?, ?, ?, ?)", (time.strftime("%Y-%m-%dT%H:%M:%S"), conversation,
                                                          redact(answer.question), answer.kind, json.dumps(payload),
                                                          json.dumps(settings)))
            return int(cur.lastrowid)

    def feedback(self, exchange_id: int, rating: int, comment: str = "") -> bool:
        """Thumbs up (+1) or down (-1) with an optional comment; False if the exchange is unknown."""
        if rating not in (-1, 1):
            raise ValueError("rating must be +1 or -1")
        with self._db() as db:
            cur = db.execute("update exchanges set rating = ?, comment = ? where id = ?",
                             (rating, redact(comment or "")[:2000], exchange_id))
            return cur.rowcount == 1

    def recent(self, limit: int = 100) -> list[dict]:
        """Newest first, thumbs-down before everything else."""
        with self._db() as db:
            db.row_factory = sqlite3.Row
            rows = db.execute("select * from exchanges order by (rating = -1) desc, id desc limit ?", (limit,)).fetchall()
        return [dict(r) for r in rows]

    @contextmanager
    def _db(self):
        """One short-lived connection: committed on success, rolled back on error, always closed."""
        db = sqlite3.connect(self.path, timeout=10)
        try:
            # NORMAL with WAL keeps every committed exchange across a crash of the app; only a power
            # cut can lose the last few, and it saves a disk flush on every patient's question.
            db.execute("pragma synchronous=normal")
            with db:
                yield db
        finally:
            db.close()
