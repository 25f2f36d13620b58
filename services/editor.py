"""The editors' desk: upload, preview, stage, evaluate and publish articles through the eval gate.

It is the same ingest code as `python -m ingest`; publishing is the same pointer flip, so
patients chatting meanwhile never see an error or half an index.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.clinic import approved as approved_file
from bot.clinic import profile as profile_file
from bot.clinic.approved import Approved, ApprovedError, check_entry
from bot.clinic.files import load_clinic
from bot.clinic.profile import ClinicProfile, ProfileError
from bot.core.settings import Settings
from ingest.chunk import chunk
from ingest.load import SIDECAR, LoadError, is_article_file, load, sidecar_path
from ingest.sync import Syncer, clean_article
from services.desk_records import CaseReviews, PublishLog
from services.editor_check import Change, GateMiss, accepted_facts, gate_misses, gate_words, group_changes
from services.editor_reading import article_reading
from services.storage import Busy
from services.upload_rules import megabytes, name_problem

STALE_DAYS = 365
CLINIC_FILES = (profile_file.FILE, approved_file.FILE)  # edited on the desk as drafts, published like articles


log = logging.getLogger("clinicbot")
_PUBLISHING = threading.Lock()  # one publish at a time in this process


class EditError(ValueError):
    """An upload or edit that cannot be accepted; the message is for the editor."""


@dataclass
class Staged:
    """A candidate index version, built but not served, with how the evals moved."""

    version: str
    base: str | None
    added: list[str]
    removed: list[str]
    candidate: Path
    failures: list[str] = field(default_factory=list)
    figures: dict = field(default_factory=dict)
    changes: list["Change"] = field(default_factory=list)
    failed_files: list[dict] = field(default_factory=list)
    clinic_files: list[str] = field(default_factory=list)  # drafts of the profile / approved answers in this check
    gates: list[GateMiss] = field(default_factory=list)  # the enforced gates missed, with the live figures beside

    @property
    def regressions(self) -> list[Change]:
        """Real regressions (answers lost or worse with nothing new behind them): publishing needs a reason."""
        return [c for c in self.changes if c.worse]

    @property
    def blocking(self) -> list[str]:
        """Gate failures this change causes or worsens; a gate that failed before and is no worse does not block.
        Without gate details (an older check), every failure blocks."""
        if not self.gates:
            return list(self.failures)
        return [f for f, g in zip(self.failures, self.gates, strict=False) if g.blocks]

    def change(self, case: str) -> Change:
        """The change of one case, or EditError."""
        for c in self.changes:
            if c.case == case:
                return c
        raise EditError("that question is not among this check's changes")


class EditorDesk:
    """Editor operations; configuration in the constructor, files and choices per call."""

    def __init__(self, settings: Settings, bot, evaluate, storage):
        self.settings = settings
        self.bot = bot
        self.store = bot.retriever.store
        self.evaluate = evaluate  # StaffDesk.evaluate: (view, corpus_dir) -> (figures, failures, passed, results)
        self.uploads = settings.data_dir / "uploads"
        self.storage = storage  # shared by every replica: reviews, the publish log, the publishing lock
        self.reviews, self.publishes = CaseReviews(storage), PublishLog(storage)

    def articles(self, today: dt.date | None = None) -> list[dict]:
        """What patients are served: title, chunks, last reviewed, ingested at, and a review flag."""
        today = today or dt.date.today()
        rows = []
        for source, m in sorted(self.store.manifest(self.store.live()).items()):
            rows.append(
                {
                    "source": source,
                    "title": m.get("title", ""),
                    "chunks": m.get("chunks", 0),
                    "reviewed": m.get("reviewed", ""),
                    "ingested_at": m.get("ingested_at", ""),
                    "needs_review": _stale(m.get("reviewed", ""), today),
                }
            )
        return rows

    def receive(self, name: str, data_path: Path) -> Path:
        """Accept one uploaded file into the upload area, or raise EditError saying why not."""
        problem = name_problem(name)
        if problem:
            raise EditError(problem)
        clean = Path(name).name
        size = Path(data_path).stat().st_size
        if size > self.settings.max_file_bytes:
            limit = self.settings.max_file_mb
            raise EditError(f"{clean} is {megabytes(size, limit)}; the limit is {limit:g} MB")
        self.uploads.mkdir(parents=True, exist_ok=True)
        target = self.uploads / clean
        shutil.copyfile(data_path, target)
        try:
            load(target, self.settings.max_file_bytes)
        except LoadError as exc:
            target.unlink()
            raise EditError(f"{clean}: {exc}") from None
        return target

    def preview(self, name: str) -> dict:
        """Cleaned text and chunks of an uploaded file, exactly as they would be published."""
        path = self._upload(name)
        article = clean_article(path, self.settings.max_file_bytes)
        return {
            "title": article.title,
            "text": article.text,
            "reading": article_reading(article.text),
            "chunks": [{"section": c.section, "words": len(c.text.split()), "text": c.text} for c in chunk(article)],
        }

    def describe(self, name: str, title: str = "", reviewed: str = "", url: str = "") -> None:
        """Set title, last-reviewed date and source URL (a sidecar beside the upload)."""
        path = self._upload(name)
        if reviewed:
            try:
                dt.date.fromisoformat(reviewed)
            except ValueError:
                raise EditError(f"last reviewed must be a date like 2026-03-01 (got {reviewed!r})") from None
        meta = {k: v.strip() for k, v in (("title", title), ("reviewed", reviewed), ("url", url)) if v and v.strip()}
        sidecar_path(path).write_text("".join(f"{k}: {json.dumps(v)}\n" for k, v in meta.items()), encoding="utf-8")

    # --- the clinic's own files: drafts beside the uploads until a check and publish ------------------------
    def profile(self) -> ClinicProfile:
        """The clinic profile as it would be published: the draft if there is one, else the served one."""
        draft = self.uploads / profile_file.FILE
        return ClinicProfile.parse(draft.read_text(encoding="utf-8")) if draft.exists() else self.bot.clinic.profile

    def draft_profile(self, values: dict[str, str]) -> ClinicProfile:
        """Save a draft of the profile from the desk's form, or raise EditError saying what to fix."""
        data = {k: " ".join(str(values.get(k) or "").split()) for k in profile_file.FIELDS}
        data = {k: v for k, v in data.items() if v}
        starters = [" ".join(s.split()) for s in str(values.get("starters") or "").splitlines() if s.strip()]
        text = (
            profile_file.HEADER
            + "".join(f"{k}: {json.dumps(v)}\n" for k, v in data.items())
            + ("starters:\n" + "".join(f"  - {json.dumps(q)}\n" for q in starters) if starters else "")
        )
        try:
            profile = ClinicProfile.parse(text)
        except ProfileError as exc:
            raise EditError(str(exc)) from None
        self.uploads.mkdir(parents=True, exist_ok=True)
        (self.uploads / profile_file.FILE).write_text(text, encoding="utf-8")
        return profile

    def profile_changes(self, draft: ClinicProfile) -> list[tuple[str, str, str]]:
        """(field, served value, draft value) for each profile field the draft changes, so an editor sees
        what was saved against what patients are given now."""
        served = self.bot.clinic.profile
        changed = [(k, str(getattr(served, k)), str(getattr(draft, k))) for k in profile_file.FIELDS]
        if served.starters != draft.starters:
            changed.append(("starters", "; ".join(served.starters), "; ".join(draft.starters)))
        return [c for c in changed if c[1] != c[2]]

    def approved(self) -> list[Approved]:
        """The approved answers as they would be published (draft first)."""
        for path in (self.uploads / approved_file.FILE, self.settings.corpus_dir / approved_file.FILE):
            if path.exists():
                return approved_file.parse(path.read_text(encoding="utf-8"))
        return []

    def answer(self, entry_id: str) -> Approved:
        """One approved answer of the draft (or the served file), by id, to load into the form."""
        for e in self.approved():
            if e.id == entry_id:
                return e
        raise EditError("no such approved answer (it may have been taken out)")

    def draft_answer(
        self, questions: str, answer: str, reviewed: str, rests_on: list[str], entry_id: str = ""
    ) -> Approved:
        """Save an approved answer in the draft, or raise EditError. With `entry_id` that record is changed in place
        (its id kept, whatever its first question now is); without it a new one is added, never over another."""
        row = {
            "questions": [q.strip() for q in questions.splitlines() if q.strip()],
            "answer": answer,
            "reviewed": reviewed.strip(),
            "rests_on": [s for s in rests_on or [] if s],
        }
        entries = self.approved()
        old = self.answer(entry_id) if entry_id else None
        if old:
            row["id"] = old.id
        try:
            entry = check_entry(row)
        except ApprovedError as exc:
            raise EditError(str(exc)) from None
        if not old and any(e.id == entry.id for e in entries):
            raise EditError(
                f'an approved answer for "{entry.questions[0]}" already exists: choose it above to change it'
            )
        served = set(self.store.manifest(self.store.live())) | set(old.rests_on if old else ())
        unknown = [s for s in entry.rests_on if s not in served]
        if unknown:
            raise EditError(f"not a served article: {', '.join(unknown)}")
        self._write_answers([entry if e.id == entry.id else e for e in entries] if old else [*entries, entry])
        return entry

    def drop_answer(self, entry_id: str) -> None:
        """Take an approved answer out of the draft (published at the next check and publish)."""
        entries = self.approved()
        if entry_id not in {e.id for e in entries}:
            raise EditError(f"no approved answer {entry_id!r}")
        self._write_answers([e for e in entries if e.id != entry_id])

    def _write_answers(self, entries: list[Approved]) -> None:
        self.uploads.mkdir(parents=True, exist_ok=True)
        (self.uploads / approved_file.FILE).write_text(approved_file.dump(entries), encoding="utf-8")

    def stage(self, add: list[str] = (), remove: list[str] = ()) -> Staged:
        """Index the corpus with these changes into a staging version and run the evals on it."""
        missing = [r for r in remove if not (self.settings.corpus_dir / r).exists()]
        if missing:
            raise EditError(f"not in the corpus: {', '.join(missing)}")
        base = self.store.live()
        candidate = Path(tempfile.mkdtemp(prefix="clinicbot-candidate-"))
        for path in self.settings.corpus_dir.iterdir():
            if path.is_file() and path.name not in remove and path.name.removesuffix(SIDECAR) not in remove:
                shutil.copy2(path, candidate / path.name)
        for name in add:
            for part in (self._upload(name), sidecar_path(self._upload(name))):
                if part.exists():
                    shutil.copy2(part, candidate / part.name)
        drafts = [name for name in CLINIC_FILES if (self.uploads / name).exists()]
        for name in drafts:
            shutil.copy2(self.uploads / name, candidate / name)
        report = self._sync(candidate)
        staged = Staged(
            report.version, base, list(add), list(remove), candidate, failed_files=report.failed, clinic_files=drafts
        )
        if report.version == base and not drafts:
            raise EditError("nothing would change")
        try:
            bot = self.bot.with_clinic(
                load_clinic(self.settings, candidate, self.bot.retriever.embedder, self.bot.clinic.approved.judge)
            )
        except ValueError as exc:
            raise EditError(str(exc)) from None
        staged.figures, _, _, after = self.evaluate(
            self.bot.retriever.open_view(report.version), candidate, answers_only=True, bot=bot
        )
        live, _, _, before = self.evaluate(self.bot.retriever.view(), self.settings.corpus_dir, answers_only=True)
        staged.gates = gate_misses(staged.figures, live)
        staged.failures = [gate_words(g, []) for g in staged.gates]
        # only articles added or replaced count as "something new behind" a changed answer: an approved answer
        # that loses facts patients were given is the editor's own wording, so it stays a regression
        staged.changes = group_changes(before, after, set(add))
        return staged

    def accept_answer(self, staged: Staged, case: str, who: str, why: str) -> str:
        """Accept a changed answer as the better one: the case expects it from now on (kept in the shared database
        with who, when and why), so the next check no longer counts it against the change."""
        c = staged.change(case)
        try:
            self.reviews.add(c.case, c.after_kind or "answer", accepted_facts(c), list(c.after_sources), who, why)
        except ValueError as exc:
            raise EditError(str(exc)) from None
        staged.changes = [
            Change(**{**x.__dict__, "group": "gain", "passes_now": True}) if x.case == case else x
            for x in staged.changes
        ]
        return f'Accepted as the better answer: "{c.question}". The evaluation case now expects it.'

    def publish(self, staged: Staged, who: str, override_reason: str = "") -> str:
        """Serve the staged version, unless a gate failed and no reason to override was given."""
        if staged.blocking and not override_reason.strip():
            raise EditError("Not published: " + "; ".join(staged.blocking) + ". To publish anyway, say why.")
        if staged.regressions and not override_reason.strip():
            raise EditError(
                f"Not published: {len(staged.regressions)} question(s) that were answered well before now fail "
                "(listed in the check). To publish anyway, say why."
            )
        # two editors publishing at once, on this replica or another: one at a time, and the second then finds
        # the index changed since its check and is told so
        with _PUBLISHING:
            try:
                with self.storage.exclusive("publish"):
                    return self._switch(staged, who, override_reason)
            except Busy:
                raise EditError(
                    "another editor is publishing right now; nothing was changed. Wait a moment, check again, "
                    "then publish."
                ) from None

    def _switch(self, staged: Staged, who: str, override_reason: str) -> str:
        if self.store.live() != staged.base:
            raise EditError("the index changed since this was checked; check again before publishing")
        if not self.store.whole(staged.version):
            raise EditError("this check's version of the index is gone (another check replaced it?); check again")
        # the record first: a crash after the files move must not lose who published and why
        self._audit(staged, who, override_reason)
        for name in staged.removed:
            for path in (self.settings.corpus_dir / name, sidecar_path(self.settings.corpus_dir / name)):
                path.unlink(missing_ok=True)
        for name in staged.added:
            for part in (self._upload(name), sidecar_path(self._upload(name))):
                if part.exists():
                    shutil.move(str(part), self.settings.corpus_dir / part.name)
        for name in staged.clinic_files:
            shutil.move(str(self.uploads / name), self.settings.corpus_dir / name)
        self.store.promote(staged.version)
        if staged.clinic_files:  # patients get the new profile and approved answers from their next question
            clinic = self.bot.clinic
            self.bot.clinic = load_clinic(
                self.settings, self.settings.corpus_dir, self.bot.retriever.embedder, clinic.approved.judge
            )
        shutil.rmtree(staged.candidate, ignore_errors=True)
        return "Published. " + describe_change(staged)

    def _sync(self, candidate: Path):
        """Index the candidate folder as a staged version. The index's own failures (a read-only or deleted
        index folder, a Chroma server gone) reach the editor as a sentence, never as "Database error (code 14)"."""
        try:
            retriever = self.bot.retriever
            return Syncer(self.store, retriever.embedder, self.settings.max_file_bytes, matcher=retriever.matcher).run(
                candidate, publish=False
            )
        except OSError as exc:
            raise EditError(f"the index could not be written ({exc.strerror or exc}); nothing was changed") from None
        except Exception:  # noqa: BLE001 (Chroma's own errors: logged whole for an engineer)
            log.exception("staging a version failed")
            raise EditError(
                "the index could not be written: its folder may be read-only or missing, or its server down "
                "(CLINICBOT_INDEX_DIR / CLINICBOT_CHROMA_URL). Nothing was changed; ask whoever runs the server."
            ) from None

    def _upload(self, name: str) -> Path:
        path = self.uploads / Path(name).name
        if not path.exists() or not is_article_file(path):
            raise EditError(f"{name}: not uploaded (upload it first)")
        return path

    def _audit(self, staged: Staged, who: str, reason: str) -> None:
        entry = {
            "at": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "who": who,
            "version": staged.version,
            "added": staged.added,
            "removed": staged.removed,
            "clinic_files": staged.clinic_files,
            "gate_failures": staged.failures,
            "gates_blocking": staged.blocking,
            "now_failing": [c.case for c in staged.regressions],
            "override_reason": reason.strip(),
        }
        self.publishes.add(entry)


def _stale(reviewed: str, today: dt.date) -> bool:
    try:
        return (today - dt.date.fromisoformat(reviewed[:10])).days > STALE_DAYS
    except ValueError:
        return True  # never reviewed (or unreadable date): flag it for an editor


def describe_change(staged: Staged) -> str:
    """What a check or a publish covers, in words (no Python lists)."""
    names = {profile_file.FILE: "the clinic profile", approved_file.FILE: "the approved answers"}
    parts = [
        f"added {', '.join(staged.added)}" if staged.added else "",
        f"removed {', '.join(staged.removed)}" if staged.removed else "",
        f"changed {' and '.join(names[n] for n in staged.clinic_files)}" if staged.clinic_files else "",
    ]
    said = "; ".join(p for p in parts if p)
    return said[:1].upper() + said[1:] + "." if said else "Nothing changed."
