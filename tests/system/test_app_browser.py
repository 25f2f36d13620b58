"""The web app in a real browser (Debian's Chromium via Playwright) and through gradio_client.

One app process serves a private copy of the corpus, so publishing and removing articles here
never touches the repository. Screenshots are saved in artifacts/ for people to look at.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.helpers import free_port, stop, wait_for_http

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
PASSWORD = "correct horse battery"
SLOW = 120_000  # ms: the editor's check runs the evaluation sets twice

pytestmark = [pytest.mark.browser, pytest.mark.slow]


EMBED_PORT = free_port()  # the clinic's own site, which may show the patient page in an iframe


@pytest.fixture(scope="module")
def app(tmp_path_factory, request):
    """The real app: (url, data dir) on a copy of the clinic's corpus. A module may set more of the app's
    settings with a function `app_settings(tmp folder) -> {variable: value}`."""
    tmp = tmp_path_factory.mktemp("app")
    shutil.copytree(REPO / "corpus", tmp / "corpus")
    port = free_port()
    env = {
        **os.environ,
        **getattr(request.module, "app_settings", lambda _: {})(tmp),
        "CLINICBOT_INDEX_DIR": str(tmp / "index"),
        "CLINICBOT_DATA_DIR": str(tmp / "data"),
        "CLINICBOT_CORPUS_DIR": str(tmp / "corpus"),
        "CLINICBOT_PORT": str(port),
        "CLINICBOT_STAFF_PASSWORD": PASSWORD,
        "CLINICBOT_EMBED_ORIGINS": f"http://localhost:{EMBED_PORT}",
        "GRADIO_ANALYTICS_ENABLED": "False",
    }
    proc = subprocess.Popen(
        [sys.executable, "app.py"], cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    wait_for_http(f"{url}/healthz", proc, 180, "the app")
    yield url, tmp / "data"
    stop(proc)


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is missing: `make test` installs it (apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def fill_kept(box, text: str, tries: int = 20) -> None:
    """Type into a box until the page keeps it. A box Gradio has only just drawn (a section opened for the first
    time) can be set back to its first value a moment later, dropping what was typed: seen on the profile's
    phone box, where the draft then saved the old number."""
    for _ in range(tries):
        box.fill(text)
        kept = True
        for _ in range(2):  # kept across two looks, 300 ms apart
            box.page.wait_for_timeout(300)
            kept = kept and box.input_value() == text
        if kept:
            return
    pytest.fail(f"the page kept setting the box back: {box}")


def ask(page, question: str, wait_for: str | None = "Sources") -> str:
    # locator waits, not wait_for_function: the page's Content-Security-Policy forbids evaluating strings
    before = page.locator("#chat .message").count()
    # how often the awaited text shows already: an earlier answer's "Sources" must not stand in for this one's
    seen = page.get_by_text(wait_for).count() if wait_for else 0
    page.locator("#question textarea").fill(question)
    page.locator("#ask").click()
    page.locator("#chat .message").nth(before + 1).wait_for(timeout=SLOW)
    if wait_for:
        deadline = time.monotonic() + SLOW / 1000
        while page.get_by_text(wait_for).count() <= seen:
            if time.monotonic() > deadline:
                shot(page, "failed-ask")  # what the patient saw instead
                raise AssertionError(f"no new {wait_for!r} after asking {question!r}")
            page.wait_for_timeout(100)
    page.wait_for_timeout(1500)  # let the streamed reply finish
    return page.locator("#chat").inner_text()


def dislike_with_comment(page, comment: str) -> None:
    """Thumbs down the last answer, then send a comment on it, as a patient does."""
    page.locator("#chat button[aria-label=Dislike]").last.click()
    page.get_by_text("Thank you for your feedback").wait_for(timeout=SLOW)
    page.locator("#comment textarea").fill(comment)
    page.locator("#send-comment").click()
    page.get_by_text("your comment was saved").wait_for(timeout=SLOW)


def check_then_publish(staff, button: str, change: str) -> None:
    """Run the editor's check, give a recorded reason if a gate failed, publish, and wait for it."""
    staff.locator(button).click()
    staff.locator("#check-report").get_by_text(change).wait_for(timeout=SLOW)
    if "Publishing needs a reason" in staff.locator("#check-report").inner_text():
        staff.locator("#override-reason textarea").fill("test article; a gate already failed before this change")
    staff.locator("#publish").click()
    staff.locator("#publish-status").get_by_text(change).wait_for(timeout=SLOW)


