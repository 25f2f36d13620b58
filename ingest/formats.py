"""Format extractors (BeautifulSoup for HTML, pypdf for PDF): bytes/markup to plain text.

Headings come out as Markdown '#' lines and list items as '- ' lines, so the chunker
sees one structure whatever the format.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass


class LoadError(Exception):
    """A file that cannot become an article; str(error) is the reason an editor reads."""


# Never shown to a patient: page furniture, scripts and anything a browser would not display.
_DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "header",
    "footer",
    "form",
    "aside",
    "iframe",
    "svg",
    "canvas",
    "button",
    "input",
    "select",
    "textarea",
    "object",
    "embed",
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?![.\d])", re.I)
_BLOCKS = (
    "p",
    "div",
    "section",
    "article",
    "main",
    "blockquote",
    "table",
    "tr",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "figure",
    "figcaption",
    "pre",
    "address",
)


def html_to_text(html: str) -> tuple[str, str, dict]:
    """Visible text of an HTML page, with its <title> (or first h1) as title hint."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for tag in soup.find_all(_DROP_TAGS) + soup.find_all(["title", "head"]):
        tag.decompose()
    for tag in soup.find_all(_is_hidden):
        tag.decompose()
    _mark_structure(soup)
    text = soup.get_text()
    if not title:
        first = re.search(r"^# (.+)$", text, re.M)
        title = first.group(1).strip() if first else ""
    return _tidy(text), title, {}


def _is_hidden(tag) -> bool:
    if tag.attrs is None:
        return False
    classes = {c.lower() for c in tag.get("class") or []}
    return (
        tag.has_attr("hidden")
        or str(tag.get("aria-hidden", "")).lower() == "true"
        or bool(_HIDDEN_STYLE.search(tag.get("style", "")))
        or bool(classes & {"hidden", "d-none", "visually-hidden", "sr-only"})
    )


def _mark_structure(soup) -> None:
    for level in range(1, 7):
        for tag in soup.find_all(f"h{level}"):
            tag.insert_before(f"\n\n{'#' * level} ")
            tag.insert_after("\n\n")
    for tag in soup.find_all("li"):
        tag.insert_before("\n- ")
        tag.insert_after("\n")
    for tag in soup.find_all("br"):
        tag.replace_with("\n")
    for tag in soup.find_all(_BLOCKS):
        tag.insert_before("\n\n")
        tag.insert_after("\n\n")


_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_EMPH = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_HTML_BLOCK = re.compile(r"<(script|style)\b.*?</\1\s*>", re.S | re.I)


def markdown_to_text(md: str) -> tuple[str, str]:
    """Markdown to plain text; keeps '#' headings and '- ' lists, drops images and markup."""
    if "<" in md:
        md = _HTML_COMMENT.sub("", _HTML_BLOCK.sub("", md))
        md, _, _ = html_to_text(md) if re.search(r"<[a-zA-Z][^>]*>", md) else (md, "", {})
    text = _MD_EMPH.sub(r"\2", _MD_LINK.sub(r"\1", _MD_IMAGE.sub("", md)))
    text = re.sub(r"^\s*[*+]\s+", "- ", text, flags=re.M)
    first = re.search(r"^#\s+(.+)$", text, re.M)
    return _tidy(text), first.group(1).strip() if first else ""


