"""Throttles for the web app: a token bucket per client for patient questions, and back-off then lockout
for wrong staff passwords. Pure bookkeeping with an injectable clock: no web framework, no sleeping.

Both live in the app's memory: a restart forgets them, which is acceptable for one process on one
machine (README, "Security").
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable

# Buckets and failure records kept at most, so a flood of made-up client addresses or user names cannot grow
# the app's memory without bound. Buckets: the stalest go first. Failure records: the ones no longer holding
# anyone back go first, then the fewest failures, so junk names cannot push a locked user name out.
MAX_KEYS = 10_000
# Wrong passwords from one client that cost nothing: people mistype. From the next one on, each waits twice
# the last. For a user name (all clients together) the first half of its limit is free, so one guessing
# client locked out at its own limit never slows the real staff member down elsewhere.
FREE_FAILURES = 3


class RateLimiter:
    """A token bucket per key: `burst` tokens at most, refilled at `per_minute`; a question spends one."""

    def __init__(self, per_minute: float, burst: int, clock: Callable[[], float] = time.monotonic):
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, at)
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Spend a token for `key`: 0.0 when allowed, else the seconds until a token is back."""
        now = self.clock()
        with self._lock:
            tokens, at = self._buckets.pop(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - at) * self.rate)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / self.rate
            self._buckets[key] = (tokens - 1 if not wait else tokens, now)
            if len(self._buckets) > MAX_KEYS:
                self._buckets.popitem(last=False)
        return wait


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


@dataclass
class _Failures:
    count: int = 0
    until: float = 0.0  # no attempt is checked before this time
    told: bool = False  # a refusal during this wait has been reported


class SignInThrottle:
    """Wrong passwords per client and per user name: free at first, then an exponential back-off between
    attempts, then a lockout. A right password is never slowed; it clears the client's and the user's record.

    A user name's lockout holds back only clients with wrong passwords of their own: a guesser spread over many
    addresses gets one try per fresh address, and the real staff member on a device that has not failed is
    never refused (otherwise anyone could lock staff out by guessing their user name)."""

    def __init__(
        self,
        max_failures: int,
        user_max_failures: int,
        lockout_s: float,
        backoff_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.limits = {"client": max_failures, "user": user_max_failures}
        self.free = {"client": min(FREE_FAILURES, max_failures - 1), "user": max(FREE_FAILURES, user_max_failures // 2)}
        self.lockout_s = lockout_s
        self.backoff_s = backoff_s
        self.clock = clock
        self._records: dict[str, OrderedDict[str, _Failures]] = {"client": OrderedDict(), "user": OrderedDict()}
        self._lock = threading.Lock()

    def check(self, client: str, user: str) -> SignInDecision:
        """May this attempt be checked at all? Refused attempts are not counted as failures."""
        now = self.clock()
        with self._lock:
            own = self._records["client"].get(client)
            for who, record in (("client", own), ("user", self._records["user"].get(_user_key(user)))):
                if record and record.until > now and own is not None:
                    first, record.told = not record.told, True
                    locked = record.count >= self.limits[who]
                    return SignInDecision(False, record.until - now, locked, who, first)
        return SignInDecision(True)

    def failed(self, client: str, user: str) -> SignInDecision:
        """Count a wrong password; the decision says what the next attempt faces (a lockout or a wait)."""
        now = self.clock()
        worst = SignInDecision(True)
        with self._lock:
            for who, key in (("client", client), ("user", _user_key(user))):
                records = self._records[who]
                record = records.pop(key, None) or _Failures()
                if record.count >= self.limits[who] and record.until <= now:
                    record = _Failures()  # a lockout served in full starts the count again
                record.count += 1
                wait = self._wait(record.count, who)
                record.until, record.told = now + wait, False
                records[key] = record
                _forget_idle(records, now)
                if wait > worst.wait_s:
                    worst = SignInDecision(False, wait, record.count >= self.limits[who], who)
        return worst

    def succeeded(self, client: str, user: str) -> None:
        """A right password: forget this client's and this user's wrong ones."""
        with self._lock:
            self._records["client"].pop(client, None)
            self._records["user"].pop(_user_key(user), None)

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


def _forget_idle(records: OrderedDict[str, _Failures], now: float) -> None:
    """Over MAX_KEYS, forget one record: the oldest that holds nobody back, else the one with fewest failures."""
    if len(records) <= MAX_KEYS:
        return
    victim = min(records, key=lambda key: (records[key].until > now, records[key].count))
    del records[victim]