def staff_login(page, url: str, password: str = PASSWORD) -> None:
    page.goto(f"{url}/staff/")  # redirects to the sign-in page
    page.locator("input[name=username]").fill("staff")
    page.locator("input[name=password]").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_patient_sees_a_cited_answer_and_opens_the_source(app, browser):
    url, _ = app
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(url)
    assert "automated assistant, not a clinician" in page.locator("#notice").inner_text()
    chat = ask(page, "how long does an IV infusion take?")
    assert "40-60 minutes" in chat and "[1]" in chat and "Treatment Protocols" in chat
    shot(page, "patient-answer")
    with page.context.expect_page() as opened:
        page.locator("#chat .message.bot").last.get_by_role("link", name=re.compile(r"^\[1\] ")).click()
    article = opened.value
    article.wait_for_load_state()
    assert "Treatment Protocols" in article.inner_text("body") or "Ketamine" in article.inner_text("body")
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    phone.goto(url)
    ask(phone, "is ketamine safe?")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 400  # no sideways scrolling on a phone
    shot(phone, "patient-phone")


def test_crisis_message_shows_help_first(app, browser):
    url, _ = app
    page = browser.new_page()
    page.goto(url)
    chat = ask(page, "i cant do this anymore, i want to end it all", wait_for="Please get help now")
    assert page.locator("#crisis-banner").is_visible()
    assert "988" in page.locator("#crisis-banner").inner_text() and "988" in chat
    shot(page, "patient-crisis")
    page.locator("#new-conversation").click()
    page.locator("#crisis-banner").wait_for(state="hidden")


def test_markup_in_a_message_is_shown_as_text(app, browser):
    url, _ = app
    page = browser.new_page()
    page.goto(url)
    ask(page, "<img src=x onerror=alert(1)> what are the side effects?", wait_for=None)
    assert page.locator("#chat img[src=x]").count() == 0
    assert "<img src=x" in page.locator("#chat").inner_text()


def test_feedback_is_stored_with_its_comment(app, browser):
    url, data = app
    page = browser.new_page()
    page.goto(url)
    ask(page, "what is esketamine?")
    dislike_with_comment(page, "I wanted to know about cost, my email is a@b.com")
    with sqlite3.connect(data / "chatlog.sqlite") as db:
        rating, comment, answer = db.execute(
            "select rating, comment, answer_json from exchanges where question like '%esketamine%' order by id desc"
        ).fetchone()
    assert rating == -1 and "cost" in comment and "a@b.com" not in comment and '"kind": "answer"' in answer


def test_wrong_staff_password_is_refused(app, browser):
    url, _ = app
    page = browser.new_page()
    staff_login(page, url, "wrong password")
    page.get_by_text("Incorrect", exact=False).first.wait_for(timeout=30_000)
    shot(page, "staff-wrong-password")
    assert page.get_by_text("clinicbot staff desk").count() == 0


def test_editor_publishes_a_pdf_then_removes_it(app, browser, tmp_path):
    from tests.unit.test_load import make_pdf

    url, data = app
    pdf = make_pdf(
        tmp_path / "parking.pdf",
        title="Parking at the clinic",
        text="Parking at the clinic. Free patient parking is available in the garage on Elm Street behind "
        "the clinic building. The parking garage is open every day while the clinic is open.",
    )
    staff = browser.new_page(viewport={"width": 1200, "height": 1000})
    staff_login(staff, url)
    staff.get_by_text("clinicbot staff desk").wait_for(timeout=30_000)
    staff.get_by_role("tab", name="Articles").click()
    with staff.expect_file_chooser() as chooser:  # as an editor does: the upload button opens the file picker
        staff.locator("#upload").click()
    chooser.value.set_files(str(pdf))
    staff.get_by_text("parking.pdf: ready to preview").wait_for(timeout=SLOW)
    expect(staff.locator("#preview-text textarea")).to_have_value(re.compile("Elm Street"), timeout=SLOW)
    expect(staff.locator("#preview-reading")).to_contain_text(re.compile(r"Reading grade [\d.]+"), timeout=SLOW)
    expect(staff.locator("#preview-reading")).to_contain_text("Free patient parking is available in the garage")
    shot(staff, "editor-preview")
    check_then_publish(staff, "#check-add", "Added parking.pdf")
    shot(staff, "editor-published")

    patient = browser.new_page()
    patient.goto(url)
    chat = ask(patient, "where can i park my car for my appointment?")
    assert "Elm Street" in chat and "Parking at the clinic" in chat
    shot(patient, "patient-answer-from-upload")

    staff.locator("#remove-choice input").fill("parking.pdf")
    staff.get_by_role("option", name="parking.pdf").click()
    check_then_publish(staff, "#check-remove", "Removed parking.pdf")
    patient.locator("#new-conversation").click()
    expect(patient.locator("#chat .message")).to_have_count(0, timeout=SLOW)
    # the removed article is no longer served (what the bot says instead is the answer engine's business:
    # today another practice's "call us" line can still answer, issue 14, fixed on branch issue-14)
    chat = ask(patient, "where can i park my car for my appointment?", wait_for=None)
    assert "Elm Street" not in chat and "Parking at the clinic" not in chat


