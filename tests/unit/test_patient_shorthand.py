"""Chat shorthand is spelled out (for the contact-intent model, bot/clinic/contact.py) word by word only."""

from __future__ import annotations

from bot.core.text import expand_shorthand


def test_only_whole_common_words_are_spelled_out():
    assert expand_shorthand("when r u open, thx") == "when are you open, thanks"
    assert expand_shorthand("what r ur hours") == "what are your hours"
    # inside other words, initials and apostrophes: unchanged
    assert expand_shorthand("user your turn r-value you're U.S. bur r") == "user your turn r-value you're U.S. bur r"
    assert expand_shorthand("how many hours does it last") == "how many hours does it last"
