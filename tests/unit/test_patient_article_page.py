"""The article page: a readable HTML page whose headings are the sections the chunker finds; all text escaped."""

from __future__ import annotations

import re

from bot.core.records import Article
from ingest.chunk import chunk
from webui.article_page import article_html, missing_html

TEXT = (
    "A New Purpose\n\nAn opening paragraph <script>alert(1)</script> that wraps\nonto a second line.\n\n"
    "1. How It Works\n\nIt works slowly. It helps & heals.\n\nWhat to bring:\n\n- a list of medicines\n- a driver\n\n"
    "Aftercare\n\nRest for the day."
)


def test_the_page_is_titled_and_headed_as_the_article_with_its_sections():
    page = article_html("Riverside <Clinic>", "A New Purpose", TEXT)
    assert page.startswith("<!doctype html>") and '<html lang="en">' in page
    assert "<title>A New Purpose - Riverside &lt;Clinic&gt;</title>" in page and 'name="viewport"' in page
    assert page.count("<h1>") == 1 and "<h1>A New Purpose</h1>" in page  # the title-only heading is not repeated
    assert re.findall(r"<h2>(.*?)</h2>", page) == ["1. How It Works", "What to bring", "Aftercare"]
    assert "<p>An opening paragraph &lt;script&gt;alert(1)&lt;/script&gt; that wraps onto a second line.</p>" in page
    assert "<ul><li>a list of medicines</li><li>a driver</li></ul>" in page and "It helps &amp; heals." in page
    assert "<script" not in page


def test_its_headings_are_the_sections_the_chunker_cites():
    sections = {c.section for c in chunk(Article("a.txt", "A New Purpose", TEXT, "h"))} - {"", "A New Purpose"}
    page = article_html("Clinic", "A New Purpose", TEXT)
    assert sections and all(f">{s}</h2>" in page for s in sections)


def test_a_missing_article_gets_a_short_readable_page():
    page = missing_html("Riverside Clinic")
    assert "<h1>This article is not available</h1>" in page and "<title>" in page and "<script" not in page
