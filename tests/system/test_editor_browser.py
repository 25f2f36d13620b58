"""The content editor's desk in a real browser: approved answers opened, changed and saved as records; the upload
limit said where the editor looks; and the check explaining a change: gains, real regressions, gates in words.

The app runs with a small upload limit (CLINICBOT_MAX_FILE_MB) so a file just over it is quick to make.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from services.desk_records import CaseReviews
from tests.helpers import storage_at
from tests.system.test_app_browser import ARTIFACTS, REPO, SLOW, shot
from tests.system.test_clinic_browser import choose, open_desk

LIMIT_MB = 0.05  # above every article of the corpus, so the clinic's own files still load


def app_settings(tmp):
    return {"CLINICBOT_MAX_FILE_MB": str(LIMIT_MB)}


def answers_cell(page, row: int, col: int):
    """A visible cell of the approved answers' table."""
    return page.locator("#approved").get_by_test_id(f"cell-{row}-{col}").filter(visible=True)


def upload(page, path) -> None:
    with page.expect_file_chooser() as chooser:  # as an editor does: the upload button opens the file picker
        page.locator("#upload").click()
    chooser.value.set_files(str(path))


def test_an_approved_answer_opens_changes_and_keeps_its_other_wordings_and_a_big_upload_says_the_limit(
    app, browser, tmp_path
):
    url, _ = app
    desk = open_desk(browser, url, "Articles")
    assert f"up to {LIMIT_MB:g} MB each" in desk.locator("#upload").inner_text()  # said before any upload
    big = tmp_path / "guide.txt"
    big.write_text("Plain words for patients. " * 2400)  # 62,400 bytes: just over 0.05 MB
    upload(desk, big)
    status = desk.locator("#upload-status")
    status.get_by_text("guide.txt is 0.0624 MB; the limit is 0.05 MB").wait_for(timeout=SLOW)
    desk.wait_for_timeout(6000)  # a toast would be gone by now; the status line stays
    expect(status).to_contain_text("the limit is 0.05 MB")

    # a new answer with three wordings, resting on an article
    desk.locator("#approved-questions textarea").fill(
        "can i drive home after\nmay i drive myself afterwards\nam i allowed to drive"
    )
    desk.locator("#approved-answer textarea").fill("No. Bring an adult to drive you home.")
    desk.locator("#approved-reviewed textarea").fill("2026-11-30")
    choose(desk, "#approved-rests-on", "ketamine-therapy-top-ten-things.txt")
    desk.keyboard.press("Escape")
    desk.locator("#save-approved").click()
    desk.locator("#approved-status").get_by_text("Draft saved").wait_for(timeout=SLOW)

    # a fresh page: the form is empty until an answer is picked from the table
    desk = open_desk(browser, url, "Articles")
    expect(desk.locator("#approved-questions textarea")).to_have_value("")
    answers_cell(desk, 0, 1).click()  # a click on the row opens that answer
    questions = desk.locator("#approved-questions textarea")
    expect(questions).to_have_value(re.compile("may i drive myself afterwards"), timeout=SLOW)
    expect(desk.locator("#approved-answer textarea")).to_have_value("No. Bring an adult to drive you home.")
    expect(desk.locator("#approved-rests-on")).to_contain_text("ketamine-therapy-top-ten-things.txt")
    questions.fill("can i drive myself home after my visit\nmay i drive myself afterwards\nam i allowed to drive")
    desk.locator("#save-approved").click()
    desk.locator("#approved-status").get_by_text("can i drive myself home after my visit").wait_for(timeout=SLOW)
    row = [answers_cell(desk, 0, c).inner_text() for c in range(4)]
    assert "can i drive myself home after my visit" in row[0] and "am i allowed to drive" in row[0]
    assert "may i drive myself afterwards" in row[0] and row[3] == "ketamine-therapy-top-ten-things.txt"
    assert answers_cell(desk, 1, 0).count() == 0  # changed, not added a second time
    shot(desk, "editor-approved-edit")

    # taking it out asks first
    desk.locator("#drop-approved").click()
    confirm = desk.locator("#confirm-drop-approved")
    expect(confirm).to_be_visible(timeout=SLOW)
    assert "can i drive myself home after my visit" in answers_cell(desk, 0, 0).inner_text()  # nothing taken out yet
    confirm.click()
    desk.locator("#approved-status").get_by_text("Taken out of the draft").wait_for(timeout=SLOW)
    expect(answers_cell(desk, 0, 0)).to_have_count(0, timeout=SLOW)


