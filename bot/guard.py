"""Guard stage: classify every message (with the conversation so far) before any retrieval.

Two layers. Rules (bot/guard_rules.py) catch the unmistakable shapes of language. A learned reader
(bot/guard_net.py: all-MiniLM-L6-v2 fine-tuned by `python -m train.guard`, weights in models/guard/)
catches the paraphrases no rule has seen; it is loaded, never trained, at start-up, so the same weights
give the same verdicts on every install of the lock.
The crisis rules are checked first, unless the reader is all but certain there is no crisis; an emergency
named in so many words outranks the reader's crisis unless the reader is confident (the crisis reply
carries 911 too).
"""
from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from bot import guard_rules as R
from bot.guard_net import GuardNet
from bot.guard_text import normalise, plain_idioms
from bot.text import GENERIC, STOPWORDS

EXAMPLES = Path(__file__).with_name("data") / "guard_examples.yml"
LABELS = ("crisis", "emergency", "refused", "off_topic", "allowed")
CACHE_SIZE = 512


@dataclass(frozen=True)
class Reading:
    """What the learned reader makes of a message: label probabilities plus the most crisis-like sentence."""

    scores: dict  # for the whole message
    sentence_crisis: float = 0.0  # the most crisis-like sentence of a longer message (0 when none reads as crisis)

    def nudged(self, label: str, delta: float) -> "Reading":
        """The same reading with `label` made `delta` likelier (the others rescaled to sum to one): how the
        verdict would fall if the model read this message a little differently."""
        p = min(max(self.scores.get(label, 0.0) + delta, 0.0), 1.0)
        rest = 1.0 - self.scores.get(label, 0.0)
        scores = {k: (p if k == label else (v * (1 - p) / rest if rest > 0 else (1 - p) / (len(self.scores) - 1)))
                  for k, v in self.scores.items()}
        sentence = min(max(self.sentence_crisis + delta, 0.0), 1.0) if label == "crisis" and self.sentence_crisis else self.sentence_crisis
        return Reading(scores, sentence)


@dataclass(frozen=True)
class GuardConfig:
    """Classifier probability a label needs; crisis is deliberately the most sensitive."""

    max_chars: int = 1000
    floors: dict = field(default_factory=lambda: {"crisis": 0.50, "emergency": 0.50, "refused": 0.60, "off_topic": 0.55})
    crisis_leading: float = 0.45  # crisis also wins from this probability up when it is the likeliest label
    crisis_margin: float = 0.20  # ... and leads the next label by this much
    crisis_sentence: float = 0.60  # one sentence of a longer message that reads as crisis on its own
    crisis_after_crisis: float = 0.40  # lower crisis floor once the conversation has held a crisis
    # off topic from this probability up when the articles hold no answer either and the message names nothing of
    # the clinic's (dev split: in-scope messages reach at most 0.05 here, off-topic ones at least 0.30)
    off_topic_unanswered: float = 0.2
    window_chars: int = 400  # overlong messages are scanned for crisis in windows of this size
    fragile: float = 0.05  # a verdict that a nudge of this size to any label's probability would change
    # the reader's crisis probability from which it is trusted over the rules' finer judgements (past history,
    # education, worry, an emergency pattern): the crisis reply carries 911 too
    confident: float = 0.9
    # below this crisis probability the reader vetoes a crisis *pattern* ("not suicidal or anything", "suicide
    # squeeze"); a plain statement of intent always reads far above it
    rule_veto: float = 0.02
    crisis_runner_up: float = 0.1  # crisis second to the reader's emergency by at least this: crisis


@dataclass
class Verdict:
    """The guard's decision. kind 'pass' lets the message through to retrieval."""

    kind: str
    reason: str
    personal: bool = False
    suicide_topic: bool = False
    crisis_earlier: bool = False
    scores: dict = field(default_factory=dict)
    clinic_words: bool = False  # names something of the clinic's care (treatments, visits, hours) or points back at it


