"""Chat rendering: every bit of patient or article text shows literally; crisis replies lead with help;
the banner says what the reply was about."""

from __future__ import annotations

import re

from bot.core.records import Answer, Citation
from webui.render import answer_html, banner_text, esc, md, partial_html, typing_steps


class Texts:
    def text(self, key):
        return {"crisis": "Call or text 988.", "emergency": "Call 911 now."}[key]


def test_markup_is_escaped_and_markers_stay_visible():
    answer = Answer(
        "q",
        "answer",
        "Given over 40-60 minutes <script>x</script> $$x^2$$ see http://evil.example [1]",
        [Citation(1, "a b.txt", "IV <i>Guide</i>", "", "Given over 40-60 minutes.")],
    )
    shown = answer_html(answer)
    assert "<script>" not in shown and "&lt;script&gt;" in shown and "<strong>[1]</strong>" in shown
    assert ">[1] IV &lt;i&gt;Guide&lt;/i&gt;</a><details>" in shown  # no dangling section comma
    assert 'href="/articles/a%20b.txt"' in shown
    assert 'href="http' not in shown and "$$x^2$$" in shown  # a URL in the text stays text; math is not marked up


def test_an_article_name_cannot_break_out_of_the_link():
    shown = answer_html(Answer("q", "answer", "Yes [1]", [Citation(1, 'x" onclick="alert(1).txt', "T", "", "Yes.")]))
    assert 'onclick="' not in shown and "x%22%20onclick" in shown


def test_crisis_reply_leads_with_help_and_nothing_else():
    shown = answer_html(Answer("q", "crisis", "Call or text 988."))
    assert shown.startswith("<p><strong>⚠️ Please get help now</strong>") and "Sources" not in shown
    assert esc("a <b>") == "a &lt;b&gt;" and md("a_b *c*") == "a\\_b \\*c\\*"


def test_typing_never_cuts_inside_a_tag_and_ends_with_the_whole_reply():
    answer = Answer(
        "q", "answer", " ".join(f"word{i}" for i in range(20)) + " [1]", [Citation(1, "a.txt", "T", "S", "Quote.")]
    )
    steps = typing_steps(answer)
    assert steps[-1] == answer_html(answer) and len(steps) > 2
    assert all(s.count("<p>") == s.count("</p>") for s in steps)


def test_the_banner_shows_the_emergency_text_for_an_emergency_and_keeps_an_earlier_crisis():
    assert "911" in banner_text(set(), "emergency", Texts()) and "988" not in banner_text(set(), "emergency", Texts())
    assert "988" in banner_text(set(), "crisis", Texts())
    both = banner_text({"crisis"}, "emergency", Texts())
    assert "911" in both and "988" in both
    assert banner_text({"answer"}, "answer", Texts()) == ""
    assert "988" in banner_text({"crisis"}, "answer", Texts())  # a crisis earlier keeps the line in view


def test_the_answer_is_said_once_and_each_quote_waits_behind_a_click():
    quote = "An IV infusion takes 40-60 minutes."
    answer = Answer(
        "q",
        "answer",
        f"{quote} [1] Spray is another route. [2]",
        [
            Citation(1, "a.txt", "Guide A", "Protocols", quote),
            Citation(2, "b.txt", "Guide B", "", "Spray is another route."),
        ],
    )
    shown = answer_html(answer)
    assert shown.count(quote) == 2  # in the answer, and once more only inside the folded quote
    assert shown.index("</p>") < shown.index("Sources")  # the answer comes first, sources below it
    folded = re.findall(r"<details><summary>[^<]*</summary><blockquote>([^<]*)</blockquote></details>", shown)
    assert folded == [quote, "Spray is another route."]
    assert ">[1] Guide A</a>, Protocols<details>" in shown  # title (the link), then the section


def test_source_links_have_unique_names():
    same = [Citation(n, "a.txt", "Guide A", f"Part {n}", f"Quote {n}.") for n in (1, 2)]
    shown = answer_html(
        Answer("q", "answer", "One [1]. Two [2].", same + [Citation(3, "b.txt", "Guide B", "", "Three.")])
    )
    names = re.findall(r"<a [^>]*>([^<]+)</a>", shown)  # a link's name is its text (the chat drops aria-label)
    assert names == ["[1] Guide A", "[2] Guide A", "[3] Guide B"]


def test_glossary_terms_are_underlined_with_their_definition_and_listed_below():
    answer = Answer(
        "q",
        "answer",
        "It acts on the NMDA receptor and on glutamate [1].",
        [Citation(1, "a.txt", "T", "", "Q.")],
        glossary=[("NMDA receptor", 'A "docking spot" on brain cells.'), ("glutamate", "A messenger <b>chemical</b>.")],
    )
    shown = answer_html(answer)
    assert '<abbr class="term" title="A &quot;docking spot&quot; on brain cells.">NMDA receptor</abbr>' in shown
    assert '<abbr class="term" title="A messenger &lt;b&gt;chemical&lt;/b&gt;.">glutamate</abbr>' in shown
    assert shown.index("Sources") < shown.index("What the words mean") and "<li><strong>glutamate</strong>" in shown


def test_the_clinics_own_details_are_cited_without_an_article_link():
    shown = answer_html(
        Answer(
            "q",
            "answer",
            "Call us at (555) 010-0123 [1].",
            [Citation(1, "_clinic.yml", "Riverside Clinic: contact details", "Phone", "(555) 010-0123")],
        )
    )
    assert "Riverside Clinic: contact details" in shown and "/articles/" not in shown


def test_a_term_used_in_another_form_is_still_underlined():
    answer = Answer(
        "q",
        "answer",
        "It acts on the glutamatergic system [1].",
        [Citation(1, "a.txt", "T", "", "Q.")],
        glossary=[("glutamate", "A messenger chemical.")],
    )
    assert '<abbr class="term" title="A messenger chemical.">glutamatergic</abbr>' in answer_html(answer)


def test_an_answer_still_being_written_looks_like_the_start_of_the_finished_one():
    glossary = [("glutamate", "A messenger <b>chemical</b>.")]
    partial = Answer(
        "q",
        "answer",
        "It acts on glutamate <i>fast</i> [1].",
        [Citation(1, "a.txt", "T", "", "Q.")],
        glossary=glossary,
        final=False,
    )
    shown = partial_html(partial)
    assert "<strong>[1]</strong>" in shown and "&lt;i&gt;fast&lt;/i&gt;" in shown and "<i>" not in shown
    assert '<abbr class="term" title="A messenger &lt;b&gt;chemical&lt;/b&gt;.">glutamate</abbr>' in shown
    assert "Sources" not in shown and "What the words mean" not in shown  # they follow with the final answer
    final = Answer("q", "answer", partial.answer, partial.citations, glossary=glossary)
    assert answer_html(final).startswith(shown)  # the finished answer only adds to what was on screen
