"""Guard stage: classify every message (with the conversation so far) before any retrieval.

A learned reader (bot/guard/net.py: all-MiniLM-L6-v2 fine-tuned by `python -m train.guard`, weights in
models/guard/) decides; it is loaded, never trained, at start-up, so the same weights give the same
verdicts on every install of the lock. Rules (bot/guard/rules.py) keep only the unmistakable: a crisis or
an emergency said in so many words, an override attempt, and the structural checks (empty, unprintable,
keyboard mash, too long). The crisis rules are checked first, unless the reader is all but certain there is
no crisis; an emergency named in so many words outranks the reader's crisis unless the reader is confident
(the crisis reply carries 911 too). A crisis the reader's topic head reads as eating-disorder risk is
marked so, for its own reply. Whether a message is about the clinic at all is judged by the engine against
the articles it serves (bot/guard/scope.py); the guard only knows words of any clinic's care.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from bot.core.text import GENERIC, STOPWORDS
from bot.guard import rules
from bot.guard import text as guard_text
from bot.guard.net import GuardNet
from bot.guard.scope import CARE, Scope
from bot.guard.text import normalise, plain_idioms

EXAMPLES = Path(__file__).with_name("data") / "guard_examples.yml"
LABELS = ("crisis", "emergency", "refused", "off_topic", "allowed")
CACHE_SIZE = 512


@dataclass(frozen=True)
class Reading:
    """What the learned reader makes of a message: label probabilities plus the most crisis-like sentence."""

    scores: dict  # for the whole message
    sentence_crisis: float = 0.0  # the most crisis-like sentence of a longer message (0 when none reads as crisis)
    topics: dict = field(default_factory=dict)  # the topic heads' probabilities for the whole message
    sentences_read: bool = False  # whether the sentences were read (only when one of them could change the verdict)

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
        return Reading(scores, sentence, self.topics, self.sentences_read)


@dataclass(frozen=True)
class GuardConfig:
    """Classifier probability a label needs; crisis is deliberately the most sensitive."""

    max_chars: int = 1000
    floors: dict = field(
        default_factory=lambda: {"crisis": 0.50, "emergency": 0.50, "refused": 0.60, "off_topic": 0.55}
    )
    crisis_leading: float = 0.45  # crisis also wins from this probability up when it is the likeliest label
    crisis_margin: float = 0.20  # ... and leads the next label by this much
    crisis_sentence: float = 0.60  # one sentence of a longer message that reads as crisis on its own
    # ... counts only when the whole message reads crisis at least this much (a sentence read alone is easily
    # misread: "how many extra can i take" alone reads as crisis)
    sentence_needs: float = 0.1
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
    crisis_runner_up: float = 0.1  # crisis second to the reader's emergency or refusal by at least this: crisis
    # a crisis reads as eating-disorder risk from this topic probability up. A miss still gets the crisis reply
    # (988, 911), a misread crisis gets talk of food, so a misread weighs more (figures: models/guard/README.md)
    eating_topic: float = 0.7


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
    topic: str = ""  # for a crisis: "eating_disorder" when the risk is about food, weight or purging (its own reply)
    leaned_off_topic: bool = (
        False  # set by settle(): the reader read it as off topic (approved answers are not offered)
    )
    if_unanswered: str = "no_answer"  # set by settle(): the kind to give when the articles hold no answer


class Guard:
    """Input guard: configuration in the constructor, a message and its history in run()."""

    def __init__(
        self,
        net: GuardNet | None,
        examples: dict[str, list[str]],
        config: GuardConfig | None = None,
        vocabulary: set[str] | None = None,
    ):
        self.net = net  # None: rules only (tests of the rules)
        self.config = config or GuardConfig()
        texts = [_prepare(t) for label in LABELS for t in examples.get(label, [])]
        self.known_words = {w for t in texts for w in guard_text.words(t)} | set(vocabulary or ())
        self._cache: OrderedDict[str, Verdict] = OrderedDict()
        self._readings: OrderedDict[str, Reading] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def load(cls, net: GuardNet, max_chars: int, path: Path = EXAMPLES) -> "Guard":
        """The guard over a loaded reader; the labelled examples give the words it knows (for keyboard mash)."""
        examples = (
            yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
        )
        return cls(net, {k: [str(x) for x in v or []] for k, v in examples.items()}, GuardConfig(max_chars=max_chars))

    def forget(self, message: str) -> None:
        """Drop what the guard remembers of one message, so the next run reads it afresh (for benchmarks)."""
        with self._lock:
            self._cache.pop(message, None)
            self._readings.pop(_prepare(guard_text.printable(message)), None)

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
        return any(
            self._classify(text, crisis, on_topic, (label, delta)).kind != kind
            for label in LABELS
            for delta in (size, -size)
        )

    def _context(self, history: list[str] | None) -> tuple[list[Verdict], bool, bool]:
        """The earlier turns' verdicts, whether any was a crisis, and whether the last passed to the articles."""
        earlier = [self._cached(h) for h in history or []]
        return earlier, any(v.kind == "crisis" for v in earlier), bool(earlier) and earlier[-1].kind == "pass"

    # --- stages -----------------------------------------------------------------------------------
    def settle(self, verdict: Verdict, scope: Scope) -> Verdict:
        """The guard's last word on a message it let through or read as off topic, once the engine knows how near
        it is to the articles the clinic serves (`scope`, bot/guard/scope.py). Off topic only when the reader
        leaned that way and the message is far from every served article and names nothing of any clinic's
        care: another specialty's question is in scope the day its articles are published. Also decides, once,
        what to say if the articles then hold no answer (`if_unanswered`): off topic for a message the reader
        leaned a little that way and nothing ties to the clinic, else "not covered"."""
        leaned = verdict.kind == "off_topic"
        kind = "off_topic" if leaned and not scope.covered else "pass"
        reason = (
            verdict.reason
            if kind == verdict.kind
            else f"{verdict.reason}; near the served articles ({scope.nearest:.2f})"
        )
        leaning = verdict.scores.get("off_topic", 0.0) >= self.config.off_topic_unanswered
        tied = verdict.personal or verdict.clinic_words or scope.covered
        if_unanswered = "off_topic" if leaning and not leaned and not tied else "no_answer"
        return replace(verdict, kind=kind, reason=reason, leaned_off_topic=leaned, if_unanswered=if_unanswered)

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

    def _classify(
        self, message: str, earlier_crisis: bool, follows_clinic_turn: bool, nudge: tuple[str, float] | None = None
    ) -> Verdict:
        """Invalid, then crisis (rules, even in an overlong message), then everything else. `nudge`
        (label, delta) shifts the reader's probabilities, for the margin check only."""
        text = guard_text.printable(message)
        if not rules.NON_TEXT.search(text):
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
        if guard_text.gibberish(norm, self.known_words) or guard_text.mash(text):
            return Verdict("invalid", "no recognisable words")
        reading = self._read(plain)
        if nudge and reading.scores:
            reading = reading.nudged(*nudge)
        verdict = self._decide(plain, reading, earlier_crisis, follows_clinic_turn)
        verdict.scores = reading.scores
        return self._flags(verdict, text, norm, plain)

    def _read(self, plain: str, sentences: bool = False) -> Reading:
        """Read the whole message and, when it has several, each sentence without clinic words (remembered:
        the margin check reads the same message again). The sentences cost a pass each, so they are read only
        when asked for (`sentences`: a crisis pattern the reader may veto) or when the whole message leans
        crisis enough that one sentence could tip it (`sentence_needs`, less the margin check's nudge)."""
        with self._lock:
            known = self._readings.get(plain)
        if known is not None and (known.sentences_read or not sentences):
            return known
        if self.net is None:
            return Reading({})
        reading = known or self._read_whole(plain)
        if sentences or reading.scores["crisis"] >= self.config.sentence_needs - self.config.fragile:
            reading = self._read_sentences(plain, reading)
        with self._lock:
            self._readings[plain] = reading
            if len(self._readings) > CACHE_SIZE:
                self._readings.popitem(last=False)
        return reading

    def _read_whole(self, plain: str) -> Reading:
        """The reader's label and topic probabilities for the whole message."""
        rows, topics = self.net.read([plain])
        return Reading(
            dict(zip(self.net.config.labels, map(float, rows[0]), strict=False)),
            0.0,
            {k: float(v[0]) for k, v in topics.items()},
        )

    def _read_sentences(self, plain: str, whole: Reading) -> Reading:
        """`whole` with its most crisis-like sentence read on its own (clinic words and past history left out)."""
        sentences = guard_text.sentences(plain)
        # a sentence of past history ("i attempted in 2009, stable since") is not a crisis now on its own
        parts = [p for p in sentences if not CARE.search(p) and not _past(p)] if len(sentences) > 1 else []
        probs = self._probabilities(parts)
        crisis_sentences = [p["crisis"] for p in probs if max(p, key=p.get) == "crisis"]
        return Reading(whole.scores, max(crisis_sentences, default=0.0), whole.topics, True)

    def _flags(self, verdict: Verdict, text: str, norm: str, plain: str) -> Verdict:
        """Personal, clinic and suicide-topic flags that shape the reply; `norm` and `plain` are the
        message as normalised and with idioms rewritten, already made by _classify."""
        verdict.personal = verdict.kind == "pass" and bool(rules.PERSONAL.search(text))
        # "how fast does it start working?", short, on a clinic's page: "it" is the treatment
        points_back = bool(rules.FOLLOW_UP.search(norm)) and len(norm.split()) <= 12
        verdict.clinic_words = verdict.clinic_words or bool(CARE.search(norm)) or points_back
        # an education question that names suicide or quotes a crisis phrase still gets the 988 line
        verdict.suicide_topic = bool(
            rules.HARM_NAMED.search(norm) or rules.CRISIS.search(plain) or rules.OTHERS_HARM.search(plain)
        )
        if verdict.kind == "crisis" and self.net is not None:
            topics = self._read(plain).topics
            verdict.topic = "eating_disorder" if topics.get("eating_disorder", 0.0) >= self.config.eating_topic else ""
        return verdict

    def _reader_vetoes(self, plain: str) -> bool:
        """The learned reader is all but certain a crisis pattern is no crisis (idioms, negations, sport)."""
        reading = self._read(plain, sentences=True)
        return (
            bool(reading.scores)
            and reading.scores.get("crisis", 0.0) < self.config.rule_veto
            and reading.sentence_crisis < self.config.crisis_sentence
        )

    def _crisis_rule(self, plain: str) -> bool:
        """A crisis in so many words (or lethality asked about with a wish for it), in the sender's own voice
        and about now: not a screening question quoted, not history that is over."""
        lethal_wish = rules.LETHAL.search(plain) and rules.INTENT.search(plain)
        if not (rules.CRISIS.search(plain) or lethal_wish):
            return False
        return not _quoted(plain) and not _past_history(plain)

    def _crisis_in_long(self, plain: str) -> bool:
        """Scan an overlong message window by window and sentence by sentence: a crisis must not hide behind length."""
        size, cfg = self.config.window_chars, self.config
        windows = guard_text.windows(guard_text.statements(plain), size)[:40]
        sentences = [s for s in guard_text.sentences(plain) if not _education(s)][:80]
        texts = [t for t in windows + sentences if not guard_text.gibberish(t, self.known_words)]
        if not texts or self.net is None:
            return False
        probs = self._probabilities(texts)
        floors = [cfg.floors["crisis"] if t in windows else cfg.crisis_sentence for t in texts]
        return any(
            p["crisis"] >= floor and p["crisis"] == max(p.values()) for p, floor in zip(probs, floors, strict=False)
        )

    def _decide(self, plain: str, reading: Reading, earlier_crisis: bool, follows_clinic_turn: bool) -> Verdict:
        """Emergency named outright, crisis by the reader, an override or prescribing request, then the reader's
        label. A follow-up ("what year was that?") to a clinic question, or a message about the clinic's care in
        any clinic's words, is never off topic here (the engine also compares it with the served articles)."""
        floors, scores = self.config.floors, reading.scores
        # a medical emergency named in so many words outranks the classifier's reading of crisis: both replies
        # say 911, and a crisis in so many words was already caught by the crisis rules
        if _emergency_rule(plain) and scores.get("crisis", 0.0) < self.config.confident:
            return Verdict("emergency", "emergency pattern")
        if self._semantic_crisis(plain, reading, earlier_crisis):
            return Verdict(
                "crisis", f"classifier crisis ({max(reading.scores['crisis'], reading.sentence_crisis):.2f})"
            )
        if rules.REFUSED.search(plain):
            return Verdict("refused", "refusal pattern")
        clinic = bool(CARE.search(plain)) or (follows_clinic_turn and _bare_follow_up(plain))
        best = max(scores, key=scores.get) if scores else "allowed"
        if best in ("emergency", "refused") and self._crisis_runner_up(scores):
            return Verdict(
                "crisis",
                f"classifier {best} or crisis ({scores['crisis']:.2f} crisis): the crisis reply is the safe one",
            )
        if best == "emergency" and rules.PAST_OR_CHRONIC.search(plain) and not rules.RIGHT_NOW.search(plain):
            best = "allowed"  # "my blood pressure is normally low, is that a problem?"
        if best in ("emergency", "refused", "off_topic") and scores[best] >= floors[best]:
            if best != "off_topic" or not clinic:
                return Verdict(best, f"classifier {best} ({scores[best]:.2f})")
        return Verdict("pass", "ordinary question", clinic_words=clinic)

    def _crisis_runner_up(self, scores: dict) -> bool:
        """The reader's emergency or refusal with crisis the next likeliest, by a real share: "tonight the rope in
        the garage keeps coming back into my head" is both, and only the crisis reply has both 988 and 911; "how
        many of my pills would end it" reads as misuse or crisis, and a refusal would fail a person in crisis."""
        best = max(scores, key=scores.get)
        runner_up = max((k for k in scores if k != best), key=scores.get)
        return runner_up == "crisis" and scores["crisis"] >= self.config.crisis_runner_up

    def _semantic_crisis(self, plain: str, reading: Reading, earlier_crisis: bool) -> bool:
        """Crisis by the classifier: likely enough, or the likeliest label by a margin, or one sentence that reads
        as crisis on its own. A question about suicidality (research, screening, someone else's) and history
        that is over are not disclosures, unless the reader is confident."""
        scores, cfg = reading.scores, self.config
        if scores.get("crisis", 0.0) >= cfg.confident:
            return True
        if not scores or _education(plain):
            return False
        # history the rules judged over ("ten years ago i used to cut ... in a good place now") is not read afresh
        if (
            (rules.CRISIS.search(plain) or rules.HARM_NAMED.search(plain))
            and _past_history(plain)
            and not earlier_crisis
        ):
            return False
        p = scores.get("crisis", 0.0)
        if earlier_crisis:
            return p >= cfg.crisis_after_crisis
        runner_up = max((v for k, v in scores.items() if k != "crisis"), default=0.0)
        # the likeliest label by a clear margin
        leading = p >= cfg.crisis_leading and p - runner_up >= cfg.crisis_margin
        # one crisis sentence counts when the whole message leans that way a little too
        in_sentence = reading.sentence_crisis >= cfg.crisis_sentence and p >= cfg.sentence_needs
        return p >= cfg.floors["crisis"] or leading or in_sentence

    def _probabilities(self, texts: list[str]) -> list[dict[str, float]]:
        """The learned reader's label probabilities for each text (none without a reader)."""
        if self.net is None:
            return [{} for _ in texts]
        return self.net.scores(texts)


