"""Load stage: a file in the corpus folder becomes a RawDoc, or a LoadError with a clear reason."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ingest.formats import LoadError, html_to_text, markdown_to_text, pdf_to_text

FORMATS = {".txt": "text", ".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html", ".pdf": "pdf"}
SIDECAR = ".meta.yml"
META_KEYS = ("title", "reviewed", "url")
_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.S)


@dataclass(frozen=True)
class RawDoc:
    """Extracted text of one file before cleaning, with the editor's metadata."""

    source: str
    format: str
    text: str
    hash: str
    title_hint: str = ""
    meta: dict = field(default_factory=dict)


def is_article_file(path: Path) -> bool:
    """Corpus files that are meant as articles: not hidden, not clinic config (_*), not sidecars."""
    return path.is_file() and not path.name.startswith((".", "_")) and not path.name.endswith(SIDECAR)


def file_hash(path: Path) -> str:
    """Content hash of a file plus its sidecar, so a metadata edit counts as a change."""
    digest = hashlib.sha256(_read(path))
    sidecar = sidecar_path(path)
    if sidecar.exists():
        digest.update(b"\0sidecar\0" + sidecar.read_bytes())
    return digest.hexdigest()[:16]


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + SIDECAR)


def load(path: Path, max_bytes: int) -> RawDoc:
    """Read one file into a RawDoc; raise LoadError with a reason a person can act on."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise LoadError(f"unsupported file type {path.suffix or '(none)'!r}; use .txt, .md, .html/.htm or .pdf")
    data = _read(path)
    if len(data) > max_bytes:
        raise LoadError(
            f"file is {len(data) / 1e6:.1f} MB, over the {max_bytes / 1e6:.1f} MB limit (CLINICBOT_MAX_FILE_MB)"
        )
    if not data.strip():
        raise LoadError("file is empty")
    text, title_hint, meta = _extract(fmt, data)
    if not text.strip():
        raise LoadError("no readable text in the file")
    meta = {**meta, **_sidecar(path)}
    return RawDoc(path.name, fmt, text, file_hash(path), title_hint, meta)


def _extract(fmt: str, data: bytes) -> tuple[str, str, dict]:
    """The format's extractor, with any failure of the library on a hostile or broken file turned into a
    LoadError for this one file: the rest of the corpus is still served (a raw exception here once stopped
    `python -m ingest` and the app's start-up for every article)."""
    try:
        return _EXTRACT[fmt](data)
    except LoadError:
        raise
    except MemoryError:
        raise LoadError("the file unpacks to more than this machine can read; save a smaller copy") from None
    except Exception as exc:  # noqa: BLE001 (whatever a parser raises, the editor gets a sentence, not a trace)
        if type(exc).__name__ == "LimitReachedError":  # pypdf: a stream that inflates past its safety limit
            raise LoadError(
                "the file unpacks to far more than its size (a compressed stream too large to read "
                "safely); export it again from the original document"
            ) from None
        raise LoadError(f"the file could not be read ({type(exc).__name__}); save a fresh copy and try again") from None


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise LoadError("file disappeared while it was being read") from None
    except IsADirectoryError:
        raise LoadError("is a folder, not a file") from None
    except OSError as exc:
        raise LoadError(f"cannot read file: {exc.strerror or exc}") from None


def decode(data: bytes) -> str:
    """Bytes to text: UTF-8 first, then Windows-1252 (common for pages saved on Windows)."""
    if b"\0" in data[:4096] or _control_ratio(data[:4096]) > 0.05:
        raise LoadError("looks like binary data, not text (wrong file extension?)")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise LoadError("text encoding could not be recognised")
    return str(best)


def _control_ratio(data: bytes) -> float:
    controls = sum(1 for b in data if b < 32 and b not in (9, 10, 12, 13))
    return controls / max(len(data), 1)


def _text(data: bytes) -> tuple[str, str, dict]:
    return decode(data), "", {}


def _markdown(data: bytes) -> tuple[str, str, dict]:

    text = decode(data)
    meta: dict = {}
    front = _FRONT.match(text)
    if front:
        meta = _meta_from_yaml(front.group(1), "front matter")
        text = text[front.end() :]
    body, title = markdown_to_text(text)
    return body, title, meta


def _html(data: bytes) -> tuple[str, str, dict]:

    return html_to_text(decode(data))


def _pdf(data: bytes) -> tuple[str, str, dict]:

    return pdf_to_text(data)


_EXTRACT = {"text": _text, "markdown": _markdown, "html": _html, "pdf": _pdf}


def _sidecar(path: Path) -> dict:
    sidecar = sidecar_path(path)
    if not sidecar.exists():
        return {}
    return _meta_from_yaml(decode(sidecar.read_bytes()), sidecar.name)


def _meta_from_yaml(text: str, where: str) -> dict:
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise LoadError(f"{where} is not valid YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise LoadError(f"{where} must be 'key: value' lines (title, reviewed, url)")
    return {k: str(data[k]).strip() for k in META_KEYS if data.get(k) not in (None, "")}
