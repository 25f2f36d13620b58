"""The staff desk at /staff in a real browser: quality runs, the answer inspector, feedback into eval cases.

Reuses the app, browser and helpers of tests/system/test_app_browser.py (this module gets its own app process).
Screenshots are saved in artifacts/staff-*.png for people to look at.
"""

from __future__ import annotations

import json
import re
import sqlite3

import pytest

from services.desk_records import EvalCases
from tests.helpers import storage_at
from tests.system.test_app_browser import REPO, SLOW, ask, dislike_with_comment, shot, staff_login
from tests.system.test_clinic_browser import axe_problems

pytestmark = [pytest.mark.browser, pytest.mark.slow]
GOLDEN = REPO / "evals" / "golden"


def app_settings(tmp) -> dict[str, str]:
    """The staff desk runs the clinic's own evaluation sets (CLINICBOT_EVALS_DIR): here a sample of the bundled
    ones (every 4th answer case, every conversation, every 20th safety message, crisis ones among them), so the
    quality run shows every part of its page in seconds; the full sets run in `make test`'s evaluation gate."""
    folder = tmp / "evals"
    folder.mkdir()
    for name, every in (("answers.jsonl", 4), ("conversations.jsonl", 1), ("safety.jsonl", 20)):
        rows = (GOLDEN / name).read_text(encoding="utf-8").splitlines()
        (folder / name).write_text("\n".join(rows[::every]) + "\n", encoding="utf-8")
    return {"CLINICBOT_EVALS_DIR": str(folder)}


def open_desk(browser, url: str, tab: str):
    """A logged-in staff page showing one tab."""
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    staff_login(page, url)
    page.get_by_text("clinicbot staff desk").wait_for(timeout=30_000)
    page.get_by_role("tab", name=tab).click()
    return page


