"""Answers as chat Markdown in which every piece of patient or article text is escaped,
so nothing from a message or an article is ever rendered as markup."""
from __future__ import annotations

import re
from urllib.parse import quote

from bot.records import Answer

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~&])")
ALERT = ("crisis", "emergency")


def esc(text: str) -> str:
    """Backslash-escape Markdown and HTML so text shows literally."""
    return _SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def answer_markdown(answer: Answer, article_url: str = "/articles/") -> str:
    """The reply, its numbered sources (title, section, verbatim quote, link) and glossary."""
    body = esc(answer.answer)
    body = re.sub(r"\\\[(\d+)\\\]", r"**[\1]**", body)  # citation markers stay visible and bold
    if answer.kind in ALERT:
        title = "Please get help now" if answer.kind == "crisis" else "This may be an emergency"
        return f"### ⚠️ {title}\n\n{body}"
    parts = [body]
    if answer.citations:
        parts.append("**Sources**")
        for c in answer.citations:
            where = f"*{esc(c.title)}*" + (f", {esc(c.section)}" if c.section else "")
            parts.append(f"**[{c.n}]** {where}\n\n> {esc(c.quote)}\n\n"
                         f"[Read the whole article]({article_url}{quote(c.source)})")
    if answer.glossary:
        parts.append("**What the words mean**\n\n" + "\n".join(f"- **{esc(t)}**: {esc(d)}" for t, d in answer.glossary))
    return "\n\n".join(parts)
