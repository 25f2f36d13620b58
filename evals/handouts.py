"""Render the practice clinics' handouts (Markdown) into real PDFs, as a clinic's word processor would.

    python -m evals.handouts        # writes <clinic>/articles/<name>.pdf for every <clinic>/handouts/<name>.md

Titles and section headings are set larger and bold, list items with a bullet, so that the PDF loader
has to tell headings and list items from sentences the way it must with any clinic's handout. The
PDFs are committed; this command is how they were made (fpdf2, a test dependency).
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLINIC_FOLDERS = (
    ROOT / "evals" / "clinics",
    ROOT / "train" / "data" / "reader" / "clinics",
    ROOT / "train" / "data" / "reader" / "blind",
)
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FIXED_DATE = datetime(2026, 1, 1, tzinfo=timezone.utc)  # the same bytes on every run


def render(markdown: str, out: Path) -> None:
    """Write one handout as a PDF: '# ' title, '## ' headings, '- ' list items, paragraphs."""
    from fpdf import FPDF

    pdf = FPDF(format="Letter")
    pdf.set_creation_date(FIXED_DATE)
    pdf.add_font("Body", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("Body", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(22, 20, 22)
    pdf.add_page()
    title = ""
    for block in _blocks(markdown):
        if block.startswith("# "):
            title = title or block[2:]
            _write(pdf, block[2:], 18, "B", after=4)
        elif block.startswith("## "):
            _write(pdf, block[3:], 13.5, "B", before=3, after=1.5)
        elif block.startswith("- "):
            pdf.set_font("Body", "", 10.5)
            pdf.set_x(pdf.l_margin + 4)
            pdf.multi_cell(0, 5.4, "\u2022  " + block[2:], new_x="LMARGIN", new_y="NEXT")
            pdf.ln(0.8)
        else:
            _write(pdf, block, 10.5, "", after=2.5)
    pdf.set_title(title)
    pdf.output(str(out))


def _write(pdf, text: str, size: float, style: str, before: float = 0, after: float = 0) -> None:
    pdf.ln(before)
    pdf.set_font("Body", style, size)
    pdf.multi_cell(0, size * 0.52, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(after)


def _blocks(markdown: str) -> list[str]:
    """Headings and list items one per block; a paragraph's wrapped lines joined into one block."""
    blocks: list[str] = []
    para: list[str] = []
    for line in markdown.splitlines() + [""]:
        line = line.strip()
        if line.startswith(("#", "- ")) or not line:
            if para:
                blocks.append(" ".join(para))
                para = []
            if line:
                blocks.append(line.replace("**", ""))
        else:
            para.append(line.replace("**", ""))
    return blocks


def main() -> int:
    for source in sorted(s for folder in CLINIC_FOLDERS for s in folder.glob("*/handouts/*.md")):
        out = source.parent.parent / "articles" / (source.stem + ".pdf")
        render(source.read_text(encoding="utf-8"), out)
        print(f"{source.relative_to(ROOT)} -> {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