def pdf_to_text(data: bytes) -> tuple[str, str, dict]:
    """Text layer of a PDF; refuses encrypted, damaged and scanned (image-only) files. Headings (set
    larger than the body text) come out as '## ' lines and bulleted items as '- ' lines, so a heading
    is never glued to the first sentence under it."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not _opens_without_password(reader):
            raise LoadError("PDF is password-protected; save an unprotected copy and upload that")
        pages = [_page_lines(page) for page in reader.pages]
        title = str((reader.metadata or {}).get("/Title") or "").strip()
    except LoadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, AttributeError, IndexError) as exc:
        raise LoadError(f"PDF is damaged or not really a PDF ({type(exc).__name__})") from None
    text = _layout([line for page in pages for line in page])
    if len(text.split()) < 5:
        raise LoadError("PDF has no text layer (a scanned image?); export it with text or run OCR first")
    return _tidy(text), title, {}


@dataclass
class _Line:
    """One printed line of a PDF page: its text, font size (points) and baseline height."""

    text: str
    size: float
    y: float
    page: int


_BULLET = re.compile(r"^\s*(?:[\u2022\u25aa\u25cf\u25e6\u2023\u2043\u2219\u00b7*\u2013-]|\d{1,2}[.)])\s+")


def _page_lines(page) -> list[_Line]:
    """The page's lines with the size they are printed at (pypdf's visitor reports each text run)."""
    lines: list[_Line] = []
    current: list = []  # [text parts, size, y]

    def visit(text, cm, tm, font, size):
        scale = abs(tm[3] * (cm[3] or 1.0)) or 1.0
        for i, part in enumerate(text.split("\n")):
            if i:
                _flush(current, lines, page.page_number or 0)
            if part.strip():
                if not current:
                    current.extend([[], 0.0, tm[5] * (cm[3] or 1.0) + cm[5]])
                current[0].append(part)
                current[1] = max(current[1], size * scale)

    plain = page.extract_text(visitor_text=visit) or ""
    _flush(current, lines, page.page_number or 0)
    if not lines and plain.strip():  # a text layer the visitor cannot size: keep it, as plain lines
        lines = [_Line(t, 0.0, 0.0, 0) for t in plain.splitlines() if t.strip()]
    return lines


def _flush(current: list, lines: list[_Line], page: int) -> None:
    if current:
        text = " ".join("".join(current[0]).split())
        if text:
            lines.append(_Line(text, current[1], current[2], page))
        current.clear()


def _layout(lines: list[_Line]) -> str:
    """Blocks from printed lines: a line printed larger than the body text is a heading; a bulleted
    line starts a list item; a body line joins the one above unless a gap or a finished sentence
    separates them (a PDF wraps sentences at the margin, not at their end)."""
    sizes = Counter()
    for line in lines:
        sizes[round(line.size, 1)] += len(line.text)
    body = sizes.most_common(1)[0][0] if sizes else 0.0
    blocks: list[str] = []
    previous: _Line | None = None
    for line in lines:
        if body and line.size >= body * 1.15 and len(line.text.split()) <= 20:
            if blocks and blocks[-1].startswith("## ") and previous and previous.size == line.size:
                blocks[-1] = join_lines(blocks[-1], line.text)  # a heading wrapped over two lines
            else:
                blocks.append("## " + line.text)
        elif _BULLET.match(line.text):
            blocks.append("- " + _BULLET.sub("", line.text, count=1))
        elif blocks and previous and _continues(blocks[-1], previous, line):
            blocks[-1] = join_lines(blocks[-1], line.text)
        else:
            blocks.append(line.text)
        previous = line
    return "\n\n".join(blocks)


_BROKEN = re.compile(r"(\S*[^\W\d_])-$")  # a line ending in a word with a hyphen straight after a letter


def join_lines(block: str, line: str) -> str:
    """A wrapped line joined to the text above. A word split at the margin is joined whole: "treat-" + "ment" is
    "treatment", and a compound keeps its hyphens ("step-by-" + "step" is "step-by-step", as is a break before a
    capital, "COVID-" + "19" likewise). A dash set apart by spaces ("walk -") is a real dash and stays."""
    broken = _BROKEN.search(block)
    if not broken or not line[:1].isalnum():
        return f"{block} {line}"
    compound = "-" in broken.group(1) or not line[:1].islower()
    return block + line if compound else block[:-1] + line


def _continues(block: str, previous: _Line, line: _Line) -> bool:
    """Whether a body line carries on the block above: same page, no paragraph gap, and the block
    either stops mid-sentence or the lines sit at the usual line spacing."""
    if block.startswith("## ") or previous.page != line.page or not previous.size:
        return not block.startswith("## ") and previous.size == 0 and not block.endswith((".", "!", "?", ":"))
    gap = previous.y - line.y
    return 0 < gap <= previous.size * 1.6


def _opens_without_password(reader) -> bool:
    try:
        return bool(reader.decrypt(""))
    except Exception:  # unsupported cipher or damaged encryption dictionary
        return False


def _tidy(text: str) -> str:
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
