"""Issue 14 in a real browser: the clinic's own contact details, answers a patient can read, accessibility
(axe-core, keyboard only), content gaps turned into approved answers, the profile edited on the desk, and an
editor's check that explains a regression. Screenshots in artifacts/clinic-*.png for people to look at.

Reuses the app, browser and helpers of tests/system/test_app_browser.py (this module gets its own app process).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from services.desk_records import PublishLog
from tests.helpers import storage_at
from tests.system.test_app_browser import REPO, SLOW, ask, fill_kept, shot, staff_login

pytestmark = [pytest.mark.browser, pytest.mark.slow]
AXE = REPO / ".cache" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_problems(page) -> list[str]:
    """Serious and critical WCAG 2.1 A/AA violations axe-core finds on the page as it is now. axe is injected
    through the DevTools protocol: the page's own Content-Security-Policy stays on."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: `make axe` (part of `make test`) fetches it from the npm registry")
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    found = page.evaluate(
        """async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => v.impact + ' ' + v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))""",
        WCAG_AA,
    )
    return found


def open_desk(browser, url: str, tab: str, width: int = 1300):
    page = browser.new_page(viewport={"width": width, "height": 1000})
    staff_login(page, url)
    page.get_by_text("clinicbot staff desk").first.wait_for(timeout=30_000)
    page.get_by_role("tab", name=tab).click()
    return page


def last_answer(page):
    return page.locator("#chat .message.bot").last


def test_contact_questions_get_the_clinics_own_details(app, browser):
    url, _ = app
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(url)
    assert page.locator("h1").inner_text() == "Ask Riverside Clinic about ketamine treatment"
    assert "(555) 010-0123" in page.locator("#notice").inner_text()  # the notice's contact line is the profile's
    chat = ask(page, "what is the clinic phone number?")
    shot(page, "clinic-contact-answer")
    assert "You can call Riverside Clinic at (555) 010-0123" in chat and "262-484-4035" not in chat
    assert "Riverside Clinic: contact details" in last_answer(page).inner_text()
    chat = ask(page, "how do I book an appointment?")
    assert "https://clinic.example/book" in chat and "request an appointment online" not in chat


def test_the_answer_is_said_once_with_sources_below_and_a_phone_shows_its_start(app, browser):
    url, _ = app
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    phone.goto(url)
    ask(phone, "what are the side effects of ketamine?")
    ask(phone, "how does ketamine work in the brain?")
    answer = last_answer(phone)
    top = answer.bounding_box()["y"]
    chat = phone.locator("#chat").bounding_box()
    phone.screenshot(path=str(REPO / "artifacts" / "clinic-phone-answer-start.png"))  # what the patient sees
    assert 0 <= top < 844 / 2, top  # the new answer's first line is on screen, not its sources or glossary
    assert chat["y"] <= top and chat["y"] + chat["height"] - top > 300  # with room below it to read on
    quote = answer.locator("details blockquote").first
    assert quote.is_hidden()  # each quote waits behind a click
    answer.locator("details summary").first.click()
    quote.wait_for(state="visible")
    text = answer.inner_text()
    body = text.split("Sources")[0]
    assert re.search(r"\[1\]", body) and text.count("Sources") == 1
    names = [link.inner_text() for link in answer.get_by_role("link").all()]
    assert names and len(set(names)) == len(names) and all(re.match(r"\[\d\] \w", n) for n in names), names
    assert phone.evaluate("document.documentElement.scrollWidth") <= 400
    shot(phone, "clinic-phone-quote-open")


def _press_until(page, key: str, focused: str, presses: int) -> bool:
    """Press `key` until the JavaScript test `focused` holds, at most `presses` times."""
    for _ in range(presses):
        page.keyboard.press(key)
        if page.evaluate(focused):
            return True
    return False


def test_a_patient_can_do_everything_with_the_keyboard(app, browser):
    url, _ = app
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(url)
    page.locator("#question textarea").wait_for()
    if not _press_until(page, "Tab", "document.activeElement.closest('#question') !== null", 40):  # from the top
        pytest.fail("the question box cannot be reached with Tab")
    page.keyboard.type("how is ketamine given?")
    page.keyboard.press("Enter")
    last_answer(page).get_by_text("Sources", exact=True).wait_for(timeout=SLOW)
    page.wait_for_timeout(1500)
    # back from the question box to the answer's last folded quote, and open it with Enter
    if not _press_until(page, "Shift+Tab", "document.activeElement.tagName === 'SUMMARY'", 80):
        pytest.fail("no source quote can be reached with the keyboard")
    page.keyboard.press("Enter")
    last_answer(page).locator("details[open] blockquote").first.wait_for(state="visible")
    shot(page, "clinic-keyboard-quote-open")
    page.locator("#new-conversation").focus()
    page.keyboard.press("Enter")
    page.locator("#chat .message").first.wait_for(state="detached", timeout=SLOW)


def test_every_page_meets_wcag_aa_by_axe_core(app, browser):
    url, _ = app
    patient = browser.new_page(viewport={"width": 1100, "height": 900})
    patient.goto(url)
    ask(patient, "how does ketamine work in the brain?")
    results = {"patient page": axe_problems(patient)}
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    phone.goto(url)
    ask(phone, "what is the clinic phone number?")
    results["patient page on a phone"] = axe_problems(phone)
    phone.goto(f"{url}/articles/ketamine-therapy-top-ten-things.txt")  # a citation's article page
    results["article page"] = axe_problems(phone)
    desk = open_desk(browser, url, "Inspect an answer")
    desk.locator("#inspect-question textarea").fill("how is spravato given?")
    desk.locator("#inspect-question textarea").press("Enter")
    desk.locator("#inspect-card").get_by_text("Reply:").wait_for(timeout=SLOW)
    for tab in ("Quality", "Inspect an answer", "Feedback", "Content gaps", "Sign-ins", "Articles"):
        desk.get_by_role("tab", name=tab).click()
        desk.wait_for_timeout(800)
        results[f"staff desk: {tab}"] = axe_problems(desk)
    shot(desk, "clinic-editor-desk")
    assert all(not found for found in results.values()), {k: v for k, v in results.items() if v}


