"""The composition root: build_bot(settings) wires every stage; the CLI, app and evals all use it."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Iterator

from langchain_core.runnables import RunnableLambda

from bot.answer.compose import ExtractiveComposer, cite
from bot.answer.glossary import Glossary
from bot.answer.llm import LLMComposer
from bot.answer.reader import CrossReader, Reader, ReaderNet
from bot.answer.verify import check
from bot.clinic.files import Clinic, load_clinic
from bot.clinic.messages import Messages
from bot.clinic.profile import ClinicProfile, is_contact_chrome
from bot.core.records import Answer, last
from bot.core.settings import Settings
from bot.core.text import as_text
from bot.guard.decide import Guard
from bot.guard.net import GuardNet
from bot.guard.scope import Scope, scope_of
from bot.guard.verdict import Verdict
from bot.retrieve.embedder import Embedder
from bot.retrieve.followup import ResolvedTurns, resolve
from bot.retrieve.hybrid import CorpusView, HybridRetriever
from bot.retrieve.matcher import Matcher
from bot.retrieve.store import IndexStore

log = logging.getLogger("clinicbot")
# answered by the guard's verdict alone; "off_topic" is the reader's lean until the guard settles it against the
# articles the clinic serves (Guard.settle, in the retrieve step)
BLOCKING = ("crisis", "support", "emergency", "refused", "invalid")
MAX_HISTORY = 50  # earlier turns the guard and follow-up resolution see


@dataclass
class Turn:
    """State passed along the chain for one question."""

    question: str
    history: list[str]
    view: CorpusView | None = None
    started: float = field(default_factory=time.perf_counter)
    timings: dict = field(default_factory=dict)
    trace: dict = field(default_factory=dict)
    verdict: Verdict | None = None
    query: object = None
    evidence: list = field(default_factory=list)
    answer: Answer | None = None
    clinic_quotes: dict = field(
        default_factory=dict
    )  # texts the clinic's own sources (profile, approved answers) quote
    scope: Scope = field(default_factory=Scope)  # how near the message is to what the clinic serves


class Bot:
    """embed (the question and its nearness to the served articles) -> guard (decides once) -> retrieve -> clinic
    answers (profile, approved answers) -> read and compose (one LangChain runnable chain)
    -> [LLM rewrite of an answer composed from the articles, streamed] -> verify."""

    def __init__(
        self,
        settings: Settings,
        guard: Guard,
        retriever: HybridRetriever,
        composer: ExtractiveComposer,
        messages: Messages,
        glossary: Glossary,
        llm=None,
        clinic: Clinic | None = None,
        clinic_version: str | None = None,
        follow_publish: bool = True,
    ):
        self.settings = settings
        self.guard = guard
        self.retriever = retriever
        self.composer = composer
        self.clinic = clinic or Clinic(ClinicProfile.fallback(settings.clinic_name, settings.clinic_contact), messages)
        self.glossary = glossary
        self.llm = llm
        self.turns = ResolvedTurns()  # earlier turns already resolved, per conversation and index version
        # the live index version when self.clinic's files were read (None: not known, read again on the first question)
        self._clinic_version = clinic_version
        self.follow_publish = follow_publish  # False for a candidate clinic under check: its files are fixed
        # named steps a trace can follow; the LLM rewrite (streamed) and the output check follow the chain
        self.chain = (
            RunnableLambda(self._embed, name="embed")
            | RunnableLambda(self._guard, name="guard")
            | RunnableLambda(self._retrieve, name="retrieve")
            | RunnableLambda(self._clinic, name="clinic_answers")
            | RunnableLambda(self._compose, name="read_and_compose")
        )

    @property
    def messages(self) -> Messages:
        """The fixed texts of the clinic being served (they change when an editor publishes a new profile)."""
        return self.clinic.messages

    def with_clinic(self, clinic: Clinic) -> "Bot":
        """The same engine answering with another clinic's files (the editor's check of a candidate)."""
        return Bot(
            self.settings,
            self.guard,
            self.retriever,
            self.composer,
            clinic.messages,
            self.glossary,
            self.llm,
            clinic,
            follow_publish=False,
        )

    def ask(self, question: str, history: list[str] | None = None, view: CorpusView | None = None) -> Answer:
        """Answer one question; `history` holds the patient's earlier messages, oldest first."""
        return last(self.stream(question, history, view))

    def stream(
        self, question: str, history: list[str] | None = None, view: CorpusView | None = None
    ) -> Iterator[Answer]:
        """The answer as it is written. In LLM mode, an Answer with final=False each time a sentence has passed
        verification and the output check (the answer so far), then the final Answer; otherwise only the final one."""
        question = as_text(question)
        if len(question) > self.settings.max_question_chars:
            # before anything reads it: the guard's rules alone take seconds on 100,000 characters, so an
            # overlong message is refused at the cost of its length and never reaches a rule or a model
            yield self.reply_unread(question, "invalid_long", "too long")
            return
        # the guard reads every earlier turn too: only the latest turns, each cut at the limit, so a long or
        # endless history (the /ask API takes any) costs no more than a conversation a person could have
        limit = self.settings.max_question_chars
        earlier = [as_text(h)[:limit] for h in list(history or [])[-MAX_HISTORY:]]
        turn = self.chain.invoke(Turn(question, earlier, view))
        # the clinic's own answers (its contact details, an editor's approved answer) are given word for word:
        # only an answer composed from the articles is rewritten by the model
        if self.llm is not None and turn.answer.kind == "answer" and not turn.clinic_quotes:
            yield from self._rewrite_with_llm(turn)
        turn = self._verify(turn)
        answer = turn.answer
        answer.timings_ms = {**turn.timings, "total": (time.perf_counter() - turn.started) * 1000}
        answer.trace = turn.trace
        yield answer

    def reply_unread(self, question: str, key: str, reason: str) -> Answer:
        """A fixed `invalid` reply given without reading the message (too long, or sent faster than the rate
        limit allows). Nothing checked it for a crisis, so the notice with the 988 and 911 lines goes with it."""
        started = time.perf_counter()
        answer = Answer(
            question[: self.settings.max_question_chars],
            "invalid",
            self.messages.text(key),
            notice=self.messages.text("notice"),
        )
        answer.trace = {"guard": {"kind": "invalid", "reason": f"{reason} (not read)", "scores": {}}}
        answer.timings_ms = {"total": (time.perf_counter() - started) * 1000}
        return answer

    def search(self, text: str) -> list:
        """The best passages for a query (no guard, no composing): for the search page and staff."""
        view = self.retriever.view()
        if view is None or not text.strip():
            return []
        return self.retriever.run(self.retriever.query(text, view), view)

    # --- stages ---------------------------------------------------------------
    def _embed(self, turn: Turn) -> Turn:
        """The question as the retriever reads it (a follow-up with what it borrows from the earlier turn),
        embedded once, and how near it is to the articles the clinic serves: what the guard needs to decide."""
        with _timed(turn, "embed"):
            if turn.view is None:
                turn.view = self.retriever.view()
                self._follow_publish(turn.view)
            if turn.view is not None and turn.view.chunks and turn.question.strip():
                resolved, turn.query = question_query(
                    self.retriever, turn.question, turn.history, turn.view, self.turns
                )
                turn.scope = scope_of(resolved, turn.query.vector, turn.view.loaded.chunk_vectors)
                turn.trace["query"] = resolved
        turn.trace["scope"] = {
            "nearest": round(turn.scope.nearest, 3),
            "care_words": turn.scope.care_words,
            "covered": turn.scope.covered,
        }
        return turn

    def _follow_publish(self, view: CorpusView | None) -> None:
        """A publish made on another replica moved the clinic's files (profile, approved answers) before it
        moved the live pointer: when the live version changes, read them again, so every replica gives the
        published profile from the same question on. A file that no longer loads keeps the one served."""
        if not self.follow_publish or view is None or view.version == self._clinic_version:
            return
        try:
            self.clinic = load_clinic(
                self.settings, self.settings.corpus_dir, self.retriever.embedder, self.clinic.approved.judge
            )
        except (OSError, ValueError) as exc:  # the editor's check refuses such a file; one edited by hand
            log.warning("the clinic's files did not load after a publish, the last ones are served: %s", exc)
        self._clinic_version = view.version

    def _guard(self, turn: Turn) -> Turn:
        """The guard decides once, before any article is searched: crisis, emergency, support, refused, off
        topic, invalid, or let through (with what to say if the articles then hold no answer)."""
        with _timed(turn, "guard"):
            turn.verdict = self.guard.run(turn.question, turn.history, turn.scope)
        turn.trace["guard"] = {
            "kind": turn.verdict.kind,
            "reason": turn.verdict.reason,
            "scores": {k: round(v, 3) for k, v in turn.verdict.scores.items()},
        }
        if turn.verdict.kind in BLOCKING:
            turn.answer = self._fixed_reply(turn, turn.verdict.kind)
        return turn

    def _retrieve(self, turn: Turn) -> Turn:
        """Evidence for a message the guard let through (or read as off topic: the clinic's contact details
        may still answer it), searched with the vector embedded for the guard."""
        if turn.answer:
            return turn
        if turn.query is None:
            turn.trace["evidence"] = []
            return turn
        with _timed(turn, "retrieve"):
            turn.evidence = self.retriever.run(turn.query, turn.view)
        turn.trace["evidence"] = [_evidence_row(e) for e in turn.evidence]
        return turn

    def _clinic(self, turn: Turn) -> Turn:
        """The clinic's contact details or an editor's approved answer, quoted before any article is read.
        Contact details are given even off topic ("what are your hours?" may read so); an approved answer is
        not offered to a message the guard's reader read as off topic."""
        if turn.answer:
            return turn
        store = self.retriever.store
        answer, quoted = self.clinic.reply(
            turn.question,
            not turn.verdict.leaned_off_topic,
            lambda: {s: m.get("title", s) for s, m in store.manifest(store.live()).items()},
        )
        if answer:
            turn.answer, turn.clinic_quotes = answer, quoted
            turn.trace["clinic"] = {"answered_from": answer.citations[0].source, "chunks": list(quoted)}
            turn.trace["evidence"] = [
                {
                    "chunk": cid,
                    "section": "",
                    "dense": 1.0,
                    "lexical": 0.0,
                    "fused": 0.0,
                    "dense_rank": None,
                    "lexical_rank": None,
                }
                for cid in quoted
            ]
        return turn

    def _compose(self, turn: Turn) -> Turn:
        """The answer from the articles, or the reply the guard settled on when they cannot give one."""
        if turn.answer:
            return turn
        if turn.verdict.kind == "off_topic":
            turn.answer = self._fixed_reply(turn, "off_topic")
            return turn
        if turn.query is None:
            turn.answer = self._fixed_reply(turn, "no_answer", why="the index is empty")
            return turn
        with _timed(turn, "compose"):
            draft = self.composer.run(turn.query, turn.evidence, turn.view, self.clinic.profile.answering)
            # another practice's "call us at ..." is site chrome: never quoted as this clinic's contact
            draft.picked = [s for s in draft.picked if not is_contact_chrome(s.sentence.text)]
            if not draft.picked and not draft.abstain:
                draft.abstain, draft.why = True, "only another practice's contact lines (site chrome) answered it"
            turn.trace["compose"] = {
                "answerable": round(draft.answerable, 3),
                "threshold": round(draft.threshold, 3),
                "abstain": draft.abstain,
                "why": draft.why,
                "sentences": [
                    {
                        "text": s.sentence.text,
                        "score": round(s.score, 3),
                        "dense": round(s.dense, 3),
                        "coverage": round(s.coverage, 3),
                        "chosen": s in draft.picked,
                    }
                    for s in draft.candidates
                ],
            }
            if draft.abstain:
                turn.answer = self._fixed_reply(turn, turn.verdict.if_unanswered, why=draft.why)
                return turn
            text, citations = cite(draft.picked)
            turn.answer = Answer(turn.question, "answer", text, citations)
        return turn

    def _rewrite_with_llm(self, turn: Turn) -> Iterator[Answer]:
        """LLM mode: the model rewrites the extractive answer's evidence in plainer words, sentence by sentence;
        its own fallback is the extractive answer. Every partial answer yielded is already verified."""
        start = time.perf_counter()
        extractive = turn.answer
        for text, citations, final in self.llm.stream(
            turn.question, turn.evidence, extractive.answer, extractive.citations, turn.trace
        ):
            if final:
                turn.answer = Answer(turn.question, "answer", text, citations)
            else:
                turn.timings.setdefault("first_sentence", (time.perf_counter() - turn.started) * 1000)
                yield Answer(
                    turn.question,
                    "answer",
                    text,
                    citations,
                    notice=self.messages.text("notice"),
                    glossary=self.glossary.find(text),
                    final=False,
                )
        turn.timings["llm"] = (time.perf_counter() - start) * 1000

    def _verify(self, turn: Turn) -> Turn:
        answer = turn.answer
        if answer.kind == "answer":
            result = check(
                answer.answer,
                answer.citations,
                {**{e.chunk.id: e.chunk.text for e in turn.evidence}, **turn.clinic_quotes},
            )
            turn.trace["verify"] = {"ok": result.ok, "problems": result.problems}
            if not result.ok:
                log.warning("output check replaced an answer: %s", "; ".join(result.problems))
                turn.answer = self._fixed_reply(turn, "no_answer", key="fallback", why="output check failed")
            else:
                self._annotate(turn)
        if turn.answer.kind not in ("crisis",):
            reminder = (
                self.messages.text("crisis_reminder") + " " if turn.verdict and turn.verdict.crisis_earlier else ""
            )
            turn.answer.notice = reminder + self.messages.text("notice")
        return turn

    # --- helpers --------------------------------------------------------------
    def _annotate(self, turn: Turn) -> None:
        answer, verdict = turn.answer, turn.verdict
        answer.glossary = self.glossary.find(answer.answer)
        extra = []
        # the clinic's own answers (an editor's approved answer, the contact details) are not followed by the
        # "ask your care team (call ...)" line: the notice given with every answer already has the contact line
        # once, and a contact-details answer is the contact line
        if verdict.personal and not turn.clinic_quotes:
            extra.append(self.messages.text("personal"))
        if verdict.suicide_topic:
            extra.append(self.messages.text("suicide_info"))
        if extra:
            answer.answer = " ".join([answer.answer, *extra])

    def _fixed_reply(self, turn: Turn, kind: str, key: str | None = None, why: str = "") -> Answer:
        text = self.messages.text(key or _message_key(kind, turn))
        if kind == "no_answer" and turn.verdict and turn.verdict.suicide_topic:
            text = f"{text} {self.messages.text('suicide_info')}"
        if why:
            turn.trace["abstain"] = why
        return Answer(turn.question, kind, text)


