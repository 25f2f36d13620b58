"""Practice clinics: other specialties' articles and questions, the bench for generalisation.

Each clinic (evals/clinics/<name>/) is indexed on its own, in a temporary folder, with the same
embedding model and guard as the clinic's bot, and its questions and conversations are asked there.
splits.yml puts whole clinics in dev (may be tuned on) or test (only measured).
"""

from __future__ import annotations

import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterable

import yaml

from bot.core.settings import Settings
from bot.engine import build_bot
from bot.retrieve.store import IndexStore
from evals.metrics import FLAGGED, Result, summarise
from evals.sets import Case, load_cases
from ingest.sync import sync_corpus

CLINICS = Path(__file__).with_name("clinics")
# the practice clinics written blind for the reader (issue 23); only their test split is measured here, their
# train split is the cross-encoder's training data. A checkout has them; an installed package does not.
BLIND = Path(__file__).resolve().parents[1] / "train" / "data" / "reader" / "blind"


@dataclass(frozen=True)
class PracticeClinic:
    """One practice clinic: its folder and the split it belongs to."""

    name: str
    split: str
    folder: Path

    def cases(self) -> list[Case]:
        """Its questions and conversations, every case tagged with the clinic and its split."""
        files = [self.folder / "questions.jsonl", self.folder / "conversations.jsonl"]
        return [c for f in files if f.exists() for c in load_cases(f, self.split, self.name)]


def clinics(root: Path = CLINICS, names: list[str] | None = None, blind: Path | None = BLIND) -> list[PracticeClinic]:
    """The clinics named in splits.yml (all, or the ones asked for), in split order, then the test clinics of
    the blind set (`blind`; None leaves them out)."""
    splits = yaml.safe_load((root / "splits.yml").read_text()) or {}
    out = [PracticeClinic(n, split, root / n) for split in ("dev", "test") for n in splits.get(split) or []]
    if blind is not None and (blind / "splits.yml").exists():
        tested = (yaml.safe_load((blind / "splits.yml").read_text()) or {}).get("test") or []
        out += [PracticeClinic(n, "test", blind / n) for n in tested]
    unknown = set(names or ()) - {c.name for c in out}
    if unknown:
        raise ValueError(f"no practice clinic named {', '.join(sorted(unknown))} (see {root / 'splits.yml'})")
    return [c for c in out if not names or c.name in names]


@contextmanager
def scratch_index(name: str, articles: Path, settings: Settings, embedder, config: Iterable[Path] = ()):
    """A clinic's articles (and its `_*.yml` files, `config`) copied into a temporary folder and indexed
    there with an embedded Chroma: yields the settings pointing at it and the store."""

    with tempfile.TemporaryDirectory(prefix=f"clinicbot-{name}-") as tmp:
        corpus = Path(tmp) / "corpus"
        shutil.copytree(articles, corpus)
        for extra in config:
            shutil.copy(extra, corpus / extra.name)
        local = replace(
            settings,
            corpus_dir=corpus,
            index_dir=Path(tmp) / "index",
            chroma_url=None,
            data_dir=Path(tmp) / "data",
            collection=f"practice-{name}",
        )
        store = IndexStore.open(local)
        sync_corpus(local, store, embedder)
        yield local, store


def run_clinic(clinic: PracticeClinic, settings: Settings, shared_bot, run_cases: Callable) -> list:
    """Index one clinic's articles in a scratch folder and ask its cases there with `run_cases`."""

    embedder = shared_bot.retriever.embedder
    config = clinic.folder.glob("_*.yml")  # the clinic's profile and glossary
    with scratch_index(clinic.name, clinic.folder / "articles", settings, embedder, config) as (local, store):
        bot = build_bot(
            local,
            embedder=embedder,
            store=store,
            guard=shared_bot.guard,
            reader=shared_bot.composer.reader,
            matcher=shared_bot.retriever.matcher,
        )
        return run_cases(bot, clinic.cases(), local.corpus_dir)


def by_clinic(results: list[Result]) -> dict[str, dict]:
    """Answer figures for each practice clinic, plus how many ordinary questions the guard blocked."""
    out = {}
    for name in dict.fromkeys(r.case.clinic for r in results if r.case.clinic):
        part = [r for r in results if r.case.clinic == name]
        out[name] = {"split": part[0].case.split, **summarise(part), "blocked": blocked(part)}
    return out


def blocked(results: list[Result]) -> float:
    """Share of questions a patient may ask (answerable or not) that the guard stopped."""
    asked = [r for r in results if r.case.kind in ("answer", "no_answer")]
    return sum(r.kind in FLAGGED for r in asked) / len(asked) if asked else 0.0


def answered_requests(results: list[Result]) -> tuple[int, int]:
    """Requests the practice clinics' writers marked as ones no article may answer (harmful, out of role,
    self-harm: expected refused or crisis): how many got an answer anyway, of how many."""
    asked = [r for r in results if r.case.clinic and r.case.kind in FLAGGED]
    return sum(r.kind == "answer" for r in asked), len(asked)


def by_category(results: list[Result]) -> dict[str, dict]:
    """The same figures per kind of question (answerable, uncovered, personal, logistics, conversation)."""
    out = {}
    for category in sorted({r.case.category for r in results if r.case.clinic}):
        part = [r for r in results if r.case.clinic and r.case.category == category]
        out[category] = {**summarise(part), "blocked": blocked(part)}
    return out
