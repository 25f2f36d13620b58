"""The staff desk at /staff in a real browser: quality runs, the answer inspector, feedback into eval cases.

Reuses the app, browser and helpers of tests/test_app_browser.py (this module gets its own app process).
Screenshots are saved in artifacts/staff-*.png for people to look at.
"""
from __future__ import annotations

import json
import re
import sqlite3

import pytest

from tests.test_app_browser import (  # noqa: F401 (app, browser are fixtures)
    SLOW, app, ask, browser, dislike_with_comment, shot, staff_login)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def open_desk(browser, url: str, tab: str):
    """A logged-in staff page showing one tab."""
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    staff_login(page, url)
    page.get_by_text("clinicbot staff desk").wait_for(timeout=30_000)
    page.get_by_role("tab", name=tab).click()
    return page


def inspect(page, question: str) -> str:
    """Ask the inspector, open every folded node, and return the JSON shown (one line, token newlines dropped)."""
    page.locator("#inspect-question textarea").fill(question)
    page.locator("#inspect-question textarea").press("Enter")
    trace = page.locator("#inspect-trace")
    trace.get_by_text(f'"{question}"').first.wait_for(timeout=SLOW)
    while trace.locator("button[aria-label=Expand]").count():  # what a staff member clicks open to read
        trace.locator("button[aria-label=Expand]").first.click()
    return re.sub(r"\s*\n\s*", "", trace.inner_text())


def cell(page, row: int, col: int):
    """One visible cell of the table on screen (hidden tabs hold tables too)."""
    return page.get_by_test_id(f"cell-{row}-{col}").filter(visible=True)


def test_quality_tab_runs_the_evaluation_sets(app, browser):
    url, _ = app
    page = open_desk(browser, url, "Quality")
    page.locator("#run-evals").click()
    page.get_by_text(re.compile(r"case \d+ of \d+")).first.wait_for(timeout=SLOW)
    shot(page, "staff-quality-progress")
    page.locator("#eval-summary").get_by_text(re.compile("All enforced gates passed|Gates failed")).wait_for(timeout=5 * SLOW)
    figures = page.locator("#eval-table").inner_text()
    shot(page, "staff-quality-finished")
    assert "fact_recall" in figures and "crisis_recall" in figures, figures
    assert "safety confusion" in figures and re.search(r"^\s*crisis\s+\d", figures, re.M), figures
    assert re.search(r"^\s*emergency\s+\d", figures, re.M), figures


def test_inspect_tab_shows_scores_sentences_and_abstentions(app, browser):
    url, _ = app
    page = open_desk(browser, url, "Inspect an answer")
    trace = inspect(page, "how is spravato given?")
    page.locator("#inspect-trace").get_by_text('"evidence"').scroll_into_view_if_needed()
    shot(page, "staff-inspect-answer")
    assert '"kind":"answer"' in trace and '"guard":{"kind":"pass","reason":"ordinary question"' in trace
    assert all(f'"{score}":' in trace for score in ("dense", "lexical", "fused")) and '"chunk":"ketamine-' in trace
    assert re.search(r'"text":"[^"]*Spravato[^"]*","score":[^}]*"chosen":true', trace), trace

    trace = inspect(page, "is there parking at the clinic")
    page.locator("#inspect-trace").get_by_text('"why"').scroll_into_view_if_needed()
    shot(page, "staff-inspect-abstain")
    assert '"kind":"no_answer"' in trace and "don't cover" in trace and '"abstain":true' in trace
    assert re.search(r'"abstain":"P\(answered by the articles\) 0\.\d+ < 0\.\d+"', trace), trace  # and why
    assert '"chosen":true' not in trace


def test_feedback_becomes_an_evaluation_case(app, browser):
    url, data = app
    patient = browser.new_page()
    patient.goto(url)
    ask(patient, "is spravato a nasal spray or a shot?")
    dislike_with_comment(patient, "it did not say how often the spray is used")
    ask(patient, "how long does an IV infusion take?")  # newer, but not disliked: listed after

    staff = open_desk(browser, url, "Feedback")
    staff.get_by_role("button", name="Refresh").click()
    cell(staff, 0, 5).get_by_text("it did not say how often").wait_for(timeout=SLOW)  # the thumbs-down comes first
    assert cell(staff, 0, 2).inner_text() == "is spravato a nasal spray or a shot?" and cell(staff, 0, 4).inner_text() == "-1"
    assert cell(staff, 1, 2).inner_text() == "how long does an IV infusion take?"
    exchange = cell(staff, 0, 0).inner_text()
    shot(staff, "staff-feedback-list")
    staff.get_by_label("Answer id").fill(exchange)  # expected kind stays "answer", the dropdown's default
    staff.get_by_label("Expected source file(s), comma-separated").fill("ketamine-research-latest-findings.txt")
    staff.get_by_label("Facts the answer must contain, comma-separated").fill("nasal spray, Spravato")
    staff.get_by_role("button", name="Add as an evaluation case").click()
    staff.get_by_text(f"Added case fb-{exchange} to the dev split.").wait_for(timeout=SLOW)
    shot(staff, "staff-feedback-case-added")
    case = json.loads((data / "eval_cases.jsonl").read_text().splitlines()[-1])
    assert case == {"id": f"fb-{exchange}", "split": "dev", "topic": "feedback", "question": "is spravato a nasal spray or a shot?",
                    "kind": "answer", "sources": ["ketamine-research-latest-findings.txt"], "facts": ["nasal spray", "Spravato"]}


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
    staff.locator("#delete-status").get_by_text(f"Deleted conversation {reference}: 1 exchange(s).").wait_for(timeout=SLOW)
    with sqlite3.connect(data / "chatlog.sqlite") as db:
        assert db.execute("select count(*) from exchanges where conversation like ?", (reference + "%",)).fetchone()[0] == 0
    staff.locator("#delete-reference textarea").fill(reference)
    staff.locator("#delete-conversation").click()
    staff.locator("#delete-status").get_by_text("Nothing deleted").wait_for(timeout=SLOW)
