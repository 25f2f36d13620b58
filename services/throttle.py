"""Throttles for the web app: a token bucket per client for patient questions, and back-off then lockout
for wrong staff passwords. Pure bookkeeping with an injectable clock: no web framework, no sleeping.

Both keep their records in the shared database (services/storage), so every replica counts together and a
restart forgets nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import delete, func, select, update

from services.storage.schema import rate_buckets as B
from services.storage.schema import signin_failures as T

# Buckets and failure records kept at most, so a flood of made-up client addresses or user names cannot grow
# the database without bound. Buckets: the full ones go (the same as none). Failure records: the ones no longer holding
# anyone back go first, then the fewest failures, so junk names cannot push a locked user name out.
MAX_KEYS = 10_000
# Wrong passwords from one client that cost nothing: people mistype. From the next one on, each waits twice
# the last. For a user name (all clients together) the first half of its limit is free, so one guessing
# client locked out at its own limit never slows the real staff member down elsewhere.
FREE_FAILURES = 3


class RateLimiter:
    """A token bucket per key: `burst` tokens at most, refilled at `per_minute`; a question spends one. The
    buckets live in the shared database, so a patient (or a flood) gets one budget across every replica."""

    def __init__(self, storage, per_minute: float, burst: int, clock: Callable[[], float] = time.time):
        self.storage = storage
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.clock = clock

    def take(self, key: str) -> float:
        """Spend a token for `key`: 0.0 when allowed, else the seconds until a token is back."""
        now = self.clock()
        with self.storage.transaction() as conn:
            row = self.storage.locked(conn, B, {"key": key})
            tokens = self.burst if row is None else min(self.burst, row["tokens"] + (now - row["at"]) * self.rate)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / self.rate
            self.storage.upsert(conn, B, {"key": key}, {"tokens": tokens - 1 if not wait else tokens, "at": now})
            if row is None:
                self._forget_full(conn, now)
        return wait

    def _forget_full(self, conn, now: float) -> None:
        """Over MAX_KEYS buckets, drop those refilled to the brim: a full bucket is the same as none."""
        if conn.execute(select(func.count()).select_from(B)).scalar() > MAX_KEYS:
            conn.execute(delete(B).where(B.c.at < now - self.burst / self.rate))


@dataclass(frozen=True)
class SignInDecision:
    """Whether a sign-in attempt may be checked, and if not, why and for how long (seconds)."""

    allowed: bool
    wait_s: float = 0.0
    locked: bool = False  # a lockout (the limit was reached) rather than a back-off between attempts
    who: str = ""  # "client" or "user": which record refused it
    first: bool = False  # the first refusal of this wait: worth one line in the sign-in log, not one per attempt

    def message(self) -> str:
        """What the person signing in is told."""
        if self.allowed:
            return ""
        minutes = max(1, round(self.wait_s / 60))
        if self.locked and self.who == "user":
            return (
                f"Sign-in for this user name is locked for about {minutes} minute(s) after too many wrong passwords. "
                "Staff have been told. Try again later."
            )
        if self.locked:
            return f"Too many wrong passwords from this device. Sign-in is locked for about {minutes} minute(s)."
        return f"Too many wrong passwords. Wait {max(1, round(self.wait_s))} second(s) before trying again."


class SignInThrottle:
    """Wrong passwords per client and per user name: free at first, then an exponential back-off between
    attempts, then a lockout. A right password is never slowed; it clears the client's and the user's record.

    A user name's lockout holds back only clients with wrong passwords of their own: a guesser spread over many
    addresses gets one try per fresh address, and the real staff member on a device that has not failed is
    never refused (otherwise anyone could lock staff out by guessing their user name).

    The records live in the shared database (services/storage), so every replica counts the same failures and a
    restart forgets nothing; each decision reads and writes them in one transaction."""

    def __init__(
        self,
        storage,
        max_failures: int,
        user_max_failures: int,
        lockout_s: float,
        backoff_s: float = 1.0,
        clock: Callable[[], float] = time.time,
    ):
        self.storage = storage
        self.limits = {"client": max_failures, "user": user_max_failures}
        self.free = {"client": min(FREE_FAILURES, max_failures - 1), "user": max(FREE_FAILURES, user_max_failures // 2)}
        self.lockout_s = lockout_s
        self.backoff_s = backoff_s
        self.clock = clock

    def check(self, client: str, user: str) -> SignInDecision:
        """May this attempt be checked at all? Refused attempts are not counted as failures."""
        now = self.clock()
        with self.storage.transaction() as conn:
            own = self._get(conn, "client", client)
            if own is None:  # a device with no wrong passwords of its own is never refused
                return SignInDecision(True)
            for who, key, record in (("client", client, own), ("user", _user_key(user), None)):
                record = record or self._get(conn, who, key)
                if record and record["until"] > now:
                    if not record["told"]:
                        conn.execute(self._where(update(T), who, key).values(told=1))
                    locked = record["count"] >= self.limits[who]
                    return SignInDecision(False, record["until"] - now, locked, who, not record["told"])
        return SignInDecision(True)

    def failed(self, client: str, user: str) -> SignInDecision:
        """Count a wrong password; the decision says what the next attempt faces (a lockout or a wait)."""
        now = self.clock()
        worst = SignInDecision(True)
        with self.storage.transaction() as conn:
            for who, key in (("client", client), ("user", _user_key(user))):
                record = self._get(conn, who, key)
                count = record["count"] if record else 0
                if record and count >= self.limits[who] and record["until"] <= now:
                    count = 0  # a lockout served in full starts the count again
                count += 1
                wait = self._wait(count, who)
                row = {"count": count, "until": now + wait, "told": 0, "touched": now}
                self.storage.upsert(conn, T, {"who": who, "key": key}, row)  # another replica may insert it too
                if record is None:
                    self._forget_idle(conn, now)
                if wait > worst.wait_s:
                    worst = SignInDecision(False, wait, count >= self.limits[who], who)
        return worst

    def succeeded(self, client: str, user: str) -> None:
        """A right password: forget this client's and this user's wrong ones."""
        with self.storage.transaction() as conn:
            for who, key in (("client", client), ("user", _user_key(user))):
                conn.execute(self._where(delete(T), who, key))

    def _get(self, conn, who: str, key: str):
        return self.storage.locked(conn, T, {"who": who, "key": key})

    @staticmethod
    def _where(statement, who: str, key: str):
        return statement.where(T.c.who == who, T.c.key == key)

    def _forget_idle(self, conn, now: float) -> None:
        """Over MAX_KEYS records, forget the surplus: ones that hold nobody back first, fewest failures first,
        so made-up user names cannot push a locked name out."""
        surplus = conn.execute(select(func.count()).select_from(T)).scalar() - MAX_KEYS
        if surplus <= 0:
            return
        idle = select(T.c.who, T.c.key).where(T.c.until <= now).order_by(T.c.count, T.c.touched).limit(surplus)
        for who, key in conn.execute(idle).all():
            conn.execute(self._where(delete(T), who, key))

    def _wait(self, count: int, who: str) -> float:
        """Seconds before the next attempt after `count` failures: none while free, then the back-off
        doubling (1, 2, 4 ... times backoff_s), then the lockout at the limit."""
        if count >= self.limits[who]:
            return self.lockout_s
        if count < self.free[who]:
            return 0.0
        return min(self.backoff_s * 2.0 ** (count - self.free[who]), self.lockout_s)


def _user_key(user: str) -> str:
    """User names compare as Gradio's login did (stripped); case is kept, as the password check keeps it."""
    return (user or "").strip()[:200]
