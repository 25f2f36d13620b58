"""A conversation's earlier turns are resolved once: the memo gives what resolving them afresh gives, and a new
question costs one resolution, not one per earlier turn."""

from __future__ import annotations

from bot.retrieve import followup
from bot.retrieve.followup import ResolvedTurns, resolve

DF = {"infusion": 6, "session": 5, "nausea": 2, "insurance": 3, "driving": 1}
CHUNKS = 10
TURNS = [
    "how long is an infusion session",
    "and is nausea common after it?",
    "does insurance cover it",
    "what about driving home",
]


def afresh(history):
    out = []
    for turn in history:
        out.append(resolve(turn, out, DF, CHUNKS))
    return out


def test_the_memo_gives_what_resolving_afresh_gives():
    memo = ResolvedTurns()
    for n in range(len(TURNS) + 1):
        assert memo.of(TURNS[:n], DF, CHUNKS, "v1") == afresh(TURNS[:n])


def test_a_new_question_resolves_only_the_turn_before_it(monkeypatch):
    memo = ResolvedTurns()
    memo.of(TURNS[:3], DF, CHUNKS, "v1")
    calls = []
    real = followup.resolve
    monkeypatch.setattr(followup, "resolve", lambda *a: calls.append(a[0]) or real(*a))
    memo.of(TURNS, DF, CHUNKS, "v1")
    assert calls == [TURNS[3]]
    memo.of(TURNS, DF, CHUNKS, "v2")  # another index version: its words differ, so everything is resolved again
    assert calls[1:] == TURNS


def test_the_memo_is_bounded():
    memo = ResolvedTurns(size=2)
    memo.of(TURNS, DF, CHUNKS, "v1")
    assert len(memo._memo) == 2
