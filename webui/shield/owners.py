"""Which visitor each Gradio session of the patient page belongs to.

Gradio keys a visitor's conversation by a session id the page makes up, and that id travels in URLs
(`queue/data?session_hash=...`), so it lands in proxy logs. Whoever held it could join the queue as that
session and be sent the whole conversation back. So the first request that uses a session id claims it for
its visitor: the visitor cookie the patient page sets, or, for a client that keeps no cookies (gradio_client,
an iframe whose cookies the browser blocks), its address. A request for someone else's session is refused.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
from collections import OrderedDict
from urllib.parse import parse_qs

COOKIE = "clinicbot-visitor"
MAX_SESSIONS = 100_000  # claims kept at most; the oldest are forgotten first (their conversations are long over)
_BODY = re.compile(r"^/gradio_api/(queue/join|cancel|reset/?)$")  # the session id is in the JSON body
_QUERY = re.compile(r"^/gradio_api/queue/(data|status)$")  # ... in the query string
_PATH = re.compile(r"^/gradio_api/heartbeat/([\w-]+)$")  # ... in the path


class SessionOwners:
    """Session id -> the visitor that first used it; bounded, thread-safe."""

    def __init__(self, limit: int = MAX_SESSIONS):
        self.limit = limit
        self._owners: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def claim(self, session: str, owner: str) -> bool:
        """True when `owner` may use `session`: it is unclaimed (now theirs) or already theirs."""
        with self._lock:
            known = self._owners.get(session)
            if known is None:
                self._owners[session] = owner
                if len(self._owners) > self.limit:
                    self._owners.popitem(last=False)
                return True
            return secrets.compare_digest(known, owner)


def new_visitor() -> str:
    """A fresh visitor token for the cookie."""
    return secrets.token_urlsafe(24)


def owner_of(scope: dict) -> str:
    """The visitor behind a request: its cookie, else its address."""
    from starlette.requests import HTTPConnection

    conn = HTTPConnection(scope)
    token = conn.cookies.get(COOKIE)
    return f"visitor:{token}" if token else f"address:{conn.client.host if conn.client else ''}"


def needs_body(method: str, path: str) -> bool:
    """Does this request carry its session id in a JSON body?"""
    return method == "POST" and bool(_BODY.match(path))


def session_of(path: str, query: bytes, body: bytes = b"") -> str | None:
    """The Gradio session id a public request names, if any."""
    if m := _PATH.match(path):
        return m.group(1)
    if _QUERY.match(path):
        values = parse_qs(query.decode("latin-1")).get("session_hash")
        return values[0] if values else None
    if _BODY.match(path) and body:
        try:
            found = json.loads(body).get("session_hash")
        except (ValueError, AttributeError):
            return None
        return str(found) if found else None
    return None
