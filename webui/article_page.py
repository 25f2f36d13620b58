"""The article page (/articles/<name>, a citation's link): the whole article a patient can read on a phone.

The cleaned text is the text the chunker reads, and its blocks and headings are found the chunker's way
(ingest.chunk), so a section named under a source is a heading on this page. Every piece of article text is
untrusted: all of it goes through html.escape, and the page has no script. Its one style sheet is inline
(the Content-Security-Policy allows inline styles, never inline scripts).
"""

from __future__ import annotations

import html
import re

from ingest.chunk import blocks, section_name
from ingest.dedupe import heading_level

_BULLET = re.compile(r"^([-*\u2022]|\d{1,2}[.)])\s+")
# WCAG 2.1 AA: text #1f2937 on #fff is 14.7:1, links #1d4ed8 on #fff 6.7:1, the muted line #4b5563 7.6:1
STYLE = """
body {margin:0;background:#fff;color:#1f2937;font:1.0625rem/1.6 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main {max-width:42rem;margin:0 auto;padding:1rem 1.25rem 3rem}
.clinic {color:#4b5563;margin:0 0 .5rem;font-size:.95rem}
h1 {font-size:1.6rem;line-height:1.25;margin:.25rem 0 1rem}
h2 {font-size:1.25rem;line-height:1.3;margin:1.75rem 0 .5rem}
h3 {font-size:1.1rem;margin:1.25rem 0 .4rem}
p, li {margin:0 0 .9rem;overflow-wrap:anywhere}
a {color:#1d4ed8}
"""


def _e(text: str) -> str:
    return html.escape(" ".join(str(text).split()), quote=True)


def outline(title: str, text: str) -> list[tuple[str, str | list[str]]]:
    """The article's cleaned text as ("h2" | "h3", heading), ("p", paragraph) and ("ul", items) parts, in order.
    A heading that only repeats the article's title is left out (the page's <h1> is the title)."""
    parts: list[tuple[str, str | list[str]]] = []
    for start, end in blocks(text):
        block = text[start:end]
        level = heading_level(block)
        if level is not None:
            name = section_name(block)
            if name and name.casefold() != " ".join(title.split()).casefold():
                parts.append(("h2" if level <= 2 else "h3", name))
            continue
        parts += _block_parts(block)
    return parts


def _block_parts(block: str) -> list[tuple[str, str | list[str]]]:
    """One body block: its bullet lines as one list, its other lines (a wrapped paragraph) as one paragraph."""
    parts: list[tuple[str, str | list[str]]] = []
    for line in (raw.strip() for raw in block.split("\n")):
        kind, value = ("ul", _BULLET.sub("", line)) if _BULLET.match(line) else ("p", line)
        if parts and parts[-1][0] == kind:
            parts[-1] = (kind, parts[-1][1] + [value]) if kind == "ul" else (kind, f"{parts[-1][1]} {value}")
        else:
            parts.append((kind, [value] if kind == "ul" else value))
    return parts


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{STYLE}</style></head><body><main>{body}</main></body></html>"
    )


def article_html(clinic: str, title: str, text: str) -> str:
    """The whole article as a readable page: the clinic's name, the title as <h1>, its sections as headings,
    paragraphs and lists as such; everything escaped."""
    body = [f'<p class="clinic">{_e(clinic)}</p>', f"<h1>{_e(title)}</h1>"]
    for kind, value in outline(title, text):
        if kind == "ul":
            body.append("<ul>" + "".join(f"<li>{_e(item)}</li>" for item in value) + "</ul>")
        else:
            body.append(f"<{kind}>{_e(value)}</{kind}>")
    body.append('<p><a href="/">Back to the questions page</a></p>')
    return _page(f"{_e(title)} - {_e(clinic)}", "\n".join(body))


def missing_html(clinic: str) -> str:
    """The short page for an article that is not being served (a 404)."""
    body = (
        f'<p class="clinic">{_e(clinic)}</p><h1>This article is not available</h1>'
        "<p>It may have been removed or updated. Ask your question again to get the current sources.</p>"
        '<p><a href="/">Back to the questions page</a></p>'
    )
    return _page(f"Article not available - {_e(clinic)}", body)