def _emergency_rule(plain: str) -> bool:
    """An emergency pattern about now (not last week's session, not "can it cause seizures?"). Past and
    hypothetical are judged in the symptom's own sentence: "her face has dropped. she had the procedure
    yesterday" is an emergency now, while the question as a whole ("is that normal?") still rules it out."""
    if rules.RIGHT_NOW.search(plain):
        return bool(rules.EMERGENCY.search(plain))
    if rules.HYPOTHETICAL.search(plain):
        return False
    return any(rules.EMERGENCY.search(s) and not rules.PAST_OR_CHRONIC.search(s) for s in guard_text.statements(plain))


def _prepare(text: str) -> str:
    """What rules and classifier see: normalised text with idioms ("killing me") removed."""
    return _plain(normalise(text))


def _plain(norm: str) -> str:
    """Already-normalised text with idioms rewritten."""
    return re.sub(r"\s+", " ", plain_idioms(norm)).strip()


def _past_history(plain: str) -> bool:
    """Suicide or self-harm spoken of as history: the message as a whole is past, or every sentence naming it
    is ("in 1991 i attempted suicide. ... the depression i'm dealing with now is milder") and nothing
    elsewhere says it is back ("again", "lately", "tonight")."""
    if _past(plain):
        return True
    named = [s for s in guard_text.statements(plain) if rules.CRISIS.search(s) or rules.HARM_NAMED.search(s)]
    return bool(named) and all(_past(s) for s in named) and not rules.RECENT.search(plain)


def _quoted(plain: str) -> bool:
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


def _past(text: str) -> bool:
    """History that is over: a past marker ("back in 2009", "fully healed") and nothing about now."""
    return bool(rules.PAST_DISCLOSURE.search(text) and not rules.NOW.search(text))


def _bare_follow_up(plain: str) -> bool:
    """'what year was that?': points back at the last turn and brings at most one topic word of its own."""
    if not rules.FOLLOW_UP.search(plain):
        return False
    own = [
        w
        for w in re.findall(r"[a-z]{3,}", plain)
        if w not in STOPWORDS and w not in GENERIC and not rules.FOLLOW_UP.fullmatch(w)
    ]
    return len(own) <= 1


def _education(plain: str) -> bool:
    """A question about suicidality (research, screening, someone lost) rather than a disclosure."""
    if rules.THIRD_PARTY.search(plain) or (_quoted(plain) and not rules.DISCLOSURE.search(plain)):
        return True
    return bool(
        rules.SUICIDE_TOPIC.search(plain) and rules.EDUCATION.search(plain) and not rules.DISCLOSURE.search(plain)
    )
