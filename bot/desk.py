"""Services the web app is handed: patient chat (with logging and feedback) and the staff desk."""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Callable, Iterator

from bot.chatlog import ChatLog, SignInLog
from bot.records import KINDS, Answer
from bot.settings import Settings
from bot.throttle import RateLimiter

PURGE_EVERY_S = 3600  # retention is in days: deleting old conversations once an hour is soon enough


class ChatService:
    """Patient chat: asks the bot (within a per-client rate limit), stores the exchange (redacted),
    takes thumbs up/down, and deletes conversations past their retention."""

    def __init__(self, bot, log: ChatLog, settings: Settings, limiter: RateLimiter | None = None):
        self.bot = bot
        self.log = log
        self.settings = settings
        self.limiter = limiter or RateLimiter(settings.rate_per_minute, settings.rate_burst)
        self._purged_at = float("-inf")

    def ask(self, question: str, history: list[str], conversation: str, client: str = "") -> tuple[Answer, int | None]:
        """The answer and its logged id; a client over the rate limit is told to slow down, unread and
        unlogged (None), so a flood costs neither the engine nor the disk anything."""
        answer, exchange = None, None
        for answer, exchange in self.stream(question, history, conversation, client):
            pass
        return answer, exchange

    def stream(self, question: str, history: list[str], conversation: str, client: str = "") -> Iterator[tuple[Answer, int | None]]:
        """As `ask`, with the verified partial answers of LLM mode first (answer.final False, not logged)."""
        if self.limiter.take(client):
            yield self.bot.unread(question if isinstance(question, str) else "", "slow_down", "rate limited"), None
            return
        for answer in self.bot.stream(question, history):
            if not answer.final:
                yield answer, None
                continue
            exchange = self.log.record(conversation, answer, {"llm": self.settings.llm, "collection": self.settings.collection})
            self.tidy()
            yield answer, exchange

    def tidy(self) -> int:
        """Delete conversations older than CLINICBOT_LOG_DAYS, at most once an hour; how many exchanges went."""
        now = time.monotonic()
        if now - self._purged_at < PURGE_EVERY_S:
            return 0
        self._purged_at = now
        return self.log.purge(self.settings.log_days)

    def feedback(self, exchange_id: int, liked: bool, comment: str = "") -> bool:
        return self.log.feedback(exchange_id, 1 if liked else -1, comment)


