"""What staff and editors decide, kept in the shared database (services/storage) so every replica sees it:
evaluation cases made from logged answers, reviewers' updates to cases, content gaps marked out of scope, the
publish log and the history of evaluation runs. The shipped evaluation sets are never rewritten; a case's
review is applied on top whenever cases are loaded.

A clinic that ran an earlier version kept these as files in its data folder; `adopt_files` moves them in once.
"""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from services.storage import schema as T

HISTORY_RUNS = 20  # runs the quality tab charts


def _now(fmt: str = "%Y-%m-%dT%H:%M:%S") -> str:
    return time.strftime(fmt)


@dataclasses.dataclass(frozen=True)
class Review:
    """A reviewer's new expectation for one evaluation case."""

    case: str
    kind: str
    facts: tuple[str, ...]
    sources: tuple[str, ...]
    who: str
    at: str
    why: str


class CaseReviews:
    """Reviewers' updates to evaluation cases (the newest update of a case wins)."""

    def __init__(self, storage):
        self.storage = storage

    def all(self) -> dict[str, Review]:
        """The latest review of each case id."""
        with self.storage.engine.connect() as conn:
            rows = conn.execute(select(T.case_reviews).order_by(T.case_reviews.c.id)).mappings().all()
        return {
            r["case_id"]: Review(
                r["case_id"],
                r["kind"],
                tuple(json.loads(r["facts_json"])),
                tuple(json.loads(r["sources_json"])),
                r["who"],
                r["at"],
                r["why"],
            )
            for r in rows
        }

    def add(self, case: str, kind: str, facts: list[str], sources: list[str], who: str, why: str) -> Review:
        """Record a reviewer's new expectation for a case; a reason is required."""
        if not why.strip():
            raise ValueError("say why this is the better answer (it is recorded with your name)")
        review = Review(case, kind, tuple(facts), tuple(sources), who or "staff", _now(), why.strip())
        self._insert(review)
        return review

    def _insert(self, r: Review) -> None:
        with self.storage.transaction() as conn:
            conn.execute(
                T.case_reviews.insert().values(
                    case_id=r.case,
                    kind=r.kind,
                    facts_json=json.dumps(list(r.facts)),
                    sources_json=json.dumps(list(r.sources)),
                    who=r.who,
                    at=r.at,
                    why=r.why,
                )
            )

    def apply(self, cases: list) -> list:
        """The cases with their reviewed expectations on top (cases without a review are unchanged)."""
        reviews = self.all()
        return [
            dataclasses.replace(c, kind=r.kind, facts=r.facts, sources=r.sources) if (r := reviews.get(c.id)) else c
            for c in cases
        ]


class OutOfScope:
    """Content-gap groups an editor marked "out of scope", by their first question."""

    def __init__(self, storage):
        self.storage = storage

    def keys(self) -> set[str]:
        with self.storage.engine.connect() as conn:
            return set(conn.execute(select(T.gap_actions.c.key)).scalars())

    def add(self, key: str, who: str = "staff") -> None:
        with self.storage.transaction() as conn:
            self.storage.upsert(conn, T.gap_actions, {"key": key}, {"action": "out_of_scope", "who": who, "at": _now()})


class EvalCases:
    """Evaluation cases staff made from logged answers (the shipped sets stay as they are)."""

    def __init__(self, storage):
        self.storage = storage

    def rows(self) -> list[dict]:
        """Each case as the JSON row a golden set file would hold, oldest first."""
        with self.storage.engine.connect() as conn:
            found = conn.execute(select(T.eval_cases.c.case_json).order_by(T.eval_cases.c.at, T.eval_cases.c.id))
            return [json.loads(text) for text in found.scalars()]

    def add(self, case: dict) -> dict:
        """Keep a new case; a case id that is already kept is refused (by the database, so two replicas
        adding it at once cannot both)."""
        try:
            with self.storage.transaction() as conn:
                conn.execute(T.eval_cases.insert().values(id=case["id"], at=_now(), case_json=json.dumps(case)))
        except IntegrityError:
            raise ValueError(f"that answer is already evaluation case {case['id']}") from None
        return case


