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

from bot.core.records import Answer

ALERT = ("crisis", "emergency")
_MARKER = re.compile(r"\[(\d+)\]")
_URL = re.compile(r"(https?://[^\s<>`]+)")
_URL_END = re.compile(r"(.*?)([.,;:!?)]*)$")  # a sentence's full stop after an address is not part of it
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~&$])")


def esc(text: str) -> str:
    """Text shown literally: HTML-escaped, whitespace runs folded to one space."""
    return html.escape(" ".join(str(text).split()), quote=True)


def md(text: str, links: bool = False) -> str:
    """Text for a gr.Markdown, shown literally. A web address would be turned into a link with its escapes
    showing, so it is written out whole: as a link when `links` (our own notice: the clinic's booking page),
    else as code (a patient's text on a staff page is never a link).
    gr.Markdown rather than gr.HTML: Gradio's HTML component evaluates templates with new Function(),
    which the Content-Security-Policy (no 'unsafe-eval') forbids."""
    out = []
    for i, part in enumerate(_URL.split(" ".join(str(text).split()))):
        if i % 2 == 0:
            out.append(_MD_SPECIAL.sub(r"\\\1", part))
        else:
            address, tail = _URL_END.match(part).groups()
            shown = f"<{address}>" if links else f"`{address}`"
            out.append(shown + _MD_SPECIAL.sub(r"\\\1", tail))
    return "".join(out)


def text_html(text: str) -> str:
    """A patient's own message as it is shown in the chat."""
    return esc(text)


def _body(text: str, glossary: list[tuple[str, str]] | tuple = ()) -> str:
    """Answer text with its citation markers in bold and the first use of each glossary term underlined,
    its definition on hover (the markers and tags are ours; every piece of text is escaped)."""
    text = " ".join(str(text).split())
    spans: list[tuple[int, int, str]] = []
    for term, definition in glossary:
        m = re.search(r"(?<![\w-])" + re.escape(term) + r"(?![\w-])", text, re.I)
        if m is None and len(term) >= 6:  # the answer used another form ("glutamatergic", "NMDA receptors")
            m = re.search(r"(?<![\w-])" + re.escape(term[: max(5, len(term) - 3)]) + r"[\w-]*", text, re.I)
        if m and not any(a < m.end() and m.start() < b for a, b, _ in spans):
            spans.append((m.start(), m.end(), definition))
    out, at = [], 0
    for start, end, definition in sorted(spans):
        out += [_marked(text[at:start]), f'<abbr class="term" title="{esc(definition)}">{esc(text[start:end])}</abbr>']
        at = end
    return "".join(out + [_marked(text[at:])])


def _marked(text: str) -> str:
    return _MARKER.sub(r"<strong>[\1]</strong>", html.escape(text, quote=True))


def _shown_section(c) -> str:
    """The section, when it adds something to the title (a chunk before an article's first heading is often
    filed under a section named as the article itself)."""
    same = " ".join(c.section.split()).casefold() == " ".join(c.title.split()).casefold()
    return "" if same else c.section


def _grouped(citations) -> list[list]:
    """Citations of one article and section together, in the order they are first cited: that source is
    listed once, with every number that points at it (the [n] markers in the answer stay as they are)."""
    groups: dict[tuple[str, str], list] = {}
    for c in citations:
        groups.setdefault((c.source, _shown_section(c)), []).append(c)
    return list(groups.values())


def _source(group: list, article_url: str) -> str:
    """One source, listed once: its numbers and title (a link to the whole article, named by the title) and
    section, with the words quoted from it behind a click. The clinic's own details and approved answers have
    no article to open."""
    first = group[0]
    section = _shown_section(first)
    where = f", {esc(section)}" if section else ""
    numbers = " ".join(f"[{c.n}]" for c in group)
    # the numbers are part of the link's text: two sources from one article still get links with different
    # names (the chat's sanitizer drops aria-label, so the name must be the visible text)
    if first.source.startswith("_"):
        title = f"<strong>{numbers} {esc(first.title)}</strong>"
    else:
        href = esc(article_url + quote(first.source))
        title = f'<a href="{href}" target="_blank" rel="noopener noreferrer">{numbers} {esc(first.title)}</a>'
    which = f"source {first.n}" if len(group) == 1 else "sources " + _and([str(c.n) for c in group])
    quotes = "".join(f"<blockquote>{esc(c.quote)}</blockquote>" for c in group)
    return f"<li>{title}{where}<details><summary>Show the words quoted from {which}</summary>{quotes}</details></li>"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def answer_html(answer: Answer, article_url: str = "/articles/") -> str:
    """The reply once, with [n] markers and underlined terms; below it the numbered sources (title, section,
    link; the quote behind a click) and a short list of what the words mean."""
    if answer.kind in ALERT:
        title = "Please get help now" if answer.kind == "crisis" else "This may be an emergency"
        return f"<p><strong>⚠️ {title}</strong></p><p>{_body(answer.answer)}</p>"
    parts = [f"<p>{_body(answer.answer, answer.glossary)}</p>"]
    if answer.citations:
        items = "".join(_source(g, article_url) for g in _grouped(answer.citations))
        parts.append(f'<p><strong>Sources</strong></p><ul class="sources">{items}</ul>')
    if answer.glossary:
        items = "".join(f"<li><strong>{esc(t)}</strong>: {esc(d)}</li>" for t, d in answer.glossary)
        parts.append(f"<p><strong>What the words mean</strong></p><ul>{items}</ul>")
    return "".join(parts)


def partial_html(answer: Answer) -> str:
    """An answer still being written (LLM mode): the sentences verified so far, as answer_html writes them
    ([n] markers in bold, the first use of a glossary term underlined), escaped; sources and glossary to follow."""
    return f"<p>{_body(answer.answer, answer.glossary)}</p>"


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
