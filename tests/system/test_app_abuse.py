"""The web app under abuse, against a real `python app.py` on 127.0.0.1 (issue 11's table, row by row).

Each test speaks for its own client through X-Forwarded-For (the app trusts its loopback proxy, as behind the
clinic's HTTPS host), so one test's rate limit or lockout never touches another's. Browser-visible rows
(banner, Clear, markup, maximum length) are in test_app_browser.py; the staff's view of sign-ins in
test_staff_browser.py.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.helpers import free_port, stop, wait_for_http

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"
EMBED = "https://www.clinic.example"
LIMIT = 1000

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def seed_log(data: Path) -> None:
    """A chat log as an app left it: one conversation 40 days old, one from yesterday."""
    data.mkdir(parents=True)
    with sqlite3.connect(data / "chatlog.sqlite") as db:
        db.execute(
            "create table exchanges (id integer primary key, at text not null, conversation text not null, "
            "question text not null, kind text not null, answer_json text not null, settings_json text not null, "
            "rating integer, comment text)"
        )
        for days, conversation in ((40, "old0000000"), (1, "recent0000")):
            at = (dt.datetime.now() - dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S")
            db.execute(
                "insert into exchanges (at, conversation, question, kind, answer_json, settings_json) "
                "values (?, ?, 'is it safe?', 'answer', '{}', '{}')",
                (at, conversation),
            )


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The real app: (url, tmp dir). CLINICBOT_PORT says one port and --port another: the flag must win."""
    tmp = tmp_path_factory.mktemp("abuse")
    shutil.copytree(REPO / "corpus", tmp / "corpus")
    seed_log(tmp / "data")
    port = free_port()
    env = {
        **os.environ,
        "CLINICBOT_INDEX_DIR": str(tmp / "index"),
        "CLINICBOT_DATA_DIR": str(tmp / "data"),
        "CLINICBOT_CORPUS_DIR": str(tmp / "corpus"),
        "CLINICBOT_PORT": str(free_port()),
        "CLINICBOT_STAFF_PASSWORD": PASSWORD,
        "CLINICBOT_EMBED_ORIGINS": EMBED,
        "CLINICBOT_TRUSTED_PROXIES": "127.0.0.1",  # the clinic's proxy on this machine: tests speak through it
        "GRADIO_TEMP_DIR": str(tmp / "gradio"),
        "CLINICBOT_RATE_BURST": "3",
        "CLINICBOT_RATE_PER_MINUTE": "1",
        "CLINICBOT_LOGIN_BACKOFF_SECONDS": "0.01",
        "GRADIO_ANALYTICS_ENABLED": "False",
    }
    stderr = open(tmp / "stderr.txt", "w")  # the server's log: no traceback may be in it
    proc = subprocess.Popen(
        [sys.executable, "app.py", "--host", "127.0.0.1", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )
    url = f"http://127.0.0.1:{port}"
    wait_for_http(f"{url}/healthz", proc, 180, "the app")
    yield url, tmp
    stop(proc)
    stderr.close()


def client(url: str, **headers) -> httpx.Client:
    """An HTTP client speaking for its own address (a fresh one per call unless given)."""
    headers.setdefault(
        "X-Forwarded-For", f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    )
    return httpx.Client(base_url=url, headers=headers, timeout=60, follow_redirects=False)


def sign_in(url: str, **headers) -> httpx.Client:
    c = client(url, **headers)
    response = c.post("/staff/login", data={"username": "staff", "password": PASSWORD})
    assert response.status_code == 303, response.text
    return c


def upload(c: httpx.Client, prefix: str, name: str, data: bytes) -> httpx.Response:
    return c.post(f"{prefix}/gradio_api/upload", files={"files": (name, data, "application/octet-stream")})


def test_anonymous_uploads_are_refused_on_both_apps(app):
    url, tmp = app
    c = client(url)
    public = upload(c, "", "blob.bin", b"\x00" * 1000)
    assert public.status_code == 403 and "does not accept files" in public.text
    staff = upload(c, "/staff", "blob.bin", b"\x00" * 1000)
    assert staff.status_code == 401
    assert not any(p.is_file() for p in (tmp / "gradio").rglob("blob.bin"))  # nothing was stored


def test_staff_files_are_served_only_with_a_staff_session(app):
    url, tmp = app
    staff = sign_in(url)
    stored = upload(staff, "/staff", "draft.pdf", b"MZ not really a pdf")
    assert stored.status_code == 200
    [path] = stored.json()
    assert staff.get(f"/staff/gradio_api/file={path}").content == b"MZ not really a pdf"  # staff can read it back
    anonymous = client(url)
    assert anonymous.get(f"/gradio_api/file={path}").status_code == 404  # the public app serves no file
    assert anonymous.get(f"/gradio_api/file/{path}").status_code == 404
    assert anonymous.get(f"/staff/gradio_api/file={path}").status_code == 401
    drafts = tmp / "data" / "uploads"
    drafts.mkdir(parents=True, exist_ok=True)
    (drafts / "unpublished.md").write_text("draft")
    assert anonymous.get(f"/gradio_api/file={drafts / 'unpublished.md'}").status_code == 404
    # what the public app would cache is no more the staff app's to serve than the other way round
    [public_folder] = (tmp / "gradio").glob("clinicbot-public-*")
    (public_folder / "cached.txt").write_text("patient page's own")
    assert staff.get(f"/staff/gradio_api/file={public_folder / 'cached.txt'}").status_code == 403


def test_ten_wrong_passwords_lock_that_client_out_but_not_the_right_person_elsewhere(app):
    url, _ = app
    guesser = client(url)
    wrong = 0
    while wrong < 10:  # as fast as the app lets a client guess: back-off refusals do not count
        response = guesser.post("/staff/login", data={"username": "staff", "password": f"guess {wrong}"})
        if response.status_code == 400:
            wrong += 1
            assert "Incorrect user name or password" in response.text
        else:
            assert response.status_code == 429 and "Wait" in response.text
            time.sleep(float(response.headers["retry-after"]))
    locked = guesser.post("/staff/login", data={"username": "staff", "password": PASSWORD})
    assert (
        locked.status_code == 429 and "locked for about 15 minute" in locked.text and "set-cookie" not in locked.headers
    )
    elsewhere = client(url).post("/staff/login", data={"username": "staff", "password": PASSWORD})
    assert elsewhere.status_code == 303 and "clinicbot-staff=" in elsewhere.headers["set-cookie"]


def test_session_cookie_is_httponly_samesite_and_secure_behind_https(app):
    url, _ = app
    response = client(url, **{"X-Forwarded-Proto": "https"}).post(
        "/staff/login", data={"username": "staff", "password": PASSWORD}
    )
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" in cookie
    assert "strict-transport-security" in response.headers


def test_an_overlong_message_is_refused_unread_and_stored_cut(app):
    from gradio_client import Client

    url, tmp = app
    huge = "why " * 25_000  # 100,000 characters
    refused = client(url).post("/gradio_api/call/ask", json={"data": [huge, "[]"]})
    assert refused.status_code == 413 and "Request too large" in refused.text
    over = Client(f"{url}/", verbose=False, headers={"X-Forwarded-For": "10.250.0.1"})
    answer = over.predict("is ketamine safe? " * 300, "[]", api_name="/ask")  # 5,400 characters: fits the request
    assert answer["kind"] == "invalid" and "too long" in answer["answer"] and "988" in answer["notice"]
    with sqlite3.connect(tmp / "data" / "chatlog.sqlite") as db:
        longest = db.execute("select max(length(question)) from exchanges").fetchone()[0]
    assert longest <= LIMIT


def test_one_client_over_the_rate_limit_is_told_to_slow_down_and_others_are_not(app):
    from gradio_client import Client

    url, _ = app
    eager = Client(f"{url}/", verbose=False, headers={"X-Forwarded-For": "10.250.0.2"})
    kinds = [
        eager.predict("how is ketamine given?", "[]", api_name="/ask") for _ in range(4)
    ]  # a burst of 3 is allowed
    assert [k["kind"] for k in kinds[:3]] == ["answer"] * 3
    assert kinds[3]["kind"] == "invalid" and "faster than I can answer" in kinds[3]["answer"]
    other = Client(f"{url}/", verbose=False, headers={"X-Forwarded-For": "10.250.0.3"})
    assert other.predict("how is ketamine given?", "[]", api_name="/ask")["kind"] == "answer"


def test_only_ask_is_a_public_api_and_no_traceback_reaches_a_client(app):
    from gradio_client import Client

    url, tmp = app
    info = client(url).get("/gradio_api/info").json()
    assert list(info["named_endpoints"]) == ["/ask"] and not info.get("unnamed_endpoints")
    api = Client(f"{url}/", verbose=False, headers={"X-Forwarded-For": "10.250.0.4"})
    for name in ("/rate", "/new_state", "/respond"):
        with pytest.raises(Exception) as refused:
            api.predict("x", api_name=name)
        assert "Traceback" not in str(refused.value)
    for path in (
        "/gradio_api/call/rate",
        "/gradio_api/run/respond",
        "/gradio_api/upload_progress",
        "/openapi.json",
        "/docs",
        "/gradio_api/runs",
        "/monitoring",
    ):
        response = client(url).request("POST" if "call" in path or "run/" in path else "GET", path)
        assert response.status_code in (403, 404) and "Traceback" not in response.text, path
    odd = api.predict(["not", "a", "string"], "{oops", api_name="/ask")  # wrong types: a plain answer, not a crash
    assert odd["kind"] in KINDS
    assert "Traceback" not in (tmp / "stderr.txt").read_text()


KINDS = ("answer", "no_answer", "crisis", "emergency", "refused", "off_topic", "invalid")


def test_security_headers_on_every_page(app):
    url, _ = app
    c = client(url)
    page = c.get("/")
    csp = page.headers["content-security-policy"]
    assert (
        f"frame-ancestors 'self' {EMBED}" in csp and "'unsafe-eval'" not in csp and "script-src 'self' 'nonce-" in csp
    )
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert page.text.count("<script") == page.text.count(f'<script nonce="{nonce}"')  # every script carries it
    assert page.headers["x-content-type-options"] == "nosniff" and page.headers["referrer-policy"] == "same-origin"
    article = c.get("/articles/ketamine-therapy-top-ten-things.txt")
    assert article.status_code == 200 and article.headers["x-content-type-options"] == "nosniff"
    login = c.get("/staff/login")
    assert (
        "frame-ancestors 'none'" in login.headers["content-security-policy"]
        and login.headers["x-frame-options"] == "DENY"
    )
    assert login.headers["cache-control"] == "no-store"


def test_conversations_past_retention_were_deleted_at_start(app):
    _, tmp = app
    with sqlite3.connect(tmp / "data" / "chatlog.sqlite") as db:
        kept = {c for (c,) in db.execute("select distinct conversation from exchanges")}
    assert "old0000000" not in kept and "recent0000" in kept


def test_an_upload_whose_name_carries_a_path_is_refused(app):
    url, tmp = app
    staff = sign_in(url)
    [path] = upload(staff, "/staff", "../../evil.md", b"# Evil\n\nText about infusions here.").json()
    assert Path(path).name == "evil.md"  # Gradio keeps only the base name of what it stores
    note = trigger(
        staff,
        "upload",
        "upload",
        [[{"path": path, "orig_name": "../../evil.md", "meta": {"_type": "gradio.FileData"}}], None],
    )
    assert "'../../evil.md': use a plain file name like guide.pdf" in note.replace(
        "\\", ""
    )  # Markdown-escaped on the page
    assert not (tmp / "data" / "uploads" / "evil.md").exists()
    note = trigger(
        staff,
        "upload",
        "upload",
        [[{"path": "/etc/passwd", "orig_name": "passwd.txt", "meta": {"_type": "gradio.FileData"}}], None],
    )
    assert "passwd" not in note and not (tmp / "data" / "uploads" / "passwd.txt").exists()


def trigger(c: httpx.Client, elem_id: str, event: str, data: list) -> str:
    """Fire a staff page event through Gradio's queue as a crafted request would; the first output's text."""
    config = c.get("/staff/config").json()
    component = next(comp["id"] for comp in config["components"] if comp.get("props", {}).get("elem_id") == elem_id)
    fn = next(d["id"] for d in config["dependencies"] if [component, event] in [list(t) for t in d["targets"]])
    session = uuid.uuid4().hex
    joined = c.post(
        "/staff/gradio_api/queue/join",
        json={"data": data, "fn_index": fn, "trigger_id": component, "session_hash": session, "event_data": None},
    )
    assert joined.status_code == 200, joined.text
    with c.stream("GET", "/staff/gradio_api/queue/data", params={"session_hash": session}) as stream:
        for line in stream.iter_lines():
            if line.startswith("data:"):
                message = json.loads(line[5:])
                if message.get("msg") == "process_completed":
                    output = message.get("output", {})
                    return str(output.get("data", [output.get("error", "")])[0])
    raise AssertionError("no result")


def test_flags_are_documented_and_a_bad_value_is_a_clear_error():
    env = {**os.environ, "CLINICBOT_PORT": "7862"}
    shown = subprocess.run(
        [sys.executable, "app.py", "--port", "7863", "--help"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.returncode == 0
    for text in ("--host", "--port", "CLINICBOT_PORT", "CLINICBOT_EMBED_ORIGINS", "CLINICBOT_LOG_DAYS", "a flag wins"):
        assert text in shown.stdout, text
    for args, says in (
        (["--port", "70000"], "CLINICBOT_PORT (--port) must be between 1 and 65535"),
        (["--port", "abc"], "argument --port: invalid int value"),
        (["--host", ""], "CLINICBOT_HOST (--host)"),
    ):
        bad = subprocess.run(
            [sys.executable, "app.py", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
        )
        assert bad.returncode == 2 and says in bad.stderr, bad.stderr
    bad_env = subprocess.run(
        [sys.executable, "app.py"],
        cwd=REPO,
        env={**env, "CLINICBOT_RATE_BURST": "lots"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad_env.returncode == 2 and "CLINICBOT_RATE_BURST: expected a number, got 'lots'" in bad_env.stderr
