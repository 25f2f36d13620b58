"""Format extractors (BeautifulSoup for HTML, pypdf for PDF): bytes/markup to plain text.

Headings come out as Markdown '#' lines and list items as '- ' lines, so the chunker
sees one structure whatever the format.
"""
from __future__ import annotations

import io
import re

from ingest.load import LoadError

# Never shown to a patient: page furniture, scripts and anything a browser would not display.
_DROP_TAGS = ("script", "style", "noscript", "template", "nav", "header", "footer", "form", "aside",
              "iframe", "svg", "canvas", "button", "input", "select", "textarea", "object", "embed")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?![.\d])", re.I)
_BLOCKS = ("p", "div", "section", "article", "main", "blockquote", "table", "tr", "ul", "ol", "dl", "dt", "dd",
           "figure", "figcaption", "pre", "address")


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
    return (tag.has_attr("hidden") or str(tag.get("aria-hidden", "")).lower() == "true"
            or bool(_HIDDEN_STYLE.search(tag.get("style", ""))) or bool(classes & {"hidden", "d-none", "visually-hidden", "sr-only"}))


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
    """Text layer of a PDF; refuses encrypted, damaged and scanned (image-only) files."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not _opens_without_password(reader):
            raise LoadError("PDF is password-protected; save an unprotected copy and upload that")
        pages = [page.extract_text() or "" for page in reader.pages]
        title = str((reader.metadata or {}).get("/Title") or "").strip()
    except LoadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, AttributeError, IndexError) as exc:
        raise LoadError(f"PDF is damaged or not really a PDF ({type(exc).__name__})") from None
    text = "\n\n".join(_unwrap(p) for p in pages)
    if len(text.split()) < 5:
        raise LoadError("PDF has no text layer (a scanned image?); export it with text or run OCR first")
    return _tidy(text), title, {}


def _opens_without_password(reader) -> bool:
    try:
        return bool(reader.decrypt(""))
    except Exception:  # unsupported cipher or damaged encryption dictionary
        return False


def _unwrap(page: str) -> str:
    """Join lines a PDF wrapped mid-sentence: a long line without end punctuation continues."""
    out: list[str] = []
    for line in page.splitlines():
        line = line.strip()
        if out and out[-1] and line and len(out[-1]) > 40 and not out[-1].endswith((".", "!", "?", ":")):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return "\n".join(out)


def _tidy(text: str) -> str:
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