def test_a_content_gap_becomes_an_approved_answer_through_the_check(app, browser):
    url, data = app
    patient = browser.new_page(viewport={"width": 1100, "height": 900})
    patient.goto(url)
    for question in (
        "is there parking at the clinic",
        "is there any parking at your clinic?",
        "does medicare pay for spravato",
    ):
        ask(patient, question, wait_for="don't cover")

    desk = open_desk(browser, url, "Content gaps")
    desk.locator("#refresh-gaps").click()
    cell(desk, 0, 0).get_by_text("does medicare pay for spravato").wait_for(timeout=SLOW)  # the newest group first
    shot(desk, "clinic-gaps")
    assert cell(desk, 1, 0).inner_text() == "is there parking at the clinic"
    assert cell(desk, 1, 1).inner_text() == "2" and cell(desk, 1, 2).inner_text() == "2 not answered"
    assert "is there any parking at your clinic?" in cell(desk, 1, 5).inner_text()
    choose(desk, "#gap-choice", "does medicare pay for spravato")
    desk.locator("#gap-out-of-scope").click()
    desk.locator("#gap-status").get_by_text("out of scope").wait_for(timeout=SLOW)
    cell(desk, 0, 0).get_by_text("is there parking at the clinic").wait_for(timeout=SLOW)  # the marked group is gone
    choose(desk, "#gap-choice", "is there parking at the clinic")
    desk.locator("#gap-answer").click()  # one click: the Articles tab opens with the group's questions filled in
    questions = desk.locator("#approved-questions textarea")
    questions.wait_for(state="visible")
    assert "is there any parking at your clinic?" in questions.input_value()
    desk.locator("#approved-answer textarea").fill("Yes. Free parking is in the garage behind the clinic.")
    desk.locator("#approved-reviewed textarea").fill("2026-11-29")
    desk.locator("#save-approved").click()
    desk.locator("#approved-status").get_by_text("Draft saved").wait_for(timeout=SLOW)
    # an approved answer that loses a fact patients were given before: the check must say so
    questions.fill("how long dose the iv take")
    desk.locator("#approved-answer textarea").fill("Plan to spend about an hour at the clinic.")
    desk.locator("#save-approved").click()
    desk.locator("#approved-status").get_by_text("how long dose the iv take").wait_for(timeout=SLOW)
    desk.get_by_text("Clinic profile: name, phone").click()
    phone = desk.locator("#profile-phone textarea")
    expect(phone).to_have_value("(555) 010-0123", timeout=SLOW)  # the section is drawn with the served profile
    fill_kept(phone, "(555) 010-0456")
    desk.locator("#profile-answering").get_by_text("Be more careful").click()
    desk.locator("#save-profile").click()
    status = desk.locator("#profile-status")
    status.get_by_text("Profile draft saved").wait_for(timeout=SLOW)
    assert "Phone: (555) 010-0456 (now: (555) 010-0123)" in status.inner_text()  # what was saved, in words
    assert re.search(
        r"How readily it answers: Be more careful: .* \(now: Balanced \(recommended\)\)", status.inner_text()
    )

    desk.locator("#check-add").click()
    report = desk.locator("#check-report")
    report.get_by_text("Checked:").wait_for(timeout=3 * SLOW)
    text = report.inner_text()
    shot(desk, "clinic-check-regression")
    assert "Changed the clinic profile and the approved answers" in text
    assert "now fail" in text and "Publishing needs a reason" in text
    assert re.search(
        r"now fails: how long dose the iv take\s+Before: [^\n]*40-60 minutes[^\n]*\s+After: Plan to spend", text
    ), text
    assert "now passes: is there any parking at your clinic?" in text  # the approved answer's own questions are cases
    desk.locator("#publish").click()
    desk.locator("#publish-status").get_by_text("To publish anyway, say why").wait_for(timeout=SLOW)
    desk.locator("#override-reason textarea").fill("the clinic asked for the shorter answer; article fix next week")
    desk.locator("#publish").click()
    desk.locator("#publish-status").get_by_text("Published.").wait_for(timeout=SLOW)
    published = PublishLog(storage_at(data / "chatlog.sqlite")).entries()[0]  # the app's own database
    assert published["override_reason"] == "the clinic asked for the shorter answer; article fix next week"

    patient.locator("#new-conversation").click()
    expect(patient.locator("#chat .message")).to_have_count(0, timeout=SLOW)
    chat = ask(patient, "is there any parking at your clinic?")
    assert "Free parking is in the garage behind the clinic" in chat and "Riverside Clinic's answer" in chat
    chat = ask(patient, "what is your phone number?")
    assert "(555) 010-0456" in chat
    shot(patient, "clinic-approved-answer")
    patient.reload()
    expect(patient.locator("#notice")).to_contain_text("(555) 010-0456", timeout=SLOW)  # the notice of the new profile


def cell(page, row: int, col: int):
    """One visible cell of the table on screen (hidden tabs and Gradio's measuring copy hold tables too)."""
    return page.get_by_test_id(f"cell-{row}-{col}").filter(visible=True)


def choose(page, dropdown: str, option: str) -> None:
    """Pick an option of a Gradio dropdown as a person does: type to filter, click the option."""
    page.locator(f"{dropdown} input").fill(option)
    page.get_by_role("option", name=option).first.click()
