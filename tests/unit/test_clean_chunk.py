"""Clean, dedupe and chunk: on a page of our own and on the clinic's real corpus."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.core.records import Article
from bot.core.text import norm_key
from ingest.chunk import chunk
from ingest.clean import clean
from ingest.dedupe import dedupe, paragraph_key
from ingest.load import load
from ingest.sync import clean_and_dedupe, scan

FIXTURES = Path(__file__).parents[1] / "fixtures"
CORPUS = Path(__file__).resolve().parents[2] / "corpus"
CHROME = re.compile(
    r"practice logo|misc image|media coverage|leave a comment|email address will not be published|"
    r"popular posts|watch the video|\.\.\.$|\u2026",
    re.I | re.M,
)


def test_chrome_of_another_clinic_is_removed_by_shape():
    text = clean((FIXTURES / "other_clinic_page.txt").read_text(), "Understanding Spravato Sessions")
    assert "Spravato is a nasal spray used under supervision" in text
    assert "You should not drive until the next day." in text
    for chrome in (
        "site logo",
        "hero image",
        "Share this post",
        "Watch the clip",
        "Comments",
        "Great article",
        "Related Articles",
        "IV hydration delivers",
        "How IV Hydration Works",
    ):
        assert chrome not in text
    assert text.count("Understanding Spravato Sessions") == 1


def test_a_patients_headings_and_price_lines_are_kept_while_buttons_to_the_site_go():
    # "Follow-up visits" and "- Follow-up visit: $140" were once dropped as a call to action ("Follow us")
    kept = [
        "Get your home ready",
        "## Follow-up visits",
        "- Follow-up visit: $140",
        "Post-op care",
        "Leave the dressing on",
        "Join a support group",
        "Get more sleep",
        "Email your nurse",
    ]
    chrome = [
        "Get More Media Coverage",
        "Share this:",
        "Follow us on Facebook",
        "Download our app",
        "Print",
        "Email",
        "Read more",
        "Get sleep tips in your inbox",
        "Email address",
        "Back to top",
    ]
    text = clean("\n".join(["A page title", *kept, *chrome, "The last sentence of the article."]))
    lines = text.split("\n\n")
    assert [line for line in kept if line not in lines] == []
    assert [line for line in chrome if line in lines] == []


def test_dedupe_keeps_a_paragraph_once_within_and_across_articles():
    para = "Ketamine infusions are given slowly while staff watch your blood pressure and heart rate."
    texts = {
        "a.txt": f"Intro\n\n{para}\n\n{para}",
        "b.txt": f"Other\n\n{para}\n\nA different paragraph that is long enough to keep here.",
    }
    out, dropped = dedupe(texts)
    assert out["a.txt"].count(para) == 1 and para not in out["b.txt"]
    assert dropped == {"a.txt": 1, "b.txt": 1}


def test_chunks_never_cut_sentences_and_never_cross_headings():
    body = " ".join(f"Sentence number {i} says something about infusions." for i in range(40))
    article = Article("a.txt", "A", f"First Part\n\n{body}\n\nSecond Part\n\nShort closing sentence here.", "h")
    chunks = chunk(article)
    assert len(chunks) >= 3
    assert {c.section for c in chunks} == {"First Part", "Second Part"}
    for c in chunks:
        assert c.text == article.text[c.start : c.end]
        assert c.text.endswith(".") and c.text[0].isupper()
        assert all(s.text == article.text[s.start : s.end] for s in c.sentences)


@pytest.fixture(scope="module")
def corpus_chunks():
    docs = [load(p, 10**7) for p in scan(CORPUS).values()]
    articles, deduped = clean_and_dedupe(docs)
    return {a.source: a for a in articles}, [c for a in articles for c in chunk(a)], deduped


def test_corpus_chunks_carry_no_site_chrome(corpus_chunks):
    _, chunks, _ = corpus_chunks
    offenders = [c.id for c in chunks if CHROME.search(c.text) or CHROME.search(c.section)]
    assert offenders == []


def test_corpus_repeated_body_is_kept_once(corpus_chunks):
    _, chunks, deduped = corpus_chunks
    keys = [paragraph_key(p) for c in chunks for p in c.text.split("\n\n") if len(p.split()) >= 8]
    assert len(keys) == len(set(keys))
    assert deduped >= 13  # the research article repeats its whole body
    research = [c for c in chunks if c.source == "ketamine-research-latest-findings.txt"]
    assert sum("Studies have demonstrated that patients receiving ketamine infusions" in c.text for c in research) == 1


def test_corpus_offsets_give_back_text_and_quotes_are_verbatim_in_the_file(corpus_chunks):
    articles, chunks, _ = corpus_chunks
    for c in chunks:
        assert articles[c.source].text[c.start : c.end] == c.text
        raw = norm_key((CORPUS / c.source).read_text(encoding="utf-8"))
        assert all(norm_key(s.text) in raw for s in c.sentences), c.id


@pytest.mark.parametrize(
    "phrase,section",
    [
        ("over a period of 40-60 minutes", "4. Treatment Protocols"),
        (
            "such as a doctor\u2019s office, infusion center, or psychiatric clinic",
            "6. Treatment Setting and Monitoring",
        ),
        ("blocking the action of the neurotransmitter glutamate", "1. Mechanisms of Action"),
        ("consolidation of traumatic memories", "Treatment of PTSD"),
        ("Increases in blood pressure and heart rate are common", "Side Effects and Risks"),
        ("without triggering manic episodes", "Efficacy in Other Conditions"),
    ],
)
def test_corpus_sections_follow_headings(corpus_chunks, phrase, section):
    _, chunks, _ = corpus_chunks
    [hit] = [c for c in chunks if phrase in c.text]
    assert hit.section == section


def test_titles_come_from_the_document(corpus_chunks):
    articles, _, _ = corpus_chunks
    assert (
        articles["ketamine-therapy-top-ten-things.txt"].title
        == "Ketamine Therapy \u2013 Top Ten Important Things You Need To Know"
    )
    assert articles["lakeshore-ketamine-therapy-advancements.txt"].title.startswith("Exploring Ketamine Therapy")
    assert articles["ketamine-research-latest-findings.txt"].title == "Ketamine Research Latest Findings"
