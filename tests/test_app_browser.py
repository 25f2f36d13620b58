"""The search page in a real browser (Debian's Chromium driven by Playwright)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """The real app on the clinic's corpus, in its own process and index."""
    tmp = tmp_path_factory.mktemp("app")
    port = free_port()
    env = {**os.environ, "CLINICBOT_INDEX_DIR": str(tmp / "index"), "CLINICBOT_DATA_DIR": str(tmp / "data"),
           "CLINICBOT_CORPUS_DIR": str(REPO / "corpus"), "CLINICBOT_PORT": str(port), "GRADIO_ANALYTICS_ENABLED": "False"}
    subprocess.run([sys.executable, "-m", "ingest"], cwd=REPO, env=env, check=True, capture_output=True)
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("app did not start")
    yield url
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is missing: `make test` installs it (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser.new_page(viewport={"width": 1200, "height": 900})
        browser.close()


@pytest.mark.browser
@pytest.mark.slow
def test_search_page_shows_passages_with_article_and_section(app_url, page):
    page.goto(app_url)
    page.locator("#search-box textarea").fill("how long does an IV infusion take?")
    page.get_by_role("button", name="Search").click()
    results = page.locator("#results")
    results.get_by_text("4. Treatment Protocols").first.wait_for(timeout=30000)
    assert "40-60 minutes" in results.inner_text()
    assert "Top Ten Important Things" in results.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "search-page.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.slow
def test_search_page_never_renders_markup_from_input(app_url, page):
    page.goto(app_url)
    page.locator("#search-box textarea").fill("<img src=x onerror=alert(1)> side effects")
    page.get_by_role("button", name="Search").click()
    page.locator("#results").get_by_text("5. Safety Considerations").first.wait_for(timeout=30000)
    assert page.locator("img[src=x]").count() == 0
