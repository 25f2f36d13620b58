"""Streaming in LLM mode, in a real browser: the patient sees the first verified sentence while the model is
still writing the second, with no 👍/👎 under it yet, then the whole answer with its sources, which can be rated.
The endpoint is the fake one (tests/fake_openai.py) so the pause between sentences is certain; the real server's
path is in test_llm_server.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fake_openai import Behaviour, FakeOpenAI
from tests.helpers import free_port, stop, wait_for_http
from tests.system.test_app_browser import CHROMIUM, CHROMIUM_ARGS, shot

REPO = Path(__file__).resolve().parents[2]
QUESTION = "where do people get ketamine treatment?"
SECTION = "6. Treatment Setting and Monitoring"
FIRST = (
    "Ketamine therapy is usually given in a clinical setting such as a doctor's office, infusion center or "
    "psychiatric clinic"
)
SECOND = "Ketamine therapy is typically given in a clinical setting such as an infusion center"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def llm_app(tmp_path_factory, corpus_index, corpus_bot):
    """The real app in LLM mode against an endpoint that pauses 6 s after the first sentence."""
    settings, _ = corpus_index
    n = next(i for i, e in enumerate(corpus_bot.search(QUESTION)[:5], start=1) if e.chunk.section == SECTION)
    tmp = tmp_path_factory.mktemp("llm-app")
    with FakeOpenAI() as fake:
        fake.behaviour = Behaviour(text=f"{FIRST} [{n}]. {SECOND} [{n}].", pause_after=len(FIRST.split()) + 2, pause=6)
        port = free_port()
        env = {
            **os.environ,
            "CLINICBOT_LLM": "openai",
            "CLINICBOT_LLM_BASE_URL": fake.url,
            "CLINICBOT_LLM_TIMEOUT": "60",
            "CLINICBOT_INDEX_DIR": str(settings.index_dir),
            "CLINICBOT_CORPUS_DIR": str(settings.corpus_dir),
            "CLINICBOT_DATA_DIR": str(tmp / "data"),
            "GRADIO_TEMP_DIR": str(tmp / "gradio"),
            "GRADIO_ANALYTICS_ENABLED": "False",
        }
        stderr = open(tmp / "stderr.txt", "w")
        proc = subprocess.Popen(
            [sys.executable, "app.py", "--port", str(port)], cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=stderr
        )
        url = f"http://127.0.0.1:{port}"
        wait_for_http(f"{url}/healthz", proc, 180, "the app")
        yield url, tmp / "stderr.txt"
        stop(proc)
        stderr.close()


def test_each_verified_sentence_is_shown_as_soon_as_it_passes(llm_app):
    from playwright.sync_api import sync_playwright

    url, log = llm_app
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(url)
        page.locator("#question textarea").fill(QUESTION)
        page.locator("#ask").click()
        first = until(page, lambda text: "psychiatric clinic" in text, log)
        thumbs_at_first = thumbs(page)
        page.wait_for_timeout(1500)  # the endpoint is still pausing (6 s): the answer is still being written
        later, thumbs_later = page.locator("#chat").inner_text(), thumbs(page)
        shot(page, "llm-streaming-first-sentence")
        whole = until(page, lambda text: "Sources" in text, log)
        page.wait_for_timeout(300)
        thumbs_whole = thumbs(page)
        shot(page, "llm-streaming-whole-answer")
        page.locator("#chat button[aria-label=Like]").last.click()
        rated = until(page, lambda text: "Thank you" in text, log, where="#feedback-status")
        browser.close()
    # while the model was still "thinking" about its second sentence, only the first was on screen, no sources yet,
    # in the finished answer's style: its [n] marker in bold
    assert "such as an infusion center" not in first and "Sources" not in first and "[" in first
    assert "such as an infusion center" not in later and "Sources" not in later
    # and no 👍/👎 under an answer that is still being written: there is nothing logged to rate yet
    assert thumbs_at_first == thumbs_later == (0, 0)
    assert "such as an infusion center" in whole and "[1]" in whole and "Sources" in whole
    assert thumbs_whole == (1, 1)  # the finished answer can be rated, and the rating is taken
    assert "Thank you for your feedback." in rated
    assert "Traceback" not in log.read_text()


def thumbs(page) -> tuple[int, int]:
    """How many 👍 and 👎 buttons the chat shows."""
    return tuple(page.locator(f"#chat button[aria-label={name}]:visible").count() for name in ("Like", "Dislike"))


def until(page, seen, log: Path, seconds: float = 60, where: str = "#chat") -> str:
    """The text of `where` (the chat) as soon as `seen(text)` holds (polled: the page's CSP forbids evaluated waits)."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        text = page.locator(where).inner_text()
        if seen(text):
            return text
        page.wait_for_timeout(100)
    shot(page, "llm-streaming-failed")
    raise AssertionError(f"{where} never showed it: {text[-500:]!r}; the app's log: {log.read_text()[-1500:]}")