class Guard:
    """Input guard: configuration in the constructor, a message and its history in run()."""

    def __init__(self, net: GuardNet | None, examples: dict[str, list[str]], config: GuardConfig | None = None,
                 vocabulary: set[str] | None = None):
        self.net = net  # None: rules only (tests of the rules)
        self.config = config or GuardConfig()
        texts = [_prepare(t) for label in LABELS for t in examples.get(label, [])]
        self.known_words = {w for t in texts for w in _words(t)} | set(vocabulary or ())
        self._cache: OrderedDict[str, Verdict] = OrderedDict()
        self._readings: OrderedDict[str, Reading] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def load(cls, net: GuardNet, max_chars: int, path: Path = EXAMPLES) -> "Guard":
        """The guard over a loaded reader; the labelled examples give the words it knows (for keyboard mash)."""
        examples = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
        return cls(net, {k: [str(x) for x in v or []] for k, v in examples.items()}, GuardConfig(max_chars=max_chars))

    def run(self, message: str, history: list[str] | None = None) -> Verdict:
        """Classify one message; a crisis in an earlier user turn keeps crisis in view."""
        earlier, crisis, on_topic = self._context(history)
        verdict = self._classify(message if isinstance(message, str) else "", crisis, on_topic)
        verdict.crisis_earlier = crisis and verdict.kind != "crisis"
        # "will the intake team ask about the attempt?" follows a turn about suicide: the 988 line stays too
        verdict.suicide_topic = verdict.suicide_topic or any(v.suicide_topic for v in earlier)
        return verdict

    def fragile(self, message: str, history: list[str] | None = None) -> bool:
        """True when the verdict rests on the learned reader and a nudge of `config.fragile` to any label's
        probability would change it: the messages that could flip with a retrained model or a new install."""
        _, crisis, on_topic = self._context(history)
        text = message if isinstance(message, str) else ""
        kind = self._classify(text, crisis, on_topic).kind
        size = self.config.fragile
        return any(self._classify(text, crisis, on_topic, (label, delta)).kind != kind
                   for label in LABELS for delta in (size, -size))

    def _context(self, history: list[str] | None) -> tuple[list[Verdict], bool, bool]:
        """The earlier turns' verdicts, whether any was a crisis, and whether the last passed to the articles."""
        earlier = [self._cached(h) for h in history or []]
        return earlier, any(v.kind == "crisis" for v in earlier), bool(earlier) and earlier[-1].kind == "pass"

    # --- stages -----------------------------------------------------------------------------------
    def unanswered(self, verdict: Verdict) -> str:
        """The kind for a message the articles could not answer: 'off_topic' when it names nothing of the
        clinic's care (nor follows up a clinic question) and the classifier already leaned that way, else 'no_answer'."""
        leaning = verdict.scores.get("off_topic", 0.0) >= self.config.off_topic_unanswered
        in_scope = verdict.personal or verdict.clinic_words
        return "off_topic" if leaning and verdict.kind == "pass" and not in_scope else "no_answer"

    def _cached(self, message: str) -> Verdict:
        """Verdicts for history turns, remembered so a long conversation is not re-embedded."""
        with self._lock:
            known = self._cache.get(message)
        if known is None:
            known = self._classify(message if isinstance(message, str) else "", False, False)
            with self._lock:
                self._cache[message] = known
                if len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        return known

    def _classify(self, message: str, earlier_crisis: bool, follows_clinic_turn: bool,
                  nudge: tuple[str, float] | None = None) -> Verdict:
        """Invalid, then crisis (rules, even in an overlong message), then everything else. `nudge`
        (label, delta) shifts the reader's probabilities, for the margin check only."""
        text = _printable(message)
        if not R.NON_TEXT.search(text):
            return Verdict("invalid", "empty" if not text.strip() else "no words")
        norm = normalise(text)
        plain = _plain(norm)
        overlong = len(text) > self.config.max_chars
        if self._crisis_rule(plain) and (overlong or not self._reader_vetoes(plain)):
            return self._flags(Verdict("crisis", "crisis pattern"), text, norm, plain)
        if overlong:
            if self._crisis_in_long(plain):
                return self._flags(Verdict("crisis", "crisis in a long message"), text, norm, plain)
            if _emergency_rule(plain):
                return Verdict("emergency", "emergency pattern in a long message")
            return Verdict("invalid", "too long")
        if _gibberish(norm, self.known_words) or _mash(text):
            return Verdict("invalid", "no recognisable words")
        reading = self._read(plain)
        if nudge and reading.scores:
            reading = reading.nudged(*nudge)
        verdict = self._decide(plain, reading, earlier_crisis, follows_clinic_turn)
        verdict.scores = reading.scores
        return self._flags(verdict, text, norm, plain)

    def _read(self, plain: str) -> Reading:
        """Read the whole message and, when it has several, each sentence without clinic words (remembered:
        the margin check reads the same message again)."""
        with self._lock:
            known = self._readings.get(plain)
        if known is not None:
            return known
        if self.net is None:
            return Reading({})
        sentences = _sentences(plain)
        # a sentence of past history ("i attempted in 2009, stable since") is not a crisis now on its own
        parts = [p for p in sentences if not R.DOMAIN.search(p) and not _past(p)] if len(sentences) > 1 else []
        probs = self._probabilities([plain, *parts])
        crisis_sentences = [p["crisis"] for p in probs[1:] if max(p, key=p.get) == "crisis"]
        reading = Reading(probs[0], max(crisis_sentences, default=0.0))
        with self._lock:
            self._readings[plain] = reading
            if len(self._readings) > CACHE_SIZE:
                self._readings.popitem(last=False)
        return reading

    def _flags(self, verdict: Verdict, text: str, norm: str, plain: str) -> Verdict:
        """Personal, clinic and suicide-topic flags that shape the reply; `norm` and `plain` are the
        message as normalised and with idioms rewritten, already made by _classify."""
        verdict.personal = verdict.kind == "pass" and bool(R.PERSONAL.search(text))
        # "how fast does it start working?", short, on a clinic's page: "it" is the treatment
        points_back = bool(R.FOLLOW_UP.search(norm)) and len(norm.split()) <= 12
        verdict.clinic_words = verdict.clinic_words or bool(R.DOMAIN.search(norm)) or points_back
        # an education question that names suicide or quotes a crisis phrase still gets the 988 line
        verdict.suicide_topic = bool(R.SUICIDE_TOPIC.search(norm) or R.CRISIS.search(plain) or R.OTHERS_HARM.search(plain))
        return verdict

    def _reader_vetoes(self, plain: str) -> bool:
        """The learned reader is all but certain a crisis pattern is no crisis (idioms, negations, sport)."""
        reading = self._read(plain)
        return bool(reading.scores) and reading.scores.get("crisis", 0.0) < self.config.rule_veto and \
            reading.sentence_crisis < self.config.crisis_sentence

    def _crisis_rule(self, plain: str) -> bool:
        """Crisis shapes, and suicide or self-harm words that are not an education question or past history."""
        lethal_wish = R.LETHAL.search(plain) and R.INTENT.search(plain)
        if not (R.CRISIS.search(plain) or R.SUICIDE_TOPIC.search(plain) or lethal_wish):
            return False
        if _education(plain):
            # a crisis said in one's own words stays a crisis beside a question ("I intend to end my life.
            # do you treat people who are suicidal?"); quoted or someone else's words do not
            own_words = R.CRISIS.search(plain) and not (R.THIRD_PARTY.search(plain) or _quoted(plain))
            return bool(own_words or lethal_wish)
        return not _past_history(plain)

    def _crisis_in_long(self, plain: str) -> bool:
        """Scan an overlong message window by window and sentence by sentence: a crisis must not hide behind length."""
        size, cfg = self.config.window_chars, self.config
        windows = _windows(_statements(plain), size)[:40]
        sentences = [s for s in _sentences(plain) if not _education(s) and not R.WORRY.search(s)][:80]
        texts = [t for t in windows + sentences if not _gibberish(t, self.known_words)]
        if not texts or self.net is None:
            return False
        probs = self._probabilities(texts)
        floors = [cfg.floors["crisis"] if t in windows else cfg.crisis_sentence for t in texts]
        return any(p["crisis"] >= floor and p["crisis"] == max(p.values()) for p, floor in zip(probs, floors))

    def _decide(self, plain: str, reading: Reading, earlier_crisis: bool, follows_clinic_turn: bool) -> Verdict:
        """Emergency by rule, crisis by classifier, refused, off topic; rules before the classifier at each step.
        A follow-up ("what year was that?") to a clinic question is never off topic."""
        floors, scores = self.config.floors, reading.scores
        # a medical emergency named in so many words outranks the classifier's reading of crisis: both replies
        # say 911, and a crisis in so many words was already caught by the crisis rules
        if _emergency_rule(plain) and scores.get("crisis", 0.0) < self.config.confident:
            return Verdict("emergency", "emergency pattern")
        if self._semantic_crisis(plain, reading, earlier_crisis):
            return Verdict("crisis", f"classifier crisis ({max(reading.scores['crisis'], reading.sentence_crisis):.2f})")
        if R.REFUSED.search(plain):
            return Verdict("refused", "refusal pattern")
        clinic = R.DOMAIN.search(plain) or (follows_clinic_turn and _bare_follow_up(plain))
        if (R.OFF_TOPIC.search(plain) and not clinic) or (R.OFF_TOPIC_TASK.search(plain) and not R.TREATMENT.search(plain)):
            return Verdict("off_topic", "off-topic pattern")
        best = max(scores, key=scores.get) if scores else "allowed"
        if best == "emergency" and self._crisis_runner_up(scores):
            return Verdict("crisis", f"classifier emergency or crisis ({scores['crisis']:.2f} crisis): the crisis reply carries 911 too")
        if best == "emergency" and R.PAST_OR_CHRONIC.search(plain) and not R.RIGHT_NOW.search(plain):
            best = "allowed"  # "my blood pressure is normally low, is that a problem?"
        if best == "refused" and R.LOGISTICS.search(plain) and not R.DOSE_UNITS.search(plain):
            best = "allowed"  # "how much does it cost to take the nasal spray?" asks about money, not dosing
        if best in ("emergency", "refused", "off_topic") and scores[best] >= floors[best]:
            if best != "off_topic" or not clinic:
                return Verdict(best, f"classifier {best} ({scores[best]:.2f})")
        return Verdict("pass", "ordinary question", clinic_words=bool(clinic))

    def _crisis_runner_up(self, scores: dict) -> bool:
        """The reader's emergency with crisis the next likeliest, by a real share: "tonight the rope in the garage
        keeps coming back into my head" is both, and only the crisis reply has both 988 and 911."""
        runner_up = max((k for k in scores if k != "emergency"), key=scores.get)
        return runner_up == "crisis" and scores["crisis"] >= self.config.crisis_runner_up

    def _semantic_crisis(self, plain: str, reading: Reading, earlier_crisis: bool) -> bool:
        """Crisis by the classifier: likely enough, or the likeliest label near a crisis example, or one
        sentence that reads as crisis on its own. Questions about suicidality and fears of harm
        ("the side effects won't kill me, right?") are not disclosures."""
        scores, cfg = reading.scores, self.config
        if scores.get("crisis", 0.0) >= cfg.confident:
            return True
        if not scores or _education(plain) or (R.WORRY.search(plain) and not R.INTENT.search(plain)):
            return False
        if R.SAFE_SAID.search(plain) and not earlier_crisis:
            return False
        # history the rules judged over ("ten years ago i used to cut ... in a good place now") is not read afresh
        if (R.CRISIS.search(plain) or R.SUICIDE_TOPIC.search(plain)) and _past_history(plain) and not earlier_crisis:
            return False
        p = scores.get("crisis", 0.0)
        if earlier_crisis:
            return p >= cfg.crisis_after_crisis
        runner_up = max((v for k, v in scores.items() if k != "crisis"), default=0.0)
        # the likeliest label by a clear margin
        leading = p >= cfg.crisis_leading and p - runner_up >= cfg.crisis_margin
        # one crisis sentence counts when the whole message leans that way a little too
        in_sentence = reading.sentence_crisis >= cfg.crisis_sentence and p >= 0.1
        return p >= cfg.floors["crisis"] or leading or in_sentence

    def _probabilities(self, texts: list[str]) -> list[dict[str, float]]:
        """The learned reader's label probabilities for each text (none without a reader)."""
        if self.net is None:
            return [{} for _ in texts]
        return self.net.scores(texts)


