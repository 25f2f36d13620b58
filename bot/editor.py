"""The editors' desk: upload, preview, stage, evaluate and publish articles through the eval gate.

It is the same ingest code as `python -m ingest`; publishing is the same pointer flip, so
patients chatting meanwhile never see an error or half an index.
"""
from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.settings import Settings
from ingest.chunk import chunk
from ingest.load import FORMATS, SIDECAR, LoadError, is_article_file, load, sidecar_path
from ingest.sync import Syncer, clean_article

STALE_DAYS = 365


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
    changes: list[dict] = field(default_factory=list)
    failed_files: list[dict] = field(default_factory=list)


class EditorDesk:
    """Editor operations; configuration in the constructor, files and choices per call."""

    def __init__(self, settings: Settings, bot, evaluate):
        self.settings = settings
        self.bot = bot
        self.store = bot.retriever.store
        self.evaluate = evaluate  # StaffDesk.evaluate: (view, corpus_dir) -> (figures, failures, passed, results)
        self.uploads = settings.data_dir / "uploads"

    def articles(self, today: dt.date | None = None) -> list[dict]:
        """What patients are served: title, chunks, last reviewed, ingested at, and a review flag."""
        today = today or dt.date.today()
        rows = []
        for source, m in sorted(self.store.manifest(self.store.live()).items()):
            rows.append({"source": source, "title": m.get("title", ""), "chunks": m.get("chunks", 0),
                         "reviewed": m.get("reviewed", ""), "ingested_at": m.get("ingested_at", ""),
                         "needs_review": _stale(m.get("reviewed", ""), today)})
        return rows

    def receive(self, name: str, data_path: Path) -> Path:
        """Accept one uploaded file into the upload area, or raise EditError saying why not."""
        clean = Path(name).name
        if clean != name or clean.startswith((".", "_")) or "\\" in name or ".." in name or not clean:
            raise EditError(f"{name!r}: use a plain file name like guide.pdf (no folders or leading . or _)")
        if Path(clean).suffix.lower() not in FORMATS:
            raise EditError(f"{clean}: unsupported type; upload .pdf, .md, .txt or .html")
        size = Path(data_path).stat().st_size
        if size > self.settings.max_file_bytes:
            raise EditError(f"{clean}: {size / 1e6:.1f} MB is over the {self.settings.max_file_mb:g} MB limit")
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
        return {"title": article.title, "text": article.text,
                "chunks": [{"section": c.section, "words": len(c.text.split()), "text": c.text} for c in chunk(article)]}

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
        report = Syncer(self.store, self.bot.retriever.embedder, self.settings.max_file_bytes).run(candidate, publish=False)
        staged = Staged(report.version, base, list(add), list(remove), candidate, failed_files=report.failed)
        if report.version == base:
            raise EditError("nothing would change")
        staged.figures, staged.failures, after, _ = self.evaluate(self.bot.retriever.open_view(report.version), candidate, answers_only=True)
        _, _, before, _ = self.evaluate(self.bot.retriever.view(), self.settings.corpus_dir, answers_only=True)
        staged.changes = [{"case": cid, "now": "pass" if ok else "FAIL", "before": "pass" if before.get(cid) else "FAIL"}
                          for cid, ok in sorted(after.items()) if before.get(cid) != ok]
        return staged

    def publish(self, staged: Staged, who: str, override_reason: str = "") -> str:
        """Serve the staged version, unless a gate failed and no reason to override was given."""
        if staged.failures and not override_reason.strip():
            raise EditError("publishing refused: " + "; ".join(staged.failures) + ". A staff member may override with a reason.")
        if self.store.live() != staged.base:
            raise EditError("the index changed since this was checked; check again before publishing")
        for name in staged.removed:
            for path in (self.settings.corpus_dir / name, sidecar_path(self.settings.corpus_dir / name)):
                path.unlink(missing_ok=True)
        for name in staged.added:
            for part in (self._upload(name), sidecar_path(self._upload(name))):
                if part.exists():
                    shutil.move(str(part), self.settings.corpus_dir / part.name)
        self.store.promote(staged.version)
        self._audit(staged, who, override_reason)
        shutil.rmtree(staged.candidate, ignore_errors=True)
        return f"published: added {staged.added or 'nothing'}, removed {staged.removed or 'nothing'}"

    def _upload(self, name: str) -> Path:
        path = self.uploads / Path(name).name
        if not path.exists() or not is_article_file(path):
            raise EditError(f"{name}: not uploaded (upload it first)")
        return path

    def _audit(self, staged: Staged, who: str, reason: str) -> None:
        entry = {"at": time.strftime("%Y-%m-%dT%H:%M:%S"), "who": who, "version": staged.version, "added": staged.added,
                 "removed": staged.removed, "gate_failures": staged.failures, "override_reason": reason.strip()}
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.settings.data_dir / "publish_log.jsonl", "a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry) + "\n")


def _stale(reviewed: str, today: dt.date) -> bool:
    try:
        return (today - dt.date.fromisoformat(reviewed[:10])).days > STALE_DAYS
    except ValueError:
        return True  # never reviewed (or unreadable date): flag it for an editor
