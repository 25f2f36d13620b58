"""Guard stage: classify every message (with the conversation so far) before any retrieval.

A learned reader (bot/guard/net.py: all-MiniLM-L6-v2 fine-tuned by `python -m train.guard`, weights in
models/guard/) decides; it is loaded, never trained, at start-up, so the same weights give the same
verdicts on every install of the lock. Rules (bot/guard/rules.py) keep only the unmistakable: a crisis or
an emergency said in so many words, an override attempt, and the structural checks (empty, unprintable,
keyboard mash, too long). The crisis rules are checked first, unless the reader is all but certain there is
no crisis; an emergency named in so many words outranks the reader's crisis unless the reader is confident
(the crisis reply carries 911 too). Worry without danger gets the `support` kind. The reader's topic heads mark
a crisis about eating and a request to act as the clinician, for their own replies. Whether a message is about
the clinic at all is decided in the same run, from how near its embedding is to the articles the clinic serves
(`Guard.settle`, bot/guard/scope.py): the guard decides once and the engine never takes a verdict back. How a message is
worded (history that is over, a quoted screening question, education) is judged in bot/guard/wording.py; the
records (Reading, GuardConfig, Verdict) are in bot/guard/verdict.py.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import replace
from pathlib import Path

import yaml

from bot.core.text import as_text
from bot.guard import rules, wording
from bot.guard import text as guard_text
from bot.guard.net import GuardNet
from bot.guard.scope import CARE, Scope
from bot.guard.text import normalise
from bot.guard.verdict import LABELS, GuardConfig, Reading, Verdict

EXAMPLES = Path(__file__).with_name("data") / "guard_examples.yml"
CACHE_SIZE = 512


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
        texts = [wording.prepare(t) for label in LABELS for t in examples.get(label, [])]
        self.known_words = {w for t in texts for w in guard_text.words(t)} | set(vocabulary or ())
        self._cache: OrderedDict[str, Verdict] = OrderedDict()
        self._readings: OrderedDict[str, Reading] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def load(cls, net: GuardNet, max_chars: int, path: Path = EXAMPLES) -> "Guard":
        """The guard over a loaded reader; the words it knows (for keyboard mash) are the labelled examples' and
        the reader's whole-word vocabulary."""
        examples = (
            yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
        )
        texts = {k: [str(x) for x in v or []] for k, v in examples.items()}
        return cls(net, texts, GuardConfig(max_chars=max_chars), net.known_words() if net else None)

    def forget(self, message: str) -> None:
        """Drop what the guard remembers of one message, so the next run reads it afresh (for benchmarks)."""
        with self._lock:
            self._cache.pop(message, None)
            self._readings.pop(wording.prepare(guard_text.printable(message)), None)

    def run(self, message: str, history: list[str] | None = None, scope: Scope | None = None) -> Verdict:
        """Classify one message, once: a crisis in an earlier user turn keeps crisis in view, and `scope` (how
        near the message is to the articles the clinic serves) settles whether it is about the clinic at all.
        Without a scope, a message the reader reads as off topic stays off topic."""
        earlier, crisis, on_topic = self._context(history)
        verdict = self._classify(as_text(message), crisis, on_topic)
        verdict.crisis_earlier = crisis and verdict.kind != "crisis"
        # "will the intake team ask about the attempt?" follows a turn about suicide: the 988 line stays too
        verdict.suicide_topic = verdict.suicide_topic or any(v.suicide_topic for v in earlier)
        if scope is not None and verdict.kind in ("allowed", "off_topic"):
            verdict = self.settle(verdict, scope)
        return verdict

    def fragile(self, message: str, history: list[str] | None = None) -> bool:
        """True when the verdict rests on the learned reader and a nudge of `config.fragile` to any label's
        probability would change it: the messages that could flip with a retrained model or a new install."""
        _, crisis, on_topic = self._context(history)
        text = as_text(message)
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
        return earlier, any(v.kind == "crisis" for v in earlier), bool(earlier) and earlier[-1].kind == "allowed"

    # --- stages -----------------------------------------------------------------------------------
    def settle(self, verdict: Verdict, scope: Scope) -> Verdict:
        """The guard's word on a message it let through or read as off topic, given how near it is to the
        articles the clinic serves (`scope`, bot/guard/scope.py; `run` calls it). Off topic only when the reader
        leaned that way and the message is far from every served article and names nothing of any clinic's
        care: another specialty's question is in scope the day its articles are published. Also decides, once,
        what to say if the articles then hold no answer (`if_unanswered`): off topic for a message the reader
        leaned a little that way and nothing ties to the clinic, else "not covered"."""
        leaned = verdict.kind == "off_topic"
        kind = "off_topic" if leaned and not scope.covered else "allowed"
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
            known = self._classify(as_text(message), False, False)
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
        plain = wording.plain_text(norm)
        overlong = len(text) > self.config.max_chars
        if self._crisis_rule(plain) and (overlong or not self._reader_vetoes(plain)):
            return self._flags(Verdict("crisis", "crisis pattern"), text, norm, plain)
        if overlong:
            if self._crisis_in_long(plain):
                return self._flags(Verdict("crisis", "crisis in a long message"), text, norm, plain)
            if wording.emergency_now(plain):
                return Verdict("emergency", "emergency pattern in a long message")
            return Verdict("invalid", "too long")
        if guard_text.gibberish(norm, self.known_words) or guard_text.mash(text):
            if self._reads_backwards(text):  # "thgin ot efil ym dne ot tnaw i", typed backwards on purpose
                return self._classify(text[::-1], earlier_crisis, follows_clinic_turn, nudge)
            return Verdict("invalid", "no recognisable words")
        reading = self._read(plain)
        if nudge and reading.scores:
            reading = reading.nudged(*nudge)
        verdict = self._decide(plain, reading, earlier_crisis, follows_clinic_turn)
        verdict.scores = reading.scores
        return self._flags(verdict, text, norm, plain)

    def _reads_backwards(self, text: str) -> bool:
        """Words found only when the message is read from its last letter to its first: a message typed in
        reverse, with no right-to-left mark to show it forwards (bot/guard/text.py handles the marked kind)."""
        flipped = text[::-1]
        return not guard_text.gibberish(normalise(flipped), self.known_words) and not guard_text.mash(flipped)

    def _read(self, plain: str) -> Reading:
        """Read the whole message and each of its parts in one batched pass (remembered: the margin check reads
        the same message again). A risk said in one sentence, or in a stretch of an unpunctuated message, is
        found whatever the rest says: "everyone would be better off if i was gone. what does it do?"."""
        with self._lock:
            known = self._readings.get(plain)
        if known is not None:
            return known
        if self.net is None:
            return Reading({})
        parts = self._parts(plain)
        rows, topics = self.net.read_message(plain, parts)
        labels = self.net.config.labels
        scores = [dict(zip(labels, map(float, row), strict=False)) for row in rows]
        reading = Reading(
            scores[0],
            _likeliest(scores[1:], "crisis"),
            {k: float(v[0]) for k, v in topics.items()},
            _likeliest(scores[1:], "emergency"),
        )
        with self._lock:
            self._readings[plain] = reading
            if len(self._readings) > CACHE_SIZE:
                self._readings.popitem(last=False)
        return reading

    def _parts(self, plain: str) -> list[str]:
        """The pieces of a longer message read on their own: its sentences, or for a long run without stops,
        overlapping stretches of words. Clinic words and history that is over are left out ("i attempted in
        2009, stable since" is not a crisis now)."""
        pieces = guard_text.sentences(plain)
        if len(pieces) <= 1:
            pieces = guard_text.stretches(plain, self.config.stretch_words)
        if len(pieces) <= 1:
            return []
        return [p for p in pieces if not CARE.search(p) and not wording.past(p)][: self.config.max_parts]

    def _flags(self, verdict: Verdict, text: str, norm: str, plain: str) -> Verdict:
        """Personal, clinic and suicide-topic flags that shape the reply; `norm` and `plain` are the
        message as normalised and with idioms rewritten, already made by _classify."""
        verdict.personal = verdict.kind == "allowed" and bool(rules.PERSONAL.search(text))
        # "how fast does it start working?", short, on a clinic's page: "it" is the treatment
        points_back = bool(rules.FOLLOW_UP.search(norm)) and len(norm.split()) <= 12
        verdict.clinic_words = verdict.clinic_words or bool(CARE.search(norm)) or points_back
        # an education question that names suicide or quotes a crisis phrase still gets the 988 line
        verdict.suicide_topic = bool(
            rules.HARM_NAMED.search(norm) or rules.CRISIS.search(plain) or rules.OTHERS_HARM.search(plain)
        )
        verdict.topic = self._topic(verdict.kind, plain)
        return verdict

    def _topic(self, kind: str, plain: str) -> str:
        """What kind of crisis or refusal it is, by the reader's topic heads, for its own reply: eating-disorder
        risk, or a request to act as the clinician (read results, diagnose, change the plan); "" otherwise."""
        heads = {
            "crisis": ("eating_disorder", self.config.eating_topic),
            "refused": ("clinician_role", self.config.role_topic),
        }
        if kind not in heads or self.net is None:
            return ""
        name, floor = heads[kind]
        return name if self._read(plain).topics.get(name, 0.0) >= floor else ""

    def _reader_vetoes(self, plain: str) -> bool:
        """The learned reader is all but certain a crisis pattern is no crisis (idioms, negations, sport)."""
        reading = self._read(plain)
        return (
            bool(reading.scores)
            and reading.scores.get("crisis", 0.0) < self.config.rule_veto
            and reading.sentence_crisis < self.config.crisis_sentence
        )

    def _reader_vetoes_emergency(self, reading: Reading) -> bool:
        """The learned reader is all but certain an emergency pattern is no emergency in the whole message, and
        either no part of it reads as an emergency first or the whole is an ordinary question it is confident of: a
        question about a risk, a score or a feeling ("some days I feel like I'm dying"); "i've only had one seizure
        and that was before the operation", read alone, is an emergency, beside "can i still drive after a
        glioma?" it is history. "the oximeter says 81% and dropping, what do we do" reads as a request to read
        results whole, and its first sentence as an emergency: the pattern stands."""
        scores = reading.scores
        ordinary = scores.get("allowed", 0.0) >= self.config.confident
        return (
            bool(scores)
            and scores.get("emergency", 0.0) < self.config.emergency_veto
            and (reading.sentence_emergency == 0.0 or ordinary)
        )

    def _crisis_rule(self, plain: str) -> bool:
        """A crisis in so many words (or lethality asked about with a wish for it), in the sender's own voice
        and about now: not a screening question quoted, not history that is over."""
        lethal_wish = rules.LETHAL.search(plain) and rules.INTENT.search(plain)
        if not (rules.CRISIS.search(plain) or lethal_wish):
            return False
        return not wording.quoted(plain) and not wording.past_history(plain)

    def _crisis_in_long(self, plain: str) -> bool:
        """Scan an overlong message window by window and sentence by sentence: a crisis must not hide behind length."""
        size, cfg = self.config.window_chars, self.config
        windows = guard_text.windows(guard_text.statements(plain), size)[:40]
        sentences = [s for s in guard_text.sentences(plain) if not wording.education(s)][:80]
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
        if (
            wording.emergency_now(plain)
            and scores.get("crisis", 0.0) < self.config.confident
            and not self._reader_vetoes_emergency(reading)
        ):
            return Verdict("emergency", "emergency pattern")
        if self._emergency_part(reading):
            return Verdict("emergency", f"an emergency in one part ({reading.sentence_emergency:.2f})")
        if self._semantic_crisis(plain, reading, earlier_crisis):
            return Verdict(
                "crisis", f"classifier crisis ({max(reading.scores['crisis'], reading.sentence_crisis):.2f})"
            )
        if rules.REFUSED.search(plain):
            return Verdict("refused", "refusal pattern")
        clinic = bool(CARE.search(plain)) or (follows_clinic_turn and wording.bare_follow_up(plain))
        best = max(scores, key=scores.get) if scores else "allowed"
        if best in ("emergency", "refused") and self._crisis_runner_up(scores):
            return Verdict(
                "crisis",
                f"classifier {best} or crisis ({scores['crisis']:.2f} crisis): the crisis reply is the safe one",
            )
        if best == "emergency" and self._past_not_now(plain, scores):
            best = "allowed"  # "my blood pressure is normally low, is that a problem?"
        if best in ("crisis", "emergency") and scores[best] < floors[best] and self._danger_likelier(plain, scores):
            kind = self._stronger_danger(reading)
            return Verdict(
                kind, f"crisis or emergency likelier than not ({scores['crisis'] + scores['emergency']:.2f})"
            )
        if best in ("emergency", "refused", "off_topic", "support") and scores[best] >= floors[best]:
            if best != "off_topic" or not clinic:
                return Verdict(best, f"classifier {best} ({scores[best]:.2f})")
        return Verdict("allowed", "ordinary question", clinic_words=clinic)

    def _past_not_now(self, plain: str, scores: dict) -> bool:
        """Words of the past or of a lasting condition, none of now, and a reader not sure of an emergency: a
        confident reading is not undone by a date ("stopped drinking 2 days ago, ... seeing bugs on the wall")."""
        return (
            scores["emergency"] < self.config.confident
            and bool(rules.PAST_OR_CHRONIC.search(plain))
            and not rules.RIGHT_NOW.search(plain)
        )

    def _danger_likelier(self, plain: str, scores: dict) -> bool:
        """Crisis and emergency together likelier than not, though neither reaches its floor alone: "I have big pain in
        the chest and I sweat very much and I want to vomit. Is it from the medicine?" can read crisis 0.44 and
        emergency 0.33, and letting it through as a question would fail the sender. A question about suicide as a
        topic ("how do you ask a friend if they're thinking about suicide?") is not a disclosure."""
        danger = scores.get("crisis", 0.0) + scores.get("emergency", 0.0)
        return danger >= self.config.danger_floor and not wording.education(plain)

    def _stronger_danger(self, reading: Reading) -> str:
        """Emergency when the whole message, or one of its parts, reads it more strongly than crisis, else crisis
        (whose reply names 911 too). A part counts when the whole leans its way at all, as everywhere else."""
        scores, needs = reading.scores, self.config.sentence_needs
        emergency, crisis = scores.get("emergency", 0.0), scores.get("crisis", 0.0)
        if emergency >= needs:
            emergency = max(emergency, reading.sentence_emergency)
        if crisis >= needs:
            crisis = max(crisis, reading.sentence_crisis)
        return "emergency" if emergency > crisis else "crisis"

    def _emergency_part(self, reading: Reading) -> bool:
        """One part reads as an emergency on its own ("right now my husband has dropped to the floor") after
        chatter about parking, and the whole leans that way at all. A crisis part that counts is judged first; one
        that does not (the whole reads no crisis) does not hide the emergency: "i feel the cord coming out. i am
        alone at home please what i do" has a second sentence that alone reads as crisis."""
        cfg = self.config
        return (
            reading.sentence_emergency >= cfg.emergency_part
            and reading.scores.get("emergency", 0.0) >= cfg.sentence_needs
            and not self._crisis_part_counts(reading)
        )

    def _crisis_part_counts(self, reading: Reading) -> bool:
        """One part reads as crisis on its own and the whole message leans that way at all: a fragment read alone
        is easily misread ("how many extra can i take" alone reads as crisis)."""
        cfg = self.config
        return (
            reading.sentence_crisis >= cfg.crisis_sentence and reading.scores.get("crisis", 0.0) >= cfg.sentence_needs
        )

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
        if not scores or wording.education(plain):
            return False
        # history the rules judged over ("ten years ago i used to cut ... in a good place now") is not read afresh
        if (
            (rules.CRISIS.search(plain) or rules.HARM_NAMED.search(plain))
            and wording.past_history(plain)
            and not earlier_crisis
        ):
            return False
        p = scores.get("crisis", 0.0)
        if earlier_crisis:
            return p >= cfg.crisis_after_crisis
        runner_up = max((v for k, v in scores.items() if k != "crisis"), default=0.0)
        # the likeliest label by a clear margin
        leading = p >= cfg.crisis_leading and p - runner_up >= cfg.crisis_margin
        # one part that reads as crisis on its own counts when the whole leans that way at all
        return p >= cfg.floors["crisis"] or leading or self._crisis_part_counts(reading)

    def _probabilities(self, texts: list[str]) -> list[dict[str, float]]:
        """The learned reader's label probabilities for each text (none without a reader)."""
        if self.net is None:
            return [{} for _ in texts]
        return self.net.scores(texts)


def _likeliest(rows: list[dict], label: str) -> float:
    """The highest probability of `label` among the parts that read as it first (0 when none does)."""
    return max((p[label] for p in rows if max(p, key=p.get) == label), default=0.0)