def _emergency_rule(plain: str) -> bool:
    """An emergency pattern about now (not last week's session, not "can it cause seizures?"). Past and
    hypothetical are judged in the symptom's own sentence: "her face has dropped. she had the infusion
    yesterday" is an emergency now, while the question as a whole ("is that normal?") still rules it out."""
    if R.RIGHT_NOW.search(plain):
        return bool(R.EMERGENCY.search(plain))
    if R.HYPOTHETICAL.search(plain):
        return False
    return any(R.EMERGENCY.search(s) and not R.PAST_OR_CHRONIC.search(s) for s in _statements(plain))


def _prepare(text: str) -> str:
    """What rules and classifier see: normalised text with idioms ("killing me") removed."""
    return _plain(normalise(text))


def _plain(norm: str) -> str:
    """Already-normalised text with idioms rewritten."""
    return re.sub(r"\s+", " ", plain_idioms(norm)).strip()


def _sentences(plain: str) -> list[str]:
    """The sentences of a message (a crisis may sit in one sentence of a longer question)."""
    return [s.strip() for s in re.split(r"[.?!;\n]+|,\s*(?:but|and then|so)\b", plain) if len(s.strip()) > 8]


def _statements(plain: str) -> list[str]:
    """The message cut after each full stop, question mark, exclamation or semicolon, each piece keeping its
    mark (a question stays recognisable) and "1.5 mg" staying whole."""
    return [s for s in re.split(r"(?<=[.!?;])\s+|\n", plain) if s.strip()]