class StaffDesk:
    """Quality work: run the eval sets, inspect an answer, review feedback, grow the eval set."""

    def __init__(self, settings: Settings, bot, log: ChatLog, signins: SignInLog | None = None):
        self.settings = settings
        self.bot = bot
        self.log = log
        self.signins = signins
        self.cases_file = settings.data_dir / "eval_cases.jsonl"
        self.last_run = settings.data_dir / "last_eval.json"

    def case_files(self) -> list[Path]:
        from evals.sets import default_sets

        return default_sets() + ([self.cases_file] if self.cases_file.exists() else [])

    def evaluate(self, view=None, corpus_dir: Path | None = None, progress: Callable[[int, int], None] | None = None,
                 answers_only: bool = False, bot=None):
        """(figures, enforced-gate failures, {case id: passed}, results) of the eval sets against a version; `bot`
        answers with another clinic's files (the editor's candidate), and the approved answers of `corpus_dir`
        are cases too."""
        from evals.runner import gate, metrics, run_cases
        from evals.sets import load_cases

        corpus_dir = corpus_dir or self.settings.corpus_dir
        files = [f for f in self.case_files() if not (answers_only and f.name == "safety.jsonl")]
        cases = [c for f in files for c in load_cases(f)] + approved_cases(corpus_dir)
        results = run_cases(bot or self.bot, cases, corpus_dir, progress, view=view)
        figures = metrics(results)
        return figures, gate(figures), {r.case.id: r.passed for r in results}, results

    def run_evals(self, progress=None) -> dict:
        """Full run for the quality tab: figures, gates, the summary sentence, failing cases, readability, and the
        run history (this run included) for the charts."""
        from bot import quality
        from evals.runner import without_confusion

        figures, failures, _, results = self.evaluate(progress=progress)
        previous = json.loads(self.last_run.read_text()) if self.last_run.exists() else None
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.last_run.write_text(json.dumps(without_confusion(figures)))
        reading = quality.readability(results)
        history = quality.History(self.settings.data_dir / "eval_history.json")
        history.add(without_confusion(figures), {"reading": reading})
        return {"figures": figures, "failures": failures, "previous": previous, "summary": quality.summary(results),
                "failing": quality.failing(results), "topics": quality.by_topic(results), "reading": reading,
                "confusion": quality.confusion(figures), "history": history.runs()}

    def inspect(self, question: str):
        """Everything behind one answer: the answer, guard decision, evidence with scores, chosen sentences."""
        return self.bot.ask(question)

    def feedback(self, limit: int = 100) -> list[dict]:
        """Logged exchanges for review: conversations that held a crisis first, then thumbs-down, then newest;
        each row says whether its conversation held a crisis."""
        rows = self.log.recent(limit)
        crisis = self.log.crisis_conversations()
        for row in rows:
            row["crisis"] = row["conversation"] in crisis
        return sorted(rows, key=lambda r: (not r["crisis"], r["rating"] != -1, -r["id"]))

    def gaps(self, limit: int = 2000) -> list:
        """Unanswered and 👎 questions grouped by meaning, newest groups first, without those marked out of scope."""
        from bot.gaps import OutOfScope, group

        embedder = self.bot.retriever.embedder
        groups = group(self.log.recent(limit), embedder)
        hidden = sorted(OutOfScope(self.settings.data_dir / "out_of_scope.json").keys())
        if not hidden or not groups:
            return groups
        marked = embedder.embed(hidden)
        heads = embedder.embed([g.key for g in groups])
        threshold = self.bot.clinic.approved.threshold
        return [g for g, v in zip(groups, heads) if g.key not in hidden and float((marked @ v).max()) < threshold]

    def out_of_scope(self, key: str) -> str:
        """Mark a group of questions as out of scope: it leaves the list of gaps."""
        from bot.gaps import OutOfScope

        if not key.strip():
            raise ValueError("choose a group of questions first")
        OutOfScope(self.settings.data_dir / "out_of_scope.json").add(key.strip())
        return f'Marked "{key.strip()}" and questions like it as out of scope.'

    def sign_ins(self, limit: int = 200) -> list[dict]:
        """Staff sign-in events, newest first: failures, lockouts and successes."""
        events = self.signins.recent(limit) if self.signins else []
        return [{"at": e.at, "event": e.event, "user": e.user, "client": e.client, "detail": e.detail} for e in events]

    def delete_conversation(self, reference: str) -> str:
        """Delete one conversation on a patient's request, named by an answer id or its conversation reference."""
        conversation = self.log.conversation_of(str(reference or ""))
        if conversation is None:
            raise ValueError(f"no conversation matches {str(reference).strip()!r}: give an answer id from the list, "
                             "or the reference the patient quoted (8 or more characters)")
        removed = self.log.delete_conversation(conversation)
        return f"Deleted conversation {conversation[:8]}: {removed} exchange(s)."

    def add_case(self, exchange_id: int, kind: str, sources: list[str], facts: list[str]) -> dict:
        """Turn a logged exchange into an evaluation case (dev split) in one step."""
        if kind not in KINDS:
            raise ValueError(f"expected kind must be one of {', '.join(KINDS)}")
        row = next((r for r in self.log.recent(10_000) if r["id"] == exchange_id), None)
        if row is None:
            raise ValueError(f"no logged answer #{exchange_id}")
        case = {"id": f"fb-{exchange_id}", "split": "dev", "topic": "feedback", "question": row["question"], "kind": kind,
                "sources": [s for s in sources if s], "facts": [f for f in facts if f]}
        if self.cases_file.exists() and any(json.loads(line).get("id") == case["id"]
                                            for line in self.cases_file.read_text(encoding="utf-8").splitlines() if line.strip()):
            raise ValueError(f"answer #{exchange_id} is already evaluation case {case['id']}")
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.cases_file, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(case) + "\n")
        return case



def approved_cases(corpus_dir: Path) -> list:
    """Evaluation cases for the approved answers of a corpus folder: each question an editor listed must get
    that approved answer."""
    from bot.approved import FILE, ApprovedError, parse
    from evals.sets import Case

    path = Path(corpus_dir) / FILE
    try:
        entries = parse(path.read_text(encoding="utf-8")) if path.exists() else []
    except ApprovedError:
        return []  # the editor's check reports a broken file itself
    return [Case(f"approved/{e.id}/{i}", "approved", "dev", q, "answer", (FILE,), (e.answer,), topic="approved answers")
            for e in entries for i, q in enumerate(e.questions, start=1)]
