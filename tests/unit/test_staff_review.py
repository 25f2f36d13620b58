"""The staff desk in words: Inspect explains a decision with counts, not scores; Feedback shows what each
patient was told, newest first, and flags a crisis or emergency conversation once."""

from __future__ import annotations

import re

from bot.core.records import Answer
from bot.core.settings import Settings
from services.chatlog import ChatLog
from services.inspect import explain, matched
from services.staff import StaffDesk
from tests.helpers import storage_at


def test_inspect_counts_the_key_words_the_best_sentence_matched():
    assert matched("How long does an infusion take?", "The infusion takes about 40 minutes.") == (2, 3)
    trace = {
        "evidence": [{"dense": 0.62}],
        "compose": {"abstain": False, "sentences": [{"text": "The infusion takes about 40 minutes."}]},
    }
    lines = explain("How long does an infusion take?", trace)
    assert lines == [
        "The best passage found was a close match in meaning.",
        "The best sentence matched 2 of the question's 3 key words.",
        "The assistant was sure enough that the articles answer this to quote them.",
    ]
    assert not re.search(r"\d\.\d", " ".join(lines))  # no raw scores like 0.0164
    unsure = explain("is it covered by my plan?", {"evidence": [{"dense": 0.1}], "compose": {"abstain": True}})
    assert "a weak match" in unsure[0] and "not sure" in unsure[1]


def test_feedback_shows_the_reply_newest_first_and_flags_a_conversation_once(tmp_path):
    log = ChatLog(storage_at(tmp_path / "chat.sqlite"))
    for i in range(8):  # one crisis conversation of eight turns
        log.record("crisis-conv", Answer(f"turn {i}", "crisis" if i == 2 else "answer", f"reply {i}"), {})
    liked = log.record("plain-conv", Answer("how long is it?", "answer", "About an hour [1]."), {})
    log.feedback(liked, -1, "too vague")
    log.record("overdose-conv", Answer("he took a whole bottle", "emergency", "Call 911 now."), {})
    desk = StaffDesk(Settings.from_env({"CLINICBOT_DATA_DIR": str(tmp_path)}), bot=None, log=log)
    rows = desk.feedback()
    assert [r["question"] for r in rows[:3]] == ["he took a whole bottle", "how long is it?", "turn 7"]
    assert [r["flag"] for r in rows] == ["emergency", "", "crisis"] + [""] * 7
    assert rows[1]["reply"] == "About an hour [1]." and rows[0]["reply"] == "Call 911 now."
