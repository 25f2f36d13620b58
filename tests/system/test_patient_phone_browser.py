"""The patient page as patients meet it, in a real browser: on a phone the question box, Ask and the starters
are on the first screen; the comment box opens only after a 👎; no API link; the article page a citation opens
is a readable page. Screenshots in artifacts/patient-*.png for people to look at.

Reuses the app, browser and helpers of tests/system/test_app_browser.py (this module gets its own app process).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.system.test_app_browser import ARTIFACTS, SLOW, ask

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PHONE = {"width": 390, "height": 844}
ARTICLE = "ketamine-therapy-top-ten-things.txt"


def first_screen(page, name: str) -> None:
    """A screenshot of what the screen shows without scrolling."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def on_screen(locator, height: int = PHONE["height"]) -> bool:
    """The element is wholly inside the first screen of the page (no scrolling)."""
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height and box["height"] > 0


def test_on_a_phone_the_question_box_ask_and_starters_are_on_the_first_screen(app, browser):
    url, _ = app
    phone = browser.new_page(viewport=PHONE)
    phone.goto(url)
    question, send, starter = phone.locator("#question textarea"), phone.locator("#ask"), phone.locator(".starter")
    question.wait_for(timeout=SLOW)
    starter.first.wait_for(timeout=SLOW)
    expect(phone.locator("#notice")).to_contain_text("not a clinician")
    phone.wait_for_timeout(1500)  # the page's load event has redrawn the notice: the screenshot shows it settled
    assert on_screen(question) and on_screen(send) and on_screen(starter.first)
    assert phone.evaluate("window.scrollY") == 0
    first_screen(phone, "patient-phone-landing")

    chat = ask(phone, "how long does an IV infusion take?")
    assert "40-60 minutes" in chat
    answer = phone.locator("#chat .message.bot").last
    box = answer.bounding_box()
    assert box is not None and 0 <= box["y"] < PHONE["height"] - 100  # the answer's start is on the screen
    expect(answer.get_by_text("40-60 minutes", exact=False).first).to_be_in_viewport()
    first_screen(phone, "patient-phone-after-answer")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 400  # no sideways scrolling

    chat = ask(phone, "when r u open")  # chat shorthand gets the clinic's own opening hours
    assert "Opening hours" in chat and "Monday" in chat


def test_the_comment_box_opens_only_after_a_thumbs_down(app, browser):
    url, _ = app
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(url)
    comment = page.locator("#comment textarea")
    page.locator("#question textarea").wait_for(timeout=SLOW)
    expect(comment).to_be_hidden()
    ask(page, "how is spravato given?")
    expect(comment).to_be_hidden()
    page.locator("#chat button[aria-label=Like]").last.click()
    page.get_by_text("Thank you for your feedback").wait_for(timeout=SLOW)
    expect(comment).to_be_hidden()
    page.locator("#chat button[aria-label=Dislike]").last.click()
    expect(comment).to_be_visible(timeout=SLOW)
    comment.fill("I wanted to know how long it takes")
    page.locator("#send-comment").click()
    page.get_by_text("your comment was saved").wait_for(timeout=SLOW)
    page.locator("#new-conversation").click()
    expect(comment).to_be_hidden(timeout=SLOW)
    expect(page.locator("#chat .message")).to_have_count(0)


def test_the_patient_page_offers_no_api_link(app, browser):
    url, _ = app
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(url)
    page.locator("#question textarea").wait_for(timeout=SLOW)
    page.locator("footer").first.wait_for(timeout=SLOW)  # the footer is drawn, without the API link
    page.wait_for_timeout(500)
    assert page.get_by_text("Use via API").count() == 0
    assert page.get_by_role("link", name=re.compile(r"\bAPI\b")).count() == 0
    assert page.get_by_role("button", name=re.compile(r"\bAPI\b")).count() == 0


def test_a_citations_article_is_a_readable_page(app, browser):
    url, _ = app
    phone = browser.new_page(viewport=PHONE)
    response = phone.goto(f"{url}/articles/{ARTICLE}")
    assert response.status == 200 and response.headers["content-type"].startswith("text/html")
    expect(phone).to_have_title(re.compile(r"Top Ten Important Things .* - Riverside Clinic$"))
    heading = phone.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile("Top Ten Important Things"))
    expect(phone.get_by_role("heading", level=2, name="4. Treatment Protocols")).to_be_visible()
    assert phone.locator("p").count() > 5 and "Riverside Clinic" in phone.locator("body").inner_text()
    assert phone.locator("html").get_attribute("lang") == "en" and phone.locator("script").count() == 0
    assert phone.evaluate("document.documentElement.scrollWidth") <= 400  # no sideways scrolling
    first_screen(phone, "patient-article-page")

    missing = phone.goto(f"{url}/articles/not-an-article.txt")
    assert missing.status == 404
    expect(phone.get_by_role("heading", level=1)).to_have_text("This article is not available")
