"""App wiring without a browser: staff sign-in needs a password, articles are served safely."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from services.chatlog import SignInLog
from tests.helpers import storage_at

pytestmark = pytest.mark.slow


@pytest.fixture
def client_for(corpus_bot):
    from app import create_app

    def make(**changes):
        return TestClient(create_app(corpus_bot.settings.with_(**changes), corpus_bot))

    return make


def test_without_a_staff_password_the_staff_desk_refuses_to_offer_a_login(client_for):
    client = client_for(staff_password=None)
    page = client.get("/staff/").text  # redirected to the sign-in page, which says sign-in is off
    assert "Staff sign-in is turned off" in page and "CLINICBOT_STAFF_PASSWORD" in page and "<form" not in page
    assert client.post("/staff/login", data={"username": "staff", "password": ""}).status_code == 404
    assert client.get("/staff/config").status_code in (401, 404)


def test_with_a_password_the_staff_desk_is_behind_a_login(client_for):
    client = client_for(staff_password="s3cret")
    config = client.get("/staff/config")
    assert config.status_code == 401 and "clinicbot staff desk" not in config.text
    refused = client.post("/staff/login", data={"username": "staff", "password": "wrong"})
    assert refused.status_code == 400 and "Incorrect user name or password" in refused.text
    accepted = client.post("/staff/login", data={"username": "staff", "password": "s3cret"}, follow_redirects=False)
    assert accepted.status_code == 303 and accepted.headers["location"] == "/staff/"
    cookie = accepted.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/staff" in cookie
    assert "secure" not in cookie  # plain http here; behind HTTPS the cookie is Secure (test_app_abuse)
    assert "clinicbot staff desk" in client.get("/staff/config").text
    page = client.get("/staff/logout")  # a link (another site's too) only asks: the desk stays signed in
    assert "Sign out of the staff desk?" in page.text and "clinicbot staff desk" in client.get("/staff/config").text
    client.post("/staff/logout")
    assert client.get("/staff/config").status_code == 401


def test_article_route_serves_only_published_articles(client_for):
    client = client_for()
    page = client.get("/articles/ketamine-therapy-top-ten-things.txt")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "4. Treatment Protocols" in page.text and "Get More Media Coverage" not in page.text
    assert client.get("/articles/_glossary.yml").status_code == 404
    assert client.get("/articles/..%2F..%2Fetc%2Fpasswd").status_code == 404


def test_refused_sign_ins_are_on_the_sign_ins_list_once_per_lockout(client_for, tmp_path, monkeypatch):
    monkeypatch.setattr("webui.shield.signin.REFUSAL_PAUSE_S", 0)
    client = client_for(
        staff_password="s3cret", data_dir=tmp_path, login_max_failures=2, login_backoff_seconds=60
    )  # a 60 s wait after the first miss
    for _ in range(2):
        client.post("/staff/login", data={"username": "staff", "password": "wrong"})
    for _ in range(3):
        assert client.post("/staff/login", data={"username": "staff", "password": "s3cret"}).status_code == 429
    events = [e.event for e in SignInLog(storage_at(tmp_path / "chatlog.sqlite")).recent()]
    assert events.count("refused while locked") == 1 and events.count("wrong password") == 1  # then 4 refused


@pytest.mark.parametrize("path", ["/config", "/gradio_api/info", "/staff/config"])
def test_another_sites_scripts_get_no_cors_permission(client_for, path):
    """Issue 25: Gradio answered any Origin with credentials when the Host was not localhost, so a page on
    any site could read the app's answers with the visitor's cookies. Only the clinic's own sites may."""
    client = client_for(staff_password="s3cret", embed_origins=("https://www.clinic.example",))
    for method in (client.get, client.options):
        foreign = method(
            path,
            headers={
                "Host": "chat.clinic.example",
                "Origin": "https://evil.example",
                "Access-Control-Request-Method": "GET",
            },
        )
        assert "access-control-allow-origin" not in foreign.headers
        assert "access-control-allow-credentials" not in foreign.headers
    own = client.get("/config", headers={"Host": "chat.clinic.example", "Origin": "https://www.clinic.example"})
    assert own.status_code == 200


def test_a_patients_conversation_cannot_be_joined_by_whoever_learns_its_session_id(client_for):
    """Issue 25: the Gradio session id is in queue/data URLs (and so in proxy logs); joining the queue with it
    would send back that patient's whole conversation. The first visitor to use a session id owns it."""
    patient = client_for()
    stranger = TestClient(patient.app)  # the same app, another browser
    assert "clinicbot-visitor" in patient.get("/").cookies
    assert "clinicbot-visitor" in stranger.get("/").cookies
    join = {"data": ["is it safe?", None], "fn_index": 0, "session_hash": "patient-session-1"}
    assert patient.post("/gradio_api/queue/join", json=join).status_code != 403
    for attempt in (
        lambda c: c.post("/gradio_api/queue/join", json=join),
        lambda c: c.post("/gradio_api/cancel", json={"session_hash": "patient-session-1", "event_id": "x"}),
        lambda c: c.get("/gradio_api/queue/status?session_hash=patient-session-1"),
    ):
        refused = attempt(stranger)
        assert refused.status_code == 403 and "belongs to another visitor" in refused.text
    assert (
        patient.post("/gradio_api/cancel", json={"session_hash": "patient-session-1", "event_id": "x"}).status_code
        != 403
    )