def inspect(page, question: str) -> str:
    """Ask the inspector and return the card shown (the answer and the decisions behind it, in words)."""
    card = page.locator("#inspect-card")
    before = card.inner_text()
    page.locator("#inspect-question textarea").fill(question)
    page.locator("#inspect-question textarea").press("Enter")
    # the card of the question before stays on screen, under Gradio's progress text ("processing | 0.6s", "0.2s"),
    # until the new one is drawn: wait for a new card with nothing before its "Reply:"
    for _ in range(SLOW // 200):
        text = card.inner_text().strip()
        if text.startswith("Reply:") and text != before.strip():
            return text
        page.wait_for_timeout(200)
    raise AssertionError(f"no new card for {question!r}: {card.inner_text()[:200]!r}")


def cell(page, row: int, col: int):
    """One visible cell of the table on screen (hidden tabs hold tables too)."""
    return page.get_by_test_id(f"cell-{row}-{col}").filter(visible=True)


def test_quality_tab_runs_the_evaluation_sets(app, browser):
    url, _ = app
    page = open_desk(browser, url, "Quality")
    page.locator("#run-evals").click()
    page.get_by_text(re.compile(r"case \d+ of \d+")).first.wait_for(timeout=SLOW)
    shot(page, "staff-quality-progress")
    summary = page.locator("#eval-summary")
    summary.get_by_text(re.compile("All enforced gates passed|Some enforced gates failed")).wait_for(timeout=5 * SLOW)
    for chart in ("#chart-history", "#chart-confusion", "#chart-topics", "#chart-answering"):
        page.locator(f"{chart} img").wait_for(timeout=SLOW)  # a picture, not a dump of numbers
    shot(page, "staff-quality-headline")
    text = summary.inner_text()
    # one set of headline figures, each split named in plain words (issue 26), the chart's text the same
    kept, tuned = text.split("Questions the system was tuned on")
    assert kept.startswith("Questions kept back") and "never used to tune" in tuned, text
    facts = re.search(r"(\d+)% of the expected facts", kept).group(1)
    page.get_by_text("The charts' numbers as text").click()
    assert "questions kept back" in page.locator("#chart-text").inner_text()
    assert f"\t{facts}%\t" in page.locator("#chart-text").inner_text()  # "Every fact found", the same figure
    assert re.search(r"The clinic's target is grade 8 or lower: (✅ met|❌ not met)\.", text), text
    # what each choice of how readily to answer gives on the clinic's own questions, its own choice named
    assert re.search(r"Balanced \(your setting\): answers \d+% of the questions the articles cover", text), text
    assert re.search(r"Be more careful: answers \d+% .* says \"not covered\" to \d+%", text), text
    # the clinic's own sets were run (CLINICBOT_EVALS_DIR), not the bundled ones: its count of safety messages
    sample = [json.loads(row) for row in (GOLDEN / "safety.jsonl").read_text().splitlines()[::20]]
    assert f"{sum(row['split'] == 'test' for row in sample)} safety messages" in kept, text
    failing = page.locator("#eval-failing")
    assert "case(s) failing" in page.locator("#eval-failing-note").inner_text()
    headers = failing.locator("thead").inner_text()
    assert "the reply a patient would get" in headers and "what was wrong" in headers  # never "1 2 3"
    assert "{" not in failing.inner_text() and "['" not in failing.inner_text()  # no JSON or Python lists
    assert ".txt" not in failing.inner_text()  # articles named by their titles, not file names
    assert axe_problems(page) == []  # WCAG 2.1 AA with the charts and tables drawn

    # a failing case, picked by a click on its row, with its reply and one action: an approved answer
    first = cell(page, 0, 0).inner_text()
    cell(page, 0, 0).click()
    detail = page.locator("#failing-detail")
    detail.get_by_text("The reply a patient would get:").wait_for(timeout=SLOW)
    assert first in detail.inner_text()
    shot(page, "staff-failing-actions")
    page.locator("#failing-answer").click()
    questions = page.locator("#approved-questions textarea")
    questions.wait_for(state="visible", timeout=SLOW)  # the Articles tab, opened at the approved answer form
    page.wait_for_timeout(500)
    assert questions.input_value() == first


def test_inspect_tab_explains_the_decision_in_words(app, browser):
    url, _ = app
    page = open_desk(browser, url, "Inspect an answer")
    card = inspect(page, "how is spravato given?")
    shot(page, "staff-inspect-words")
    assert "Reply: answered" in card and "Safety check: passed (ordinary question)" in card
    assert re.search(r"The best sentence matched \d+ of the question's \d+ key words\.", card), card
    assert re.search(r"The best passage found was a (close|partial|weak) match in meaning\.", card), card
    assert not re.search(r"\d\.\d", card) and "{" not in card  # no raw scores like 0.0164 (issue 26)
    passages = page.locator("#inspect-evidence").inner_text()
    assert "how close in meaning" in passages and re.search(r"\b(close|partial|weak)\b", passages)
    sentences = page.locator("#inspect-sentences").inner_text()
    assert re.search(r"\d+ of \d+\s+yes", sentences), sentences
    assert not page.locator("#inspect-trace").is_visible()  # the raw trace is behind the toggle
    page.get_by_text("Raw trace (for engineers)").click()
    page.locator("#inspect-trace").wait_for(state="visible")

    card = inspect(page, "is there parking at the clinic")
    assert "Reply: not covered" in card
    assert "not sure the articles answer this" in card and not re.search(r"\d\.\d", card), card


def test_feedback_shows_what_the_patient_was_told_and_flags_a_crisis_once(app, browser):
    url, data = app
    patient = browser.new_page()
    patient.goto(url)
    ask(patient, "is spravato a nasal spray or a shot?")
    dislike_with_comment(patient, "it did not say how often the spray is used")
    ask(patient, "how long does an IV infusion take?")
    worried = browser.new_page()
    worried.goto(url)
    ask(worried, "i want to end my life tonight", wait_for="988")
    ask(worried, "what is esketamine?", wait_for=None)  # the conversation goes on: it is flagged once

    staff = open_desk(browser, url, "Feedback")
    for _ in range(60):  # until the last exchange is logged
        staff.locator("#refresh-feedback").click()
        staff.wait_for_timeout(1000)
        if cell(staff, 0, 3).count() and cell(staff, 0, 3).inner_text() == "what is esketamine?":
            break  # newest first
    table = staff.locator("#feedback").inner_text()
    assert table.count("⚠️ crisis") == 1 and cell(staff, 0, 0).inner_text() == "⚠️ crisis"
    assert cell(staff, 1, 0).inner_text() == ""  # the crisis turn itself is not pinned above the rest
    assert "988" in cell(staff, 1, 4).inner_text()  # what the patient was told, not "crisis help"
    disliked = next(r for r in range(6) if cell(staff, r, 3).inner_text() == "is spravato a nasal spray or a shot?")
    assert cell(staff, disliked, 5).inner_text() == "👎" and "[1]" in cell(staff, disliked, 4).inner_text()
    exchange = cell(staff, disliked, 1).inner_text()
    shot(staff, "staff-feedback-review")
    staff.get_by_label("Answer #").fill(exchange)  # expected kind stays "answer", the dropdown's default
    staff.get_by_label("Expected source file(s), comma-separated").fill("ketamine-research-latest-findings.txt")
    staff.get_by_label("Facts the answer must contain, comma-separated").fill("nasal spray, Spravato")
    staff.get_by_role("button", name="Add as an evaluation case").click()
    staff.get_by_text(f"Added case fb-{exchange} to the dev split.").wait_for(timeout=SLOW)
    shot(staff, "staff-feedback-case-added")
    case = EvalCases(storage_at(data / "chatlog.sqlite")).rows()[-1]  # the app's own database
    assert case == {
        "id": f"fb-{exchange}",
        "split": "dev",
        "topic": "feedback",
        "question": "is spravato a nasal spray or a shot?",
        "kind": "answer",
        "sources": ["ketamine-research-latest-findings.txt"],
        "facts": ["nasal spray", "Spravato"],
    }


def test_wrong_passwords_are_listed_for_staff_in_plain_words(app, browser):
    url, _ = app
    guesser = browser.new_page()
    staff_login(guesser, url, "not the password")
    guesser.get_by_text("Incorrect user name or password").wait_for(timeout=30_000)
    page = open_desk(browser, url, "Sign-ins")
    page.locator("#refresh-signins").click()
    table = page.locator("#signins")
    table.get_by_text("wrong password").filter(visible=True).first.wait_for(timeout=SLOW)
    shot(page, "staff-sign-ins")
    text = table.inner_text()
    assert "signed in" in text and "127.0.0.1" in text and "{" not in text


def test_a_conversation_is_deleted_on_the_patients_request(app, browser):
    url, data = app
    patient = browser.new_page()
    patient.goto(url)
    ask(patient, "what is esketamine?")
    reference = re.search(r"reference: (\w{8})", patient.locator("#conversation-ref").inner_text()).group(1)
    staff = open_desk(browser, url, "Feedback")
    staff.locator("#delete-reference textarea").fill(reference)
    staff.locator("#delete-conversation").click()
    staff.locator("#delete-status").get_by_text(f"Deleted conversation {reference}: 1 exchange(s).").wait_for(
        timeout=SLOW
    )
    with sqlite3.connect(data / "chatlog.sqlite") as db:
        assert (
            db.execute("select count(*) from exchanges where conversation like ?", (reference + "%",)).fetchone()[0]
            == 0
        )
    staff.locator("#delete-reference textarea").fill(reference)
    staff.locator("#delete-conversation").click()
    staff.locator("#delete-status").get_by_text("Nothing deleted").wait_for(timeout=SLOW)