def _windows(statements: list[str], size: int) -> list[str]:
    """Whole sentences gathered into windows of about `size` characters (the reader misreads text cut
    mid-sentence), each window overlapping the next by one sentence."""
    windows, current = [], []
    for statement in statements:
        if current and len(" ".join(current + [statement])) > size:
            windows.append(" ".join(current))
            current = current[-1:]
        current.append(statement)
    return windows + [" ".join(current)] if current else windows


def _past_history(plain: str) -> bool:
    """Suicide or self-harm spoken of as history: the message as a whole is past, or every sentence naming it
    is ("in 1991 i attempted suicide. ... the depression i'm dealing with now is milder") and nothing
    elsewhere says it is back ("again", "lately", "tonight")."""
    if _past(plain):
        return True
    named = [s for s in _statements(plain) if R.CRISIS.search(s) or R.SUICIDE_TOPIC.search(s)]
    return bool(named) and all(_past(s) for s in named) and not R.RECENT.search(plain)


def _quoted(plain: str) -> bool:
    """A screening question quoted, not said: the form is named and every crisis phrase sits in a question
    ("does the intake form ask if i'd be better off dead?"). A statement beside the form ("i'm only telling
    you because the intake form asks: i sit with the loaded pistol most nights") is the person's own."""
    if not R.MENTION.search(plain):
        return False
    said = [s for s in _statements(plain) if R.CRISIS.search(s)]
    return all(s.rstrip().endswith("?") or re.match(r"(is|does|do|what|why|how|can|will|would|should|are)\b", s) for s in said)


