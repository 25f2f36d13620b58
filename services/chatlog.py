"""Chat and feedback records for staff review (redacted), their retention, and the staff sign-in log, kept
in the shared database (services/storage: SQLite by default, PostgreSQL for several replicas)."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from dataclasses import dataclass

from sqlalchemy import case, delete, func, insert, select, update

from bot.core.records import Answer
from services.redact import load_names, redact
from services.storage.schema import exchanges as X
from services.storage.schema import signins as S

STAMP = "%Y-%m-%dT%H:%M:%S"  # local time; sorts as text


def _now() -> str:
    return time.strftime(STAMP)


class ChatLog:
    """Stores each exchange (and later its thumbs up/down) with personal details removed, and at most
    `max_chars` characters of any question (a longer message was refused unread anyway)."""

    def __init__(self, storage, max_chars: int = 1000):
        self.storage = storage
        self.max_chars = max_chars
        load_names()  # read the name lists now, not during the first patient's answer

    def record(self, conversation: str, answer: Answer, settings: dict) -> int:
        """Store one exchange; returns its id (for feedback)."""
        question = redact(answer.question[: self.max_chars])  # cut before redacting: redact is not free
        payload = {**answer.to_json(), "question": question}
        row = {
            "at": _now(),
            "conversation": conversation,
            "question": question,
            "kind": answer.kind,
            "answer_json": json.dumps(payload),
            "settings_json": json.dumps(settings),
        }
        with self.storage.transaction() as conn:
            return int(conn.execute(insert(X).values(**row).returning(X.c.id)).scalar_one())

    def feedback(self, exchange_id: int, rating: int, comment: str = "") -> bool:
        """Thumbs up (+1) or down (-1) with an optional comment; False if the exchange is unknown."""
        if rating not in (-1, 1):
            raise ValueError("rating must be +1 or -1")
        change = update(X).where(X.c.id == exchange_id).values(rating=rating, comment=redact((comment or "")[:2000]))
        with self.storage.transaction() as conn:
            return conn.execute(change).rowcount == 1

    def recent(self, limit: int = 100) -> list[dict]:
        """Newest first, thumbs-down before everything else."""
        query = select(X).order_by(case((X.c.rating == -1, 0), else_=1), X.c.id.desc()).limit(limit)
        with self.storage.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def newest(self, limit: int = 100) -> list[dict]:
        """The latest exchanges, newest first."""
        with self.storage.engine.connect() as conn:
            return [dict(r) for r in conn.execute(select(X).order_by(X.c.id.desc()).limit(limit)).mappings()]

    def flagged_conversations(self) -> dict[str, str]:
        """Conversations that held a crisis or an emergency reply: conversation -> "crisis" or "emergency"
        (crisis when both: its reply carries 911 too)."""
        query = select(X.c.conversation, X.c.kind).where(X.c.kind.in_(("crisis", "emergency"))).distinct()
        flags: dict[str, str] = {}
        with self.storage.engine.connect() as conn:
            for conversation, kind in conn.execute(query):
                flags[conversation] = "crisis" if "crisis" in (kind, flags.get(conversation)) else kind
        return flags

    def crisis_conversations(self) -> set[str]:
        """Conversations in which a crisis reply was given (staff review these first)."""
        with self.storage.engine.connect() as conn:
            return set(conn.execute(select(X.c.conversation).where(X.c.kind == "crisis").distinct()).scalars())

    def purge(self, days: int, now: dt.datetime | None = None) -> int:
        """Delete every conversation whose last exchange is older than `days` (and sign-in events as old);
        returns how many exchanges went."""
        cutoff = ((now or dt.datetime.now()) - dt.timedelta(days=days)).strftime(STAMP)
        stale = select(X.c.conversation).group_by(X.c.conversation).having(func.max(X.c.at) < cutoff)
        with self.storage.transaction() as conn:
            gone = conn.execute(delete(X).where(X.c.conversation.in_(stale))).rowcount
            conn.execute(delete(S).where(S.c.at < cutoff))
            return gone

    def conversation_of(self, reference: str) -> str | None:
        """The conversation an answer id ("42") or a conversation reference (its first 8+ characters) names."""
        reference = reference.strip().lower()
        with self.storage.engine.connect() as conn:
            if reference.isdigit():
                by_id = conn.execute(select(X.c.conversation).where(X.c.id == int(reference))).scalar()
                if by_id is not None:
                    return by_id
            # a reference is hex, so about one in forty is all digits ("11946171"): no answer id, so a reference
            if not re.fullmatch(r"[a-z0-9-]{8,64}", reference):  # no LIKE wildcards can get in
                return None
            query = select(X.c.conversation).where(X.c.conversation.startswith(reference, autoescape=True))
            found = list(conn.execute(query.distinct()).scalars())
        return found[0] if len(found) == 1 else None  # an ambiguous reference deletes nothing

    def delete_conversation(self, conversation: str) -> int:
        """Delete every exchange of one conversation (a patient's request); returns how many."""
        with self.storage.transaction() as conn:
            return conn.execute(delete(X).where(X.c.conversation == conversation)).rowcount


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

    def __init__(self, storage):
        self.storage = storage

    def add(self, event: SignInEvent) -> None:
        row = {
            "at": event.at or _now(),
            "event": event.event,
            "user": event.user[:100],
            "client": event.client[:100],
            "detail": event.detail[:300],
        }
        with self.storage.transaction() as conn:
            conn.execute(insert(S).values(**row))

    def recent(self, limit: int = 200) -> list[SignInEvent]:
        """Newest first."""
        query = select(S.c.at, S.c.event, S.c.user, S.c.client, S.c.detail).order_by(S.c.id.desc()).limit(limit)
        with self.storage.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [SignInEvent(event=e, user=u, client=c, detail=d, at=a) for a, e, u, c, d in rows]
