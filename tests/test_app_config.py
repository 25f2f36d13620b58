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
    config = client.get("/staff/config").text
    assert "Staff sign-in is turned off" in config and "CLINICBOT_STAFF_PASSWORD" in config
    assert client.get("/staff/login").status_code in (404, 405) or "Incorrect" not in client.get("/staff/login").text


def test_with_a_password_the_staff_desk_is_behind_a_login(client_for):
    client = client_for(staff_password="s3cret")
    assert "clinicbot staff desk" not in client.get("/staff/config").text
    refused = client.post("/staff/login", data={"username": "staff", "password": "wrong"})
    assert refused.status_code == 400
    accepted = client.post("/staff/login", data={"username": "staff", "password": "s3cret"})
    assert accepted.status_code == 200


def test_article_route_serves_only_published_articles(client_for):
    client = client_for()
    page = client.get("/articles/ketamine-therapy-top-ten-things.txt")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/plain")
    assert "4. Treatment Protocols" in page.text and "Get More Media Coverage" not in page.text
    assert client.get("/articles/_glossary.yml").status_code == 404
    assert client.get("/articles/..%2F..%2Fetc%2Fpasswd").status_code == 404
