"""Answers as chat HTML in which every piece of patient or article text is escaped.

The chat shows messages with Markdown turned off (gr.Chatbot(render_markdown=False), no LaTeX delimiters):
its Markdown renderer turned a bare URL into a link and $$x^2$$ into math whatever we escaped. So the
structure here (bold markers, quotes, the link to the article) is a few HTML tags we write, and every
character a patient or an article supplies goes through html.escape: it shows literally, never as markup.
"""
from __future__ import annotations

import html
import re
from urllib.parse import quote

from bot.records import Answer

ALERT = ("crisis", "emergency")
_MARKER = re.compile(r"\[(\d+)\]")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~&$])")


def esc(text: str) -> str:
    """Text shown literally: HTML-escaped, whitespace runs folded to one space."""
    return html.escape(" ".join(str(text).split()), quote=True)


def md(text: str) -> str:
    """Our own fixed texts (the notice, the banner, feedback notes) for a gr.Markdown, shown literally.
    gr.Markdown rather than gr.HTML: Gradio's HTML component evaluates templates with new Function(),
    which the Content-Security-Policy (no 'unsafe-eval') forbids."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def text_html(text: str) -> str:
    """A patient's own message as it is shown in the chat."""
    return esc(text)


def _body(text: str) -> str:
    """Answer text with its citation markers in bold (the markers are ours; the text around them is escaped)."""
    return _MARKER.sub(r"<strong>[\1]</strong>", esc(text))


def answer_html(answer: Answer, article_url: str = "/articles/") -> str:
    """The reply, its numbered sources (title, section, verbatim quote, link) and glossary."""
    body = _body(answer.answer)
    if answer.kind in ALERT:
        title = "Please get help now" if answer.kind == "crisis" else "This may be an emergency"
        return f"<p><strong>⚠️ {title}</strong></p><p>{body}</p>"
    parts = [f"<p>{body}</p>"]
    if answer.citations:
        parts.append("<p><strong>Sources</strong></p>")
        for c in answer.citations:
            where = f"<em>{esc(c.title)}</em>" + (f", {esc(c.section)}" if c.section else "")
            href = esc(article_url + quote(c.source))
            parts.append(f"<p><strong>[{c.n}]</strong> {where}</p><blockquote>{esc(c.quote)}</blockquote>"
                         f'<p><a href="{href}" target="_blank" rel="noopener noreferrer">Read the whole article</a></p>')
    if answer.glossary:
        items = "".join(f"<li><strong>{esc(t)}</strong>: {esc(d)}</li>" for t, d in answer.glossary)
        parts.append(f"<p><strong>What the words mean</strong></p><ul>{items}</ul>")
    return "".join(parts)


def partial_html(answer: Answer) -> str:
    """An answer still being written (LLM mode): the sentences verified so far, escaped, sources to follow."""
    return f"<p>{_body(answer.answer)}</p>"


def typing_steps(answer: Answer, words_per_step: int = 6) -> list[str]:
    """The reply as it is "typed" into the chat: growing runs of the answer's words (escaped), then the
    whole reply. Cut at words of the plain text, never inside a tag of the HTML."""
    words = answer.answer.split()
    steps = [f"<p>{_body(' '.join(words[: i + words_per_step]))}</p>" for i in range(0, len(words), words_per_step)]
    return steps[:-1] + [answer_html(answer)] if steps else [answer_html(answer)]


def banner_text(kinds_seen: set[str], latest: str, messages) -> str:
    """The red banner for a conversation, as Markdown: the emergency text when this reply is an emergency,
    the crisis text when this reply or an earlier one was a crisis (both when both); "" for no banner."""
    texts = []
    if latest == "emergency":
        texts.append(messages.text("emergency"))
    if "crisis" in kinds_seen or latest == "crisis":
        texts.append(messages.text("crisis"))
    return "\n\n".join(f"### ⚠️ {md(t)}" for t in texts)