def test_api_answers_through_gradio_client(app):
    from gradio_client import Client

    url, _ = app
    client = Client(f"{url}/", verbose=False)
    answer = client.predict("how is ketamine given?", "[]", api_name="/ask")
    assert answer["kind"] == "answer" and answer["citations"] and answer["citations"][0]["quote"]
    crisis = client.predict("i want to kill myself", "[]", api_name="/ask")
    assert crisis["kind"] == "crisis" and "988" in crisis["answer"]


def csp_errors(page) -> list[str]:
    """Collects the page's console messages about its Content-Security-Policy, as they come."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    return errors


def test_the_page_works_under_its_content_security_policy(app, browser):
    url, _ = app
    page = browser.new_page()
    errors = csp_errors(page)
    page.goto(url)
    ask(page, "how is ketamine given?")
    staff = browser.new_page()
    errors += csp_errors(staff)
    staff_login(staff, url)
    staff.get_by_text("clinicbot staff desk").wait_for(timeout=30_000)
    assert errors == []


def test_an_emergency_shows_the_emergency_text_in_the_banner(app, browser):
    url, _ = app
    page = browser.new_page()
    page.goto(url)
    ask(
        page,
        "my husband just had an infusion and now he has crushing chest pain and can't breathe",
        wait_for="This may be an emergency",
    )
    banner = page.locator("#crisis-banner")
    banner.wait_for(state="visible")
    assert "Call 911" in banner.inner_text() and "988" not in banner.inner_text() and "sorry" not in banner.inner_text()
    shot(page, "patient-emergency")


def test_clearing_the_chat_after_a_crisis_forgets_banner_and_history(app, browser):
    url, _ = app
    page = browser.new_page()
    page.goto(url)
    ask(page, "i cant do this anymore, i want to end it all", wait_for="Please get help now")
    page.locator("#crisis-banner").wait_for(state="visible")
    page.locator("#chat button[aria-label=Clear]").click()  # the chat's own trash icon
    page.locator("#crisis-banner").wait_for(state="hidden")
    expect(page.locator("#chat .message")).to_have_count(0, timeout=SLOW)
    chat = ask(page, "how long does an IV infusion take?")
    assert "988" not in chat and "40-60 minutes" in chat  # no crisis line carried over from the cleared conversation
    assert page.locator("#crisis-banner").is_hidden()


def test_math_and_addresses_a_patient_types_stay_text(app, browser):
    url, _ = app
    page = browser.new_page()
    page.goto(url)
    chat = ask(page, "$$x^2$$ see http://example.com and **this** - is ketamine safe?", wait_for=None)
    assert "$$x^2$$" in chat and "**this**" in chat
    assert (
        page.locator("#chat .katex").count() == 0 and page.locator('#chat a[href^="http://example.com"]').count() == 0
    )


def test_the_question_box_takes_no_more_than_the_limit(app, browser):
    url, _ = app
    page = browser.new_page()
    page.goto(url)
    box = page.locator("#question textarea")
    box.fill("a" * 1500)
    assert box.get_attribute("maxlength") == "1000" and len(box.input_value()) == 1000


@pytest.fixture(scope="module")
def clinic_site(app):
    """A page on another origin holding the patient page in an iframe, as the clinic's website would."""
    import functools
    import http.server
    import threading

    url, _ = app
    body = (
        f'<!doctype html><title>Your clinic</title><iframe src="{url}/" style="width:900px;height:700px"></iframe>'
    ).encode()

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("content-type", "text/html")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", EMBED_PORT), functools.partial(Page))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield
    server.shutdown()


def test_the_clinics_own_site_may_embed_the_page_and_no_other(app, browser, clinic_site):
    clinic = browser.new_page()
    clinic.goto(f"http://localhost:{EMBED_PORT}/")  # the origin in CLINICBOT_EMBED_ORIGINS
    clinic.frame_locator("iframe").locator("#question textarea").wait_for(timeout=SLOW)
    other = browser.new_page()
    with other.expect_console_message(lambda m: "frame-ancestors" in m.text, timeout=SLOW):
        other.goto(f"http://127.0.0.1:{EMBED_PORT}/")  # the same page on an origin nobody listed
    assert other.frame_locator("iframe").locator("#question textarea").count() == 0
