"""Clean stage: drop site chrome by its shape, so only the article itself reaches patients.

Pages saved from clinic websites carry logos, share widgets, comment forms, teasers of
other posts and repeated title lines. Each rule below describes a *shape* of chrome,
not a fixed list of strings, so pages from other clinics are cleaned too.
"""

from __future__ import annotations

import re

from bot.core.text import fold, squash

# A short line naming a picture rather than saying anything ("practice logo", "misc image").
_MEDIA_WORDS = re.compile(r"\b(logo|image|img|icon|photo|picture|banner|thumbnail|graphic|avatar)s?\b", re.I)
# Calls to action that lead off the article: a few are chrome on their own ("Share this", "Subscribe", "Read
# more"); the other verbs also start patients' headings ("Get your home ready", "Follow-up visits", "Post-op care",
# "Leave the dressing on"), so they count only when the line names the site itself ("Get More Media Coverage",
# "Follow us on Facebook", "Download our app", "Print this") or stand alone as a button ("Email", "Print").
_CTA_ALONE = re.compile(
    r"^(share|subscribe|tweet|pin it|sign up|read more|learn more|see more|click|skip to|back to)\b(?!-)", re.I
)
_CTA_VERB = re.compile(r"^(get|follow|join|download|leave|post|add|write|like|print|email|go to|view)\b(?!-)", re.I)
_CTA_WEB = re.compile(
    r"\b(us|our|newsletter|inbox|subscribe|sign up|blog|app|website|site|page|post|posts|article|articles|story"
    r"|stories|media|coverage|comments?|reply|updates|feed|podcast|facebook|instagram|twitter|linkedin|youtube"
    r"|tiktok|social)\b(?!-)|\b(this|here|more|now|today|address)\W*$|^\W*\w+\W*$",
    re.I,
)
# Comment forms and widget text.
_FORM = re.compile(
    r"(email address will not be published|required fields are marked|"
    r"^(leave|post|add|write) a (comment|reply)|^\d*\s*comments?$|^reply$|^cancel reply$|"
    r"save my name, email|notify me of (new|follow-up) (posts|comments)|all rights reserved|^©)",
    re.I,
)
# Sentences pointing at media the text cannot show ("Watch the video below to ...").
_MEDIA_REF = re.compile(
    r"\b(watch|see|view|play|check out)\b.*\b(video|image|photo|infographic|podcast|clip|"
    r"chart|diagram)s?\b.*\b(below|above|here)\b",
    re.I,
)
# Where a page stops being the article: lists of other posts.
_FOOTER = re.compile(
    r"^((most )?(popular|related|recent|similar|latest|more|other|featured|recommended|trending) "
    r"(posts|articles|stories|reads|news|blogs?)\b|you (may|might) also (like|enjoy)|"
    r"read (this|these) next)",
    re.I,
)
_TEASER_END = re.compile(r"(\.\.\.|\u2026|\[\u2026\]|\[\.\.\.\])\s*$")


def clean(text: str, title: str = "") -> str:
    """Return the article text without chrome, as blocks separated by blank lines."""
    lines = [squash(line) for line in fold_lines(text)]
    lines = _cut_footer(lines)
    lines = _drop_teasers(lines)
    kept: list[str] = []
    for line in lines:
        if not line or is_chrome(line) or _repeats_title(line, kept, title):
            continue
        kept.append(line)
    return "\n\n".join(kept)


def fold_lines(text: str) -> list[str]:
    """Lines of text, with typographic spaces folded and empty lines dropped."""
    return [line for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n") if line.strip()]


def is_chrome(line: str) -> bool:
    """True when a line is page furniture rather than article content."""
    words = line.split()
    sentence_like = line.rstrip().endswith((".", "!", "?", '"')) and len(words) > 6
    if _FORM.search(line):
        return True
    if len(words) <= 4 and _MEDIA_WORDS.search(line) and not sentence_like:
        return True
    if len(words) <= 6 and _call_to_action(line.lstrip("-#* ")) and not line.rstrip().endswith((".", "?")):
        return True
    if _tagline(words):
        return True
    return bool(_MEDIA_REF.search(line)) and len(words) <= 25


def _call_to_action(line: str) -> bool:
    """A short line leading off the article to the site ("Share this", "Follow us"), not a patient's heading."""
    return bool(_CTA_ALONE.match(line) or (_CTA_VERB.match(line) and _CTA_WEB.search(line)))


def _tagline(words: list[str]) -> bool:
    """Advertising copy: a punctuated line in which nearly every word is Capitalised
    ("Get Relief with the Premier Choice in Ketamine Therapy in Sacramento.")."""
    content = [w for w in words if len(w) > 3 and w[0].isalpha()]
    if len(words) < 8 or len(content) < 5 or not words[-1].endswith((".", "!", "?")):
        return False
    return sum(w[0].isupper() for w in content) / len(content) >= 0.75


def _cut_footer(lines: list[str]) -> list[str]:
    """Everything from a 'Popular posts' / 'Related articles' / 'Comments' marker on is not article."""
    for i, line in enumerate(lines):
        if _FOOTER.match(line.lstrip("#- ")) or (i > len(lines) // 2 and re.fullmatch(r"\d*\s*comments?", line, re.I)):
            return lines[:i]
    return lines


def _drop_teasers(lines: list[str]) -> list[str]:
    """Drop truncated excerpts of other posts ('... Traditionally used as an anesthetic, ...')
    together with the title line just above each."""
    out: list[str] = []
    for line in lines:
        if _TEASER_END.search(line) and len(line.split()) >= 8:
            if out and _heading_like(out[-1]):
                out.pop()
            continue
        out.append(line)
    return out


def _repeats_title(line: str, kept: list[str], title: str) -> bool:
    """A heading line that repeats the title, or the line just before it, is a duplicate."""
    if not _heading_like(line):
        return False
    key = _key(line)
    return (bool(kept) and key == _key(kept[-1])) or (
        bool(title) and key == _key(title) and any(_key(k) == key for k in kept)
    )


def _heading_like(line: str) -> bool:
    line = line.lstrip("#").strip()
    return 0 < len(line.split()) <= 14 and not line.endswith((".", "!", "?"))


def _key(line: str) -> str:
    return re.sub(r"\W+", " ", fold(line).lower()).strip()