def _past(text: str) -> bool:
    """History that is over: a past marker ("back in 2009", "fully healed") and nothing about now."""
    return bool(R.PAST_DISCLOSURE.search(text) and not R.NOW.search(text))


def _bare_follow_up(plain: str) -> bool:
    """'what year was that?': points back at the last turn and brings at most one topic word of its own."""
    if not R.FOLLOW_UP.search(plain):
        return False
    own = [w for w in re.findall(r"[a-z]{3,}", plain) if w not in STOPWORDS and w not in GENERIC and not R.FOLLOW_UP.fullmatch(w)]
    return len(own) <= 1


def _education(plain: str) -> bool:
    """A question about suicidality (research, screening, someone lost) rather than a disclosure."""
    if R.THIRD_PARTY.search(plain) or (_quoted(plain) and not R.DISCLOSURE.search(plain)):
        return True
    return bool(R.SUICIDE_TOPIC.search(plain) and R.EDUCATION.search(plain) and not R.DISCLOSURE.search(plain))


ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


def _printable(message: str) -> str:
    """The message without terminal escape sequences ("\\x1b[31m") or other control characters."""
    return "".join(ch for ch in ANSI.sub("", message) if unicodedata.category(ch)[0] != "C" or ch in "\n\t ")


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]{3,}", text.lower()))


def _gibberish(text: str, known: set[str]) -> bool:
    """Keyboard mash: several letter runs, none of them a word clinicbot has ever seen."""
    words = re.findall(r"[a-zA-Z]{3,}", text)
    if len(words) < 2:
        return False
    return not any(w.lower() in known or w.lower() in STOPWORDS for w in words)


def _mash(text: str) -> bool:
    """Letters that cannot be words, as typed (before repeats are folded): "jjjjjjjj", "xkcdq"."""
    words = re.findall(r"[a-zA-Z]{3,}", text)
    return bool(words) and all(_unpronounceable(w.lower()) for w in words)


def _unpronounceable(word: str) -> bool:
    """No vowel in four or more letters, or one letter held down four times."""
    return (len(word) >= 4 and not re.search(r"[aeiouy]", word)) or bool(re.search(r"(.)\1{3}", word))
