"""What an uploaded article may be called and how big it may be, as sentences an editor can act on."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from ingest.load import FORMATS

MAX_NAME_BYTES = 200  # file systems allow 255 bytes; the sidecar adds ".meta.yml"
# control, format (a right-to-left override shows "fdp.exe" as "exe.pdf"), private-use and separator characters
_HIDDEN = ("Cc", "Cf", "Co", "Cs", "Zl", "Zp")


def name_problem(name: str) -> str | None:
    """Why a file name cannot be accepted, or None: hidden or control characters (a null byte), a name too long
    for a file system, a folder or a leading . or _, a type clinicbot does not read."""
    if any(unicodedata.category(ch) in _HIDDEN for ch in name):
        return "the file name has hidden or control characters; rename the file with plain letters and try again"
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        return f"the file name is too long ({len(name)} characters); shorten it to under 100 and try again"
    clean = Path(name).name
    if clean != name or clean.startswith((".", "_")) or "\\" in name or ".." in name or not clean:
        return f"{name!r}: use a plain file name like guide.pdf (no folders or leading . or _)"
    if Path(clean).suffix.lower() not in FORMATS:
        return f"{clean}: unsupported type; upload .pdf, .md, .txt or .html"
    return None


def megabytes(size: int, limit_mb: float) -> str:
    """A file's size in MB (10^6 bytes, the setting's unit), with enough digits to show it is over the limit."""
    for digits in (3, 4, 5):  # significant digits: 23.4 MB, 0.0624 MB, 20.04 MB
        shown = f"{size / 1e6:.{digits}g}"
        if float(shown) > limit_mb:
            return f"{shown} MB"
    return f"{size:,} bytes"
