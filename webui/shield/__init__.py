"""The web app's defences, in front of both Gradio apps: what may be reached (policy), request size,
security headers (middleware), and staff sign-in with throttling (signin)."""

from __future__ import annotations

from webui.shield.middleware import Shield
from webui.shield.signin import StaffSessions, add_signin_routes

__all__ = ["Shield", "StaffSessions", "add_signin_routes", "install"]


def install(app, settings, sessions: StaffSessions) -> None:
    """Put the Shield in front of everything the outer app serves (added last, so it runs first)."""
    app.add_middleware(
        Shield,
        body_cap=settings.max_request_kb * 1024,
        embed_origins=settings.embed_origins,
        signed_in=sessions.signed_in,
    )