class PublishLog:
    """Every publish: who, when, what changed, and the reason when a gate was overridden."""

    def __init__(self, storage):
        self.storage = storage

    def add(self, entry: dict) -> None:
        with self.storage.transaction() as conn:
            conn.execute(
                T.publish_log.insert().values(
                    at=entry.get("at") or _now(),
                    who=entry.get("who") or "",
                    version=str(entry.get("version") or ""),
                    entry_json=json.dumps(entry),
                )
            )

    def entries(self, limit: int = 200) -> list[dict]:
        """The newest publishes first."""
        with self.storage.engine.connect() as conn:
            found = conn.execute(select(T.publish_log.c.entry_json).order_by(T.publish_log.c.id.desc()).limit(limit))
            return [json.loads(text) for text in found.scalars()]


class EvalRuns:
    """The figures of the staff's evaluation runs, newest last (the quality tab's charts and "since last run")."""

    def __init__(self, storage):
        self.storage = storage

    def add(self, figures: dict, extra: dict) -> None:
        run = {"at": _now("%Y-%m-%d %H:%M"), "figures": figures, **extra}
        with self.storage.transaction() as conn:
            conn.execute(T.eval_runs.insert().values(at=run["at"], run_json=json.dumps(run)))

    def runs(self, limit: int = HISTORY_RUNS) -> list[dict]:
        with self.storage.engine.connect() as conn:
            found = conn.execute(select(T.eval_runs.c.run_json).order_by(T.eval_runs.c.id.desc()).limit(limit))
            return [json.loads(text) for text in found.scalars()][::-1]

    def last(self) -> dict | None:
        """The figures of the newest run, if any."""
        runs = self.runs(1)
        return runs[0]["figures"] if runs else None


def adopt_files(storage, data_dir: Path) -> list[str]:
    """Move an earlier version's files (data folder) into the database once; each is renamed `*.adopted`
    afterwards, so nothing is read twice and nothing is deleted. Returns the names moved."""
    data_dir, moved = Path(data_dir), []
    for name, (table, take) in _ADOPT.items():
        path = data_dir / name
        if path.is_file() and not _has_rows(storage, table):
            take(storage, path.read_text(encoding="utf-8"))
        if path.is_file():
            path.rename(path.with_name(path.name + ".adopted"))
            moved.append(name)
    return moved


def _has_rows(storage, table) -> bool:
    with storage.engine.connect() as conn:
        return bool(conn.execute(select(func.count()).select_from(table)).scalar())


def _lines(text: str) -> list[dict]:
    out = []
    for line in text.splitlines():
        try:
            out.append(json.loads(line)) if line.strip() else None
        except json.JSONDecodeError:
            continue  # a line cut short by a crash of the old version: the rest still counts
    return out


def _adopt_reviews(storage, text: str) -> None:
    for r in _lines(text):
        CaseReviews(storage)._insert(
            Review(r["case"], r["kind"], tuple(r["facts"]), tuple(r["sources"]), r["who"], r["at"], r["why"])
        )


def _adopt_cases(storage, text: str) -> None:
    for case in _lines(text):
        try:
            EvalCases(storage).add(case)
        except ValueError:
            continue  # the same case twice in the old file: keep the first


def _json_list(text: str) -> list:
    """A whole-file JSON list, or nothing when the old file was cut short or is not a list."""
    try:
        found = json.loads(text)
    except json.JSONDecodeError:
        return []
    return found if isinstance(found, list) else []


def _adopt_out_of_scope(storage, text: str) -> None:
    for key in _json_list(text):
        OutOfScope(storage).add(str(key))


def _adopt_publishes(storage, text: str) -> None:
    for entry in _lines(text):
        PublishLog(storage).add(entry)


def _adopt_history(storage, text: str) -> None:
    for run in _json_list(text):
        with storage.transaction() as conn:
            conn.execute(T.eval_runs.insert().values(at=str(run.get("at", "")), run_json=json.dumps(run)))


# each old file: the table it moves into, and how its text becomes rows
_ADOPT = {
    "case_reviews.jsonl": (T.case_reviews, _adopt_reviews),
    "eval_cases.jsonl": (T.eval_cases, _adopt_cases),
    "out_of_scope.json": (T.gap_actions, _adopt_out_of_scope),
    "publish_log.jsonl": (T.publish_log, _adopt_publishes),
    "eval_history.json": (T.eval_runs, _adopt_history),
}
