"""The ASGI middleware in front of both Gradio apps: refuses what policy.py refuses, caps request bodies
before they are read, and puts the security headers on every response.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from collections import deque
from typing import Callable

from webui.shield import owners, policy

LOGIN_BODY_CAP = 8 * 1024  # a user name and a password
_SCRIPT_TAG = re.compile(rb"<script(?![^>]*\bnonce=)")


class Shield:
    """Wraps the outer FastAPI app. `signed_in(scope)` says whether a request carries a staff session."""

    def __init__(self, app, *, body_cap: int, embed_origins: tuple[str, ...], signed_in: Callable[[dict], bool]):
        self.app = app
        self.body_cap = body_cap
        self.signed_in = signed_in
        self.frame_ancestors = " ".join(("'self'", *embed_origins))
        self.cors_origins = {o.encode() for o in embed_origins}  # the clinic's own sites, besides this one
        self.owners = owners.SessionOwners()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        method, path = scope["method"], scope["path"]
        staff = policy.is_staff(path)
        signed_in = staff and self.signed_in(scope)
        verdict = policy.staff(method, path, signed_in) if staff else policy.public(method, path)
        nonce = secrets.token_urlsafe(16)
        send = self._with_headers(send, scope, staff, nonce, self._shares_with(scope), _visitor_cookie(scope, staff))
        if not verdict.passes:
            return await _plain(send, verdict)
        cap = None if signed_in else (LOGIN_BODY_CAP if staff else self.body_cap)
        if cap is not None and method not in ("GET", "HEAD"):
            receive = await _capped(receive, scope, cap)
            if receive is None:
                return await _plain(
                    send, policy.Verdict(413, f"Request too large (the limit is {cap // 1024} KB).", pause=True)
                )
        if not staff:
            allowed, receive = await self._own_session(scope, receive)
            if not allowed:
                return await _plain(
                    send, policy.Verdict(403, "This conversation belongs to another visitor.", pause=True)
                )
        if policy.html_page(method, path):
            # Gradio compresses what the browser accepts; its page must stay plain text to receive the nonce
            scope = {**scope, "headers": [(k, v) for k, v in scope["headers"] if k != b"accept-encoding"]}
            send = _nonced(send, nonce)
        await self.app(scope, receive, send)

    async def _own_session(self, scope, receive):
        """(may this request use the Gradio session it names, receive with any body it read put back):
        the first visitor to use a session id owns it (webui/shield/owners.py)."""
        body = b""
        if owners.needs_body(scope["method"], scope["path"]):
            messages = await _drain(receive)
            body = b"".join(m.get("body", b"") for m in messages)
            receive = _replay(messages, receive)
        session = owners.session_of(scope["path"], scope.get("query_string", b""), body)
        return session is None or self.owners.claim(session, owners.owner_of(scope)), receive

    def _shares_with(self, scope) -> bool:
        """May a script of the requesting page read the response? Only this site's own pages and the clinic's
        sites (CLINICBOT_EMBED_ORIGINS): Gradio grants any Origin with credentials once the Host is not
        localhost, which would let any site read patients' answers and the staff desk with the visitor's cookies."""
        headers = dict(scope["headers"])
        origin = headers.get(b"origin")
        if origin is None or origin in self.cors_origins:
            return True
        return origin.split(b"://", 1)[-1] == headers.get(b"host", b"")

    def _with_headers(self, send, scope, staff: bool, nonce: str, shares: bool = True, cookie: bytes = b""):
        """Every response gets the security headers; the staff desk may never be framed, the patient page
        only by the clinic's own sites (CLINICBOT_EMBED_ORIGINS); another site's script gets no CORS grant."""
        ancestors = "'none'" if staff else self.frame_ancestors
        extra = [
            (b"content-security-policy", content_security_policy(nonce, ancestors).encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
        ]
        if ancestors in ("'self'", "'none'"):  # for browsers that predate frame-ancestors
            extra.append((b"x-frame-options", b"SAMEORIGIN" if ancestors == "'self'" else b"DENY"))
        if scope.get("scheme") == "https":
            extra.append((b"strict-transport-security", b"max-age=31536000"))
        if staff:
            extra.append((b"cache-control", b"no-store"))
        names = {k for k, _ in extra}
        if cookie:
            extra.append((b"set-cookie", cookie + (b"; Secure" if scope.get("scheme") == "https" else b"")))
        if not shares:
            names |= {b"access-control-allow-origin", b"access-control-allow-credentials"}

        async def wrapped(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message = {**message, "headers": headers + extra}
            await send(message)

        return wrapped


def content_security_policy(nonce: str, frame_ancestors: str) -> str:
    """Scripts only from this server or inline with this response's nonce; styles may be inline (Gradio
    sets style attributes); nothing loads from, or posts to, anywhere else."""
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "media-src 'self' blob:",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors}",
        ]
    )


async def _plain(send, verdict: policy.Verdict) -> None:
    """Answer here with a plain sentence (or a redirect), after a pause if abuse earned it."""
    if verdict.pause:
        await asyncio.sleep(policy.REFUSAL_PAUSE_S)
    body = verdict.message.encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    if verdict.location:
        headers.append((b"location", verdict.location.encode()))
    await send({"type": "http.response.start", "status": verdict.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _visitor_cookie(scope, staff: bool) -> bytes:
    """The patient page hands a visitor without one a cookie of their own, which claims their sessions."""
    if staff or not policy.html_page(scope["method"], scope["path"]):
        return b""
    if owners.COOKIE.encode() + b"=" in dict(scope["headers"]).get(b"cookie", b""):
        return b""
    return f"{owners.COOKIE}={owners.new_visitor()}; Path=/; HttpOnly; SameSite=Lax".encode()


async def _drain(receive) -> list[dict]:
    """Every message of a request body (already held to the size cap)."""
    messages = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body"):
            return messages


def _replay(messages: list[dict], receive):
    """A receive that gives back `messages`, then whatever comes next (a disconnect)."""
    queue = deque(messages)

    async def replay():
        return queue.popleft() if queue else await receive()

    return replay


async def _capped(receive, scope, cap: int):
    """A receive that yields the same body, or None when the body is over `cap` bytes. A declared length
    is judged unread; a body without one is read up to the cap and no further."""
    declared = dict(scope["headers"]).get(b"content-length")
    if declared is not None:
        return receive if declared.isdigit() and int(declared) <= cap else None
    messages, size = deque(), 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        size += len(message.get("body", b""))
        if size > cap:
            return None
        if not message.get("more_body"):
            break

    async def replay():
        return messages.popleft() if messages else await receive()

    return replay


def _nonced(send, nonce: str):
    """Give every inline and module <script> of an HTML page this response's nonce (and fix its length)."""
    state = {"start": None, "chunks": []}

    async def wrapped(message):
        if message["type"] == "http.response.start":
            content_type = dict(message.get("headers", [])).get(b"content-type", b"")
            if not content_type.startswith(b"text/html"):
                return await send(message)
            state["start"] = message
            return None
        if state["start"] is None:
            return await send(message)
        state["chunks"].append(message.get("body", b""))
        if message.get("more_body"):
            return None
        body = _SCRIPT_TAG.sub(b'<script nonce="' + nonce.encode() + b'"', b"".join(state["chunks"]))
        start = state["start"]
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        await send({**start, "headers": headers + [(b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    return wrapped
