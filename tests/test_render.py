"""Chat rendering: every bit of patient or article text shows literally; crisis replies lead with help."""
from __future__ import annotations

from bot.records import Answer, Citation
from webui.render import answer_markdown, esc


def test_markup_is_escaped_and_markers_stay_visible():
    answer = Answer("q", "answer", "Given over 40-60 minutes <script>x</script> [1]",
                    [Citation(1, "a b.txt", "IV *Guide*", "", "Given over 40-60 minutes.")])
    shown = answer_markdown(answer)
    assert "<script>" not in shown and "\\<script\\>" in shown and "**[1]**" in shown
    assert "*IV \\*Guide\\**" in shown and "Guide\\*, " not in shown  # no dangling section comma
    assert "(/articles/a%20b.txt)" in shown


def test_crisis_reply_leads_with_help_and_nothing_else():
    shown = answer_markdown(Answer("q", "crisis", "Call or text 988."))
    assert shown.startswith("### ⚠️ Please get help now") and "Sources" not in shown
    assert esc("a_b") == "a\\_b"