def test_the_check_tells_gains_from_real_regressions_and_says_the_gate_in_words(app, browser, tmp_path):
    url, data = app
    article = "klearmind-ketamine-proven-medication.txt"
    updated = tmp_path / article  # the article again, with where the clinics are and the treatment at home
    updated.write_text(
        (REPO / "corpus" / article).read_text(encoding="utf-8")
        + "\n\nWhere we are\n\nKlearmind has two clinics, one in Sacramento and one in Roseville. Both clinics are "
        "open on weekdays.\n\nTreatment at home\n\nKlearmind also offers At-Home treatments: a nurse comes to your "
        "home and stays with you for the whole treatment.\n",
        encoding="utf-8",
    )
    desk = open_desk(browser, url, "Articles")
    upload(desk, updated)
    desk.get_by_text(f"{article}: ready to preview").wait_for(timeout=SLOW)
    report = desk.locator("#check-report")
    desk.locator("#check-add").click()
    report.get_by_text(f"Added {article}").wait_for(timeout=3 * SLOW)
    text = report.inner_text()
    # a changed answer accepted as the better one: its case expects it from now on, recorded with a reason
    assert re.search(r"Answers that changed \(\d+\)", text), text
    desk.locator("#accept-choice input").click()
    accepted = desk.get_by_role("option").first.inner_text()
    desk.get_by_role("option").first.click()
    desk.locator("#accept-reason textarea").fill("the updated article answers this better")
    desk.locator("#accept-answer").click()
    desk.locator("#accept-status").get_by_text("Accepted as the better answer").wait_for(timeout=SLOW)
    [review] = CaseReviews(storage_at(data / "chatlog.sqlite")).all().values()  # the app's own database
    assert review.why == "the updated article answers this better" and review.who == "staff"
    expect(report).to_contain_text(f"now passes: {accepted}", timeout=SLOW)  # counted with the gains now
    text = report.inner_text()
    if "Publishing needs a reason" in text:
        desk.locator("#override-reason textarea").fill("test article; a gate already failed before this change")
    desk.locator("#publish").click()
    desk.locator("#publish-status").get_by_text("Published.").wait_for(timeout=SLOW)
    expect(desk.locator("#override-reason textarea")).to_have_value("")  # a reason is for one publish only
    assert re.search(r"Gains \(\d+\)", text), text
    gains = text[text.index("Gains (") :]
    assert "where is klearmind" in gains and "Sacramento" in gains  # the question with its new answer
    assert "where is klearmind" not in text[: text.index("Gains (")]

    choose(desk, "#remove-choice", "ketamine-therapy-top-ten-things.txt")
    desk.locator("#check-remove").click()
    report.get_by_text("Removed ketamine-therapy-top-ten-things.txt").wait_for(timeout=3 * SLOW)
    text = report.inner_text()
    report.screenshot(path=str(ARTIFACTS / "editor-check-explained.png"))  # the report alone: the page is long
    assert re.search(r"Real regressions \(\d+\)", text), text
    assert "Gates failed with this change" in text and "Publishing needs a reason" in text
    assert re.search(r"\(practice set\): [\d.]+% after this change, [\d.]+% with the articles served now", text)
    assert "The questions behind the drop:" in text
    assert not re.search(r"answers\.\w+ = [\d.]+ [<>]", text)  # no raw gate figures