def question_query(
    retriever: HybridRetriever, question: str, history: list[str], view: CorpusView, turns: ResolvedTurns | None = None
):
    """The text a question is retrieved with (the question itself, or with what it borrows from an earlier turn it
    refers back to) and its Query. `turns` remembers conversations' earlier turns already resolved."""
    resolved = (turns or ResolvedTurns(0)).of(history, view.df, len(view.chunks), view.version)
    text = resolve(question, resolved, view.df, len(view.chunks))
    return text, retriever.query(text, view, focus=question)


def gather_evidence(
    retriever: HybridRetriever, question: str, history: list[str], view: CorpusView, turns: ResolvedTurns | None = None
):
    """What the composer reads for a question: the text retrieved with, its Query, and the evidence. The
    reader's training (train/reader.py) reads through this same function."""
    text, query = question_query(retriever, question, history, view, turns)
    return text, query, retriever.run(query, view)


def _message_key(kind: str, turn: Turn) -> str:
    """The messages.yml entry for a fixed reply: named after its kind, except the two invalid ones, a crisis
    about eating, food or weight (its own supportive reply, with the crisis line and the care team) and a
    request to act as the clinician (the care team's job, with their contact)."""
    topic = turn.verdict.topic if turn.verdict else ""
    if kind == "crisis" and topic == "eating_disorder":
        return "crisis_eating"
    if kind == "refused" and topic == "clinician_role":
        return "refused_role"
    if kind != "invalid":
        return kind
    return "invalid_long" if turn.verdict and turn.verdict.reason == "too long" else "invalid_empty"


