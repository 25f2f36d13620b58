"""How a message is worded, judged by the guard's rules: an emergency about now, history that is over, a
screening question quoted rather than said, a question about suicidality rather than a disclosure, a bare
follow-up. Each takes the message as the rules see it (normalised, idioms rewritten: `prepare`)."""

from __future__ import annotations

import re

from bot.core.text import GENERIC, STOPWORDS
from bot.guard import rules
from bot.guard import text as guard_text
from bot.guard.text import normalise, plain_idioms


def emergency_now(plain: str) -> bool:
    """An emergency pattern about now (not last week's session, not "can it cause seizures?"). Past and
    hypothetical are judged in the symptom's own sentence: "her face has dropped. she had the procedure
    yesterday" is an emergency now, while the question as a whole ("is that normal?") still rules it out."""
    if rules.RIGHT_NOW.search(plain):
        return bool(rules.EMERGENCY.search(plain))
    if rules.HYPOTHETICAL.search(plain):
        return False
    return any(rules.EMERGENCY.search(s) and not rules.PAST_OR_CHRONIC.search(s) for s in guard_text.statements(plain))


def prepare(text: str) -> str:
    """What rules and classifier see: normalised text with idioms ("killing me") removed."""
    return plain_text(normalise(text))


def plain_text(norm: str) -> str:
    """Already-normalised text with idioms rewritten."""
    return re.sub(r"\s+", " ", plain_idioms(norm)).strip()


def past_history(plain: str) -> bool:
    """Suicide or self-harm spoken of as history: the message as a whole is past, or every sentence naming it
    is ("in 1991 i attempted suicide. ... the depression i'm dealing with now is milder") and nothing
    elsewhere says it is back ("again", "lately", "tonight")."""
    if past(plain):
        return True
    named = [s for s in guard_text.statements(plain) if rules.CRISIS.search(s) or rules.HARM_NAMED.search(s)]
    return bool(named) and all(past(s) for s in named) and not rules.RECENT.search(plain)


def quoted(plain: str) -> bool:
    """A screening question quoted, not said: the form is named and every crisis phrase sits in a question
    ("does the intake form ask if i'd be better off dead?"). A statement beside the form ("i'm only telling
    you because the intake form asks: i sit with the loaded pistol most nights") is the person's own."""
    if not rules.MENTION.search(plain):
        return False
    # without a crisis phrase, the whole message must be questions about the form
    said = [s for s in guard_text.statements(plain) if rules.CRISIS.search(s)] or guard_text.statements(plain)
    return all(
        s.rstrip().endswith("?") or re.match(r"(is|does|do|what|why|how|can|will|would|should|are)\b", s) for s in said
    )


def past(text: str) -> bool:
    """History that is over: a past marker ("back in 2009", "fully healed") and nothing about now."""
    return bool(rules.PAST_DISCLOSURE.search(text) and not rules.NOW.search(text))


def bare_follow_up(plain: str) -> bool:
    """'what year was that?': points back at the last turn and brings at most one topic word of its own."""
    if not rules.FOLLOW_UP.search(plain):
        return False
    own = [
        w
        for w in re.findall(r"[a-z]{3,}", plain)
        if w not in STOPWORDS and w not in GENERIC and not rules.FOLLOW_UP.fullmatch(w)
    ]
    return len(own) <= 1


def education(plain: str) -> bool:
    """A question about suicidality (research, screening, someone lost) rather than a disclosure."""
    if rules.THIRD_PARTY.search(plain) or (quoted(plain) and not rules.DISCLOSURE.search(plain)):
        return True
    return bool(
        rules.SUICIDE_TOPIC.search(plain) and rules.EDUCATION.search(plain) and not rules.DISCLOSURE.search(plain)
    )
