"""App wiring without a browser: staff sign-in needs a password, articles are served safely."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

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
    client.get("/staff/logout")
    assert client.get("/staff/config").status_code == 401


def test_article_route_serves_only_published_articles(client_for):
    client = client_for()
    page = client.get("/articles/ketamine-therapy-top-ten-things.txt")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "4. Treatment Protocols" in page.text and "Get More Media Coverage" not in page.text
    assert client.get("/articles/_glossary.yml").status_code == 404
    assert client.get("/articles/..%2F..%2Fetc%2Fpasswd").status_code == 404
