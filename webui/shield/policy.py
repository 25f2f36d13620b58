"""What the web app lets through, decided from the request line alone (pure functions, no I/O).

The public app (everything outside /staff) is an allowlist: the patient page, what its browser code and
gradio_client need, the /ask API, the articles. Anything else Gradio offers (uploads, /file= downloads,
proxies, run history, monitoring, other endpoints' HTTP routes) answers 404 before Gradio sees it.
The staff app needs a staff session for everything but its sign-in page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

STAFF = "/staff"
PUBLIC_API = "ask"  # the one endpoint gradio_client may call by name
# Refusals that only an abusive client earns (a body over the limit, an upload to the patient page, a wrong
# or throttled staff password) are answered after this pause. It costs the server nothing (an asyncio sleep)
# and holds a client that sends one request after another to about one a second: unpaused, one such client
# had the app answer ~90 oversized requests a second, and the patients' p95 rose by half.
REFUSAL_PAUSE_S = 1.0

# GET/HEAD paths of the public app: the page, its assets and config, the queue's event stream, the API's
# description and result streams, and our own article and health routes.
_PUBLIC_GET = re.compile(
    r"^/(|config/?|theme\.css|favicon\.ico|robots\.txt|manifest\.json|pwa_icon(/\d+)?"
    r"|(assets|static|svelte)/[^?#]*"
    r"|articles/[^/]+|healthz"
    r"|gradio_api/(info/?|app_id/?|user/?|login_check/?|startup-events|theme\.css|queue/(data|status)"
    r"|heartbeat/[\w-]+|call/(v2/)?" + PUBLIC_API + r"/[\w-]+))$"
)
# POST paths: joining the queue (the page's own events), cancelling, and calling /ask.
_PUBLIC_POST = re.compile(r"^/gradio_api/(queue/join|cancel|reset/?|(call/v2|call|run|api)/" + PUBLIC_API + r"/?)$")
# Uploads and file downloads, named so the refusal can say what was refused.
_FILES = re.compile(r"^/(gradio_api/)?(upload|upload_progress|file=|file/|proxy=|stream/)")


@dataclass(frozen=True)
class Verdict:
    """What to do with a request: pass it on, or answer it here with a status and a plain sentence."""

    status: int = 0  # 0: pass it on
    message: str = ""
    location: str = ""  # for a redirect
    pause: bool = False  # answered after REFUSAL_PAUSE_S: only abuse earns this refusal

    @property
    def passes(self) -> bool:
        return self.status == 0


PASS = Verdict()


def is_staff(path: str) -> bool:
    return path == STAFF or path.startswith(STAFF + "/")


def public(method: str, path: str) -> Verdict:
    """The public app's allowlist."""
    if method in ("GET", "HEAD") and _PUBLIC_GET.match(path):
        return PASS
    if method == "POST" and _PUBLIC_POST.match(path):
        return PASS
    if _FILES.match(path):
        if method in ("GET", "HEAD"):
            return Verdict(404, "Not found.")
        return Verdict(403, "This page does not accept files.", pause=True)
    return Verdict(404, "Not found.")


def staff(method: str, path: str, signed_in: bool) -> Verdict:
    """The staff app: only the sign-in and sign-out pages without a session; the desk itself redirects to sign-in."""
    inner = path[len(STAFF) :] or "/"
    if inner in ("/login", "/login/", "/logout", "/logout/"):
        return PASS
    if signed_in:
        return PASS
    if method in ("GET", "HEAD") and inner == "/":
        return Verdict(303, "Please sign in.", location=f"{STAFF}/login")
    return Verdict(401, "Staff sign-in required.")


def html_page(method: str, path: str) -> bool:
    """Requests answered with one of Gradio's HTML pages, whose inline scripts get this response's nonce."""
    return method == "GET" and path in ("/", STAFF, STAFF + "/")
