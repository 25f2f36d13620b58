"""Staff sign-in: a plain HTML form at /staff/login (no script), throttled per client and per user name,
every failure and lockout logged for the staff desk, and a session cookie that scripts cannot read.

It replaces Gradio's own login form, which shows "Incorrect credentials" for a 400 and nothing at all
for any other status, so a lockout could not be explained to the person signing in.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import html
import logging
import secrets
import time
from typing import Callable

from fastapi import Request  # at module level: route annotations are resolved from this module's names
from sqlalchemy import delete, insert, select

from services.chatlog import SignInEvent, SignInLog
from services.storage.schema import staff_sessions
from services.throttle import SignInThrottle
from webui.shield.policy import REFUSAL_PAUSE_S  # a wrong or refused attempt waits; a right password never does

log = logging.getLogger("clinicbot")
COOKIE = "clinicbot-staff"


class StaffSessions:
    """Signed-in staff: a random token per sign-in, ending after `hours` or at sign-out. Kept in the shared
    database (services/storage) as a hash of the token, so every replica knows the session and a restart
    signs no one out; a copy of the table signs no one in."""

    def __init__(self, storage, hours: float, clock: Callable[[], float] = time.time):
        self.storage = storage
        self.seconds = hours * 3600
        self.clock = clock

    def start(self, user: str) -> str:
        token = secrets.token_urlsafe(32)
        with self.storage.transaction() as conn:
            conn.execute(delete(staff_sessions).where(staff_sessions.c.expires <= self.clock()))  # tidy as we go
            conn.execute(
                insert(staff_sessions).values(token_hash=_hash(token), user=user, expires=self.clock() + self.seconds)
            )
        return token

    def user(self, token: str | None) -> str | None:
        """The signed-in user name for a token, or None (unknown or expired)."""
        if not token:
            return None
        with self.storage.engine.connect() as conn:
            row = conn.execute(
                select(staff_sessions.c.user).where(
                    staff_sessions.c.token_hash == _hash(token), staff_sessions.c.expires > self.clock()
                )
            ).first()
        return row[0] if row else None

    def end(self, token: str | None) -> None:
        with self.storage.transaction() as conn:
            conn.execute(delete(staff_sessions).where(staff_sessions.c.token_hash == _hash(token or "")))

    def user_of_request(self, request) -> str | None:
        """Gradio's auth_dependency for the staff app: the user of the request's session cookie."""
        return self.user(request.cookies.get(COOKIE))

    def signed_in(self, scope: dict) -> bool:
        """For the middleware: does this raw request carry a live session cookie?"""
        from starlette.requests import HTTPConnection

        return self.user(HTTPConnection(scope).cookies.get(COOKIE)) is not None


def add_signin_routes(app, settings, sessions: StaffSessions, throttle: SignInThrottle, events: SignInLog) -> None:
    """GET/POST /staff/login and GET /staff/logout on the outer app (ahead of the /staff mount)."""
    from fastapi.responses import HTMLResponse, RedirectResponse

    @app.get("/staff/login", response_class=HTMLResponse)
    def login_form() -> HTMLResponse:
        return HTMLResponse(_page(settings))

    @app.post("/staff/login", response_class=HTMLResponse)
    async def login(request: Request):
        if not settings.staff_password:
            return HTMLResponse(_page(settings), status_code=404)
        form = await request.form()
        user, password = str(form.get("username", "")).strip()[:200], str(form.get("password", ""))
        client = request.client.host if request.client else ""
        decision = throttle.check(client, user)
        if not decision.allowed:
            if decision.first:  # once per wait, so a flood of refused attempts cannot flood the log
                events.add(SignInEvent("refused while locked", user, client, decision.message()))
            await asyncio.sleep(REFUSAL_PAUSE_S)
            return _refused(settings, decision.message(), decision.wait_s, 429)
        if _matches(user, settings.staff_user) & _matches(password, settings.staff_password):
            throttle.succeeded(client, user)
            events.add(SignInEvent("signed in", user, client))
            response = RedirectResponse("/staff/", status_code=303)
            response.set_cookie(
                COOKIE,
                sessions.start(user),
                max_age=int(sessions.seconds),
                path="/staff",
                httponly=True,
                samesite="lax",
                secure=request.url.scheme == "https",
            )
            return response
        after = throttle.failed(client, user)
        events.add(SignInEvent("wrong password", user, client))
        if after.locked:
            detail = f"{after.who} locked for {after.wait_s / 60:.0f} minutes: " + after.message()
            events.add(SignInEvent("locked out", user, client, detail))
            log.warning("staff sign-in: %s (user name %r, client %s)", detail, user, client)
        await asyncio.sleep(REFUSAL_PAUSE_S)
        return _refused(settings, "Incorrect user name or password. " + after.message(), after.wait_s, 400)

    @app.get("/staff/logout", response_class=HTMLResponse)
    def logout_form() -> HTMLResponse:
        """A page with a sign-out button: a GET changes nothing, so a link on another site cannot sign staff out."""
        return HTMLResponse(_logout_page())

    @app.post("/staff/logout")
    def logout(request: Request):
        """Sign out. The session cookie is SameSite=Lax, so another site's form cannot post it here."""
        sessions.end(request.cookies.get(COOKIE))
        response = RedirectResponse("/staff/login", status_code=303)
        response.delete_cookie(COOKIE, path="/staff")
        return response


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _matches(given: str, expected: str) -> bool:
    """Constant-time comparison, so the time taken tells nothing about how much of a guess was right."""
    return hmac.compare_digest(given.encode(), expected.encode())


def _refused(settings, message: str, wait_s: float, status: int):
    from fastapi.responses import HTMLResponse

    headers = {"Retry-After": str(max(1, round(wait_s)))} if wait_s else {}
    return HTMLResponse(_page(settings, message), status_code=status, headers=headers)


def _logout_page() -> str:
    form = '<form method="post" action="/staff/logout"><button type="submit">Sign out</button></form>'
    back = '<p><a href="/staff/">Back to the staff desk</a></p>'
    return _html("clinicbot staff sign-out", f"<h1>Sign out of the staff desk?</h1>{form}{back}")


def _page(settings, message: str = "") -> str:
    """The sign-in page (or, without a staff password, the page saying sign-in is off). No script at all."""
    if not settings.staff_password:
        body = (
            "<h1>Staff sign-in is turned off</h1><p>No staff password is set, so the staff desk will not start its "
            "login. Set <code>CLINICBOT_STAFF_PASSWORD</code> (and optionally <code>CLINICBOT_STAFF_USER</code>) "
            "and restart.</p>"
        )
    else:
        note = f'<p class="error" role="alert">{html.escape(message)}</p>' if message else ""
        body = (
            "<h1>clinicbot staff sign-in</h1>" + note + '<form method="post" action="/staff/login">'
            '<label>User name <input type="text" name="username" autocomplete="username" required></label>'
            '<label>Password <input type="password" name="password" autocomplete="current-password" required></label>'
            '<button type="submit">Sign in</button></form>'
        )
    return _html("clinicbot staff sign-in", body)


def _html(title: str, body: str) -> str:
    """A whole page of the sign-in flow, styled alike, with no script."""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
        f'content="width=device-width, initial-scale=1"><title>{title}</title><style>'
        "body{font-family:system-ui,sans-serif;max-width:26rem;margin:4rem auto;padding:0 1rem}"
        "label{display:block;margin:.8rem 0}input{display:block;width:100%;padding:.5rem;font-size:1rem}"
        "button{padding:.5rem 1.2rem;font-size:1rem}.error{color:#b00020;font-weight:600}"
        f"</style></head><body>{body}</body></html>"
    )