class _timed:
    def __init__(self, turn: Turn, name: str):
        self.turn, self.name = turn, name

    def __enter__(self):
        self.start = time.perf_counter()

    def __exit__(self, *exc):
        self.turn.timings[self.name] = (time.perf_counter() - self.start) * 1000


def _evidence_row(e) -> dict:
    return {
        "chunk": e.chunk.id,
        "section": e.chunk.section,
        "dense": round(e.dense, 3),
        "lexical": round(e.lexical, 3),
        "fused": round(e.fused, 4),
        "dense_rank": e.dense_rank,
        "lexical_rank": e.lexical_rank,
    }


def build_bot(
    settings: Settings,
    embedder=None,
    store=None,
    guard: Guard | None = None,
    reader: "Reader | None" = None,
    matcher: Matcher | None = None,
) -> Bot:
    """Wire every stage from settings. Tests and the evaluation runner may hand in the embedder, a store, a
    guard, a reader or the sentence matcher, to share loaded models between bots."""

    embedder = embedder or Embedder.served()
    store = store or IndexStore.open(settings)
    # a Chroma server is shared by replicas: read its live pointer on every question, so a publish made on any
    # replica is served by all from the next question (one small read); one process re-reads it each second
    retriever = HybridRetriever(
        store, embedder, recheck=0.0 if settings.chroma_url else 1.0, matcher=matcher or Matcher.served()
    )
    guard = guard or Guard.load(GuardNet(), settings.max_question_chars)
    llm = None
    if settings.llm != "none":
        llm = LLMComposer.from_settings(settings, embedder)
    glossary = Glossary.load(settings.corpus_dir / "_glossary.yml")
    version = store.live()  # read before the files: a publish in between makes the first question reload them
    clinic = load_clinic(settings, settings.corpus_dir, embedder)  # loads the approved-answer judge if needed
    return Bot(
        settings,
        guard,
        retriever,
        ExtractiveComposer(reader or Reader(ReaderNet.load(), CrossReader.served())),
        clinic.messages,
        glossary,
        llm,
        clinic,
        version,
    )
