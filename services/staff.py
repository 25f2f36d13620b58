"""The staff desk: evaluation runs in plain words, inspection, feedback, content gaps, sign-ins, cases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from bot.clinic.approved import FILE, ApprovedError, parse
from bot.core.records import KINDS
from bot.core.settings import Settings
from evals import curve
from evals.metrics import answers_reading
from evals.runner import gate, metrics, run_cases, without_confusion
from evals.sets import Case, cases_from_rows, default_sets, load_cases
from services import quality
from services.chatlog import ChatLog, SignInLog
from services.desk_records import CaseReviews, EvalCases, EvalRuns, OutOfScope
from services.gaps import SAME_MEANING, group
from services.priority import PatientsFirst

ADDED = "eval_cases"  # the set name of the cases staff made from logged answers
PURGE_EVERY_S = 3600  # retention is in days: deleting old conversations once an hour is soon enough


class StaffDesk:
    """Quality work: run the eval sets, inspect an answer, review feedback, grow the eval set."""

    def __init__(
        self,
        settings: Settings,
        bot,
        log: ChatLog,
        signins: SignInLog | None = None,
        priority: PatientsFirst | None = None,
        storage=None,
    ):
        self.settings = settings
        self.bot = bot
        self.log = log
        self.signins = signins
        self.priority = priority or PatientsFirst()  # the patient chat's: runs step aside for patients' questions
        storage = storage or log.storage  # staff cases, reviews, gap marks and runs live beside the chat log
        self.reviews, self.added_cases = CaseReviews(storage), EvalCases(storage)
        self.runs, self.out_of_scope_marks = EvalRuns(storage), OutOfScope(storage)

    def case_files(self) -> list[Path]:
        """The evaluation sets: the clinic's own folder (CLINICBOT_EVALS_DIR) or the bundled ones."""
        return default_sets(self.settings.evals_dir)

    def cases(self, files: list[Path] | None = None) -> list[Case]:
        """The evaluation cases of these files (by default every set) and those staff added, with reviewers'
        updates on top: the one place cases are loaded for a run, so the quality tab and the editor's check judge
        the same expectations."""
        files = self.case_files() if files is None else files
        added = cases_from_rows(self.added_cases.rows(), ADDED)
        return self.reviews.apply([c for f in files for c in load_cases(f)] + added)

    def evaluate(
        self,
        view=None,
        corpus_dir: Path | None = None,
        progress: Callable[[int, int], None] | None = None,
        answers_only: bool = False,
        bot=None,
    ):
        """(figures, enforced-gate failures, {case id: passed}, results) of the eval sets against a version; `bot`
        answers with another clinic's files (the editor's candidate), and the approved answers of `corpus_dir`
        are cases too."""

        corpus_dir = corpus_dir or self.settings.corpus_dir
        files = [f for f in self.case_files() if not (answers_only and f.name == "safety.jsonl")]
        cases = self.cases(files) + approved_cases(corpus_dir)
        results = run_cases(bot or self.bot, cases, corpus_dir, self.priority.paced(progress), view=view)
        figures = metrics(results)
        return figures, gate(figures), {r.case.id: r.passed for r in results}, results

    def run_evals(self, progress=None) -> dict:
        """Full run for the quality tab: figures, gates, the summary sentence, failing cases, readability, and the
        run history (this run included) for the charts."""

        figures, failures, _, results = self.evaluate(progress=progress)
        store = self.bot.retriever.store
        titles = {source: m.get("title") or source for source, m in store.manifest(store.live()).items()}
        previous = self.runs.last()
        reading = answers_reading(results)
        self.runs.add(without_confusion(figures), {"reading": reading})
        return {
            "figures": figures,
            "failures": failures,
            "previous": previous,
            "headline": quality.headline(figures),
            "failing": quality.failing(results, titles),
            "topics": quality.by_topic(results),
            "reading": reading,
            "reading_verdict": quality.reading_verdict(reading, self.settings.reading_grade_target),
            "confusion": quality.confusion_grid(figures),
            "history": self.runs.runs(),
            "answering": self.answering(results),
        }

    def answering(self, results: list) -> dict:
        """What each choice of how readily to answer (the profile's `answering`) gives on this run's questions:
        the risk-coverage curve with the choices marked, and the clinic's current choice."""
        reader = getattr(self.bot.composer, "reader", None)
        setting = self.bot.clinic.profile.answering
        if reader is None:  # an LLM composer: no answerability threshold to choose
            return {"points": [], "setting": setting}
        served = reader.config.threshold(setting)
        return {"points": curve.curve(results, served, dict(reader.config.operating_points)), "setting": setting}

    def inspect(self, question: str):
        """Everything behind one answer: the answer, guard decision, evidence with scores, chosen sentences."""
        return self.bot.ask(question)

    def feedback(self, limit: int = 100) -> list[dict]:
        """Logged exchanges for review, newest first, each with what the patient was told (`reply`). A
        conversation that held a crisis or an emergency is flagged once (`flag`), on its newest exchange, so
        its other turns do not crowd out the rest."""
        rows = self.log.newest(limit)
        flags, seen = self.log.flagged_conversations(), set()
        for row in rows:
            row["flag"] = "" if row["conversation"] in seen else flags.get(row["conversation"], "")
            seen.add(row["conversation"])
            row["reply"] = _reply(row["answer_json"])
        return rows

    def gaps(self, limit: int = 2000) -> list:
        """Unanswered and 👎 questions grouped by meaning, newest groups first, without those marked out of scope."""

        embedder = self.bot.retriever.embedder
        groups = group(self.log.recent(limit), embedder)
        hidden = sorted(self.out_of_scope_marks.keys())
        if not hidden or not groups:
            return groups
        marked = embedder.embed(hidden)
        heads = embedder.embed([g.key for g in groups])
        return [
            g
            for g, v in zip(groups, heads, strict=False)
            if g.key not in hidden and float((marked @ v).max()) < SAME_MEANING
        ]

    def out_of_scope(self, key: str) -> str:
        """Mark a group of questions as out of scope: it leaves the list of gaps."""

        if not key.strip():
            raise ValueError("choose a group of questions first")
        self.out_of_scope_marks.add(key.strip())
        return f'Marked "{key.strip()}" and questions like it as out of scope.'

    def sign_ins(self, limit: int = 200) -> list[dict]:
        """Staff sign-in events, newest first: failures, lockouts and successes."""
        events = self.signins.recent(limit) if self.signins else []
        return [{"at": e.at, "event": e.event, "user": e.user, "client": e.client, "detail": e.detail} for e in events]

    def delete_conversation(self, reference: str) -> str:
        """Delete one conversation on a patient's request, named by an answer id or its conversation reference."""
        conversation = self.log.conversation_of(str(reference or ""))
        if conversation is None:
            raise ValueError(
                f"no conversation matches {str(reference).strip()!r}: give an answer id from the list, "
                "or the reference the patient quoted (8 or more characters)"
            )
        removed = self.log.delete_conversation(conversation)
        return f"Deleted conversation {conversation[:8]}: {removed} exchange(s)."

    def add_case(self, exchange_id: int, kind: str, sources: list[str], facts: list[str]) -> dict:
        """Turn a logged exchange into an evaluation case (dev split) in one step."""
        if kind not in KINDS:
            raise ValueError(f"expected kind must be one of {', '.join(KINDS)}")
        row = next((r for r in self.log.recent(10_000) if r["id"] == exchange_id), None)
        if row is None:
            raise ValueError(f"no logged answer #{exchange_id}")
        case = {
            "id": f"fb-{exchange_id}",
            "split": "dev",
            "topic": "feedback",
            "question": row["question"],
            "kind": kind,
            "sources": [s for s in sources if s],
            "facts": [f for f in facts if f],
        }
        self.added_cases.add(case)  # refuses an answer that is already a case, with a clear message
        return case


def _reply(answer_json: str) -> str:
    """What the patient was told, from a logged exchange's answer JSON."""
    try:
        return str(json.loads(answer_json).get("answer", ""))
    except (ValueError, AttributeError):
        return ""


def approved_cases(corpus_dir: Path) -> list:
    """Evaluation cases for the approved answers of a corpus folder: each question an editor listed must get
    that approved answer."""

    path = Path(corpus_dir) / FILE
    try:
        entries = parse(path.read_text(encoding="utf-8")) if path.exists() else []
    except ApprovedError:
        return []  # the editor's check reports a broken file itself
    return [
        Case(f"approved/{e.id}/{i}", "approved", "dev", q, "answer", (FILE,), (e.answer,), topic="approved answers")
        for e in entries
        for i, q in enumerate(e.questions, start=1)
    ]
