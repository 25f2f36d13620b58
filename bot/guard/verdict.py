"""The guard's records: what the learned reader makes of a message, the thresholds, and the verdict."""

from __future__ import annotations

from dataclasses import dataclass, field

# support: worry or distress without danger (a kind reply, no alarm); learned like the others
LABELS = ("crisis", "emergency", "refused", "off_topic", "allowed", "support")


@dataclass(frozen=True)
class Reading:
    """What the learned reader makes of a message: label probabilities plus the most crisis-like sentence."""

    scores: dict  # for the whole message
    sentence_crisis: float = 0.0  # the most crisis-like part of a longer message (0 when none reads as crisis)
    topics: dict = field(default_factory=dict)  # the topic heads' probabilities for the whole message
    sentence_emergency: float = 0.0  # the most emergency-like part (0 when none reads as an emergency)

    def nudged(self, label: str, delta: float) -> "Reading":
        """The same reading with `label` made `delta` likelier (the others rescaled to sum to one): how the
        verdict would fall if the model read this message a little differently."""
        p = min(max(self.scores.get(label, 0.0) + delta, 0.0), 1.0)
        rest = 1.0 - self.scores.get(label, 0.0)
        scores = {
            k: (p if k == label else (v * (1 - p) / rest if rest > 0 else (1 - p) / (len(self.scores) - 1)))
            for k, v in self.scores.items()
        }
        sentence = (
            min(max(self.sentence_crisis + delta, 0.0), 1.0)
            if label == "crisis" and self.sentence_crisis
            else self.sentence_crisis
        )
        return Reading(scores, sentence, self.topics, self.sentence_emergency)


@dataclass(frozen=True)
class GuardConfig:
    """Classifier probability a label needs; crisis is deliberately the most sensitive."""

    max_chars: int = 1000
    floors: dict = field(
        default_factory=lambda: {"crisis": 0.50, "emergency": 0.50, "refused": 0.60, "off_topic": 0.55, "support": 0.50}
    )
    crisis_leading: float = 0.45  # crisis also wins from this probability up when it is the likeliest label
    crisis_margin: float = 0.20  # ... and leads the next label by this much
    # one part of a longer message that reads as crisis on its own (every part is read, in one batched pass) ...
    crisis_sentence: float = 0.60
    # ... counts when the whole message reads crisis at least this much: a fragment read alone is easily misread
    # ("how many extra can i take" alone reads as crisis). Counting a part that reads crisis at 0.97 or more whatever
    # the whole reads sent 28 of 798 ordinary dev messages to crisis with the v8 candidate (models/guard/README.md)
    sentence_needs: float = 0.1
    # one part that reads as an emergency on its own at least this much, when the whole leans that way at all
    emergency_part: float = 0.9
    stretch_words: int = 12  # an unpunctuated message is read in overlapping stretches of this many words
    max_parts: int = 12  # at most this many parts are read (one batched pass with the whole message)
    crisis_after_crisis: float = 0.40  # lower crisis floor once the conversation has held a crisis
    # off topic from this probability up when the articles hold no answer either and the message names nothing of
    # the clinic's (chosen between the dev split's in-scope and off-topic messages: models/guard/README.md)
    off_topic_unanswered: float = 0.2
    window_chars: int = 400  # overlong messages are scanned for crisis in windows of this size
    fragile: float = 0.05  # a verdict that a nudge of this size to any label's probability would change
    # the reader's crisis probability from which it is trusted over the rules' finer judgements (past history,
    # education, worry, an emergency pattern): the crisis reply carries 911 too
    confident: float = 0.9
    # below this crisis probability the reader vetoes a crisis *pattern* ("not suicidal or anything", "suicide
    # squeeze"); a plain statement of intent always reads far above it
    rule_veto: float = 0.02
    # below this emergency probability (and with no part reading as one) the reader vetoes an emergency *pattern*
    # ("what's the risk of a seizure from it?", "the pain score box: chest pain or muscle soreness?"). On the dev
    # material every emergency the pattern caught read 0.13 or more; the look-alikes it misrouted read 0.03 or less
    emergency_veto: float = 0.03
    # crisis and emergency together at least this likely, one of them the likeliest label, though neither reaches its
    # floor: danger is likelier than not, and the reply for the stronger of the two is the safe one
    danger_floor: float = 0.5
    crisis_runner_up: float = 0.1  # crisis second to the reader's emergency or refusal by at least this: crisis
    # a crisis reads as eating-disorder risk from this topic probability up. A miss still gets the crisis reply
    # (988, 911), a misread crisis gets talk of food, so a misread weighs more (figures: models/guard/README.md)
    eating_topic: float = 0.7
    # a refusal reads as a request to act as the clinician from this topic probability up (its own reply; a miss
    # still gets the general refusal, which also names the care team)
    role_topic: float = 0.5


@dataclass
class Verdict:
    """The guard's decision. kind 'allowed' lets the message through to retrieval: the same word as the
    learned reader's label, so one idea has one name from the model's output to the verdict."""

    kind: str
    reason: str
    personal: bool = False
    suicide_topic: bool = False
    crisis_earlier: bool = False
    scores: dict = field(default_factory=dict)
    clinic_words: bool = False  # names something of the clinic's care (treatments, visits, hours) or points back at it
    # its own reply: a crisis about food, weight or purging is "eating_disorder"; a refusal of a request to act as the
    # clinician (read results, diagnose, change the treatment plan) is "clinician_role"
    topic: str = ""
    leaned_off_topic: bool = (
        False  # set by settle(): the reader read it as off topic (approved answers are not offered)
    )
    if_unanswered: str = "no_answer"  # set by settle(): the kind to give when the articles hold no answer
