"""Sync semantics: add, update, remove, unchanged, bad files, and a publish killed half-way."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.retrieve.store import STAGED_KEEP_S, IndexStore, MissingVersion
from ingest.sync import Syncer

REPO = Path(__file__).resolve().parents[2]
ARTICLE = (
    "{topic} is discussed here. Patients are monitored by staff during every visit to the clinic. "
    "Side effects such as nausea usually pass within hours after the session ends."
)


def article(topic: str) -> str:
    return f"{topic} Guide\n\n{ARTICLE.format(topic=topic)}\n"


@pytest.fixture
def corpus(tmp_path) -> Path:
    path = tmp_path / "corpus"
    path.mkdir()
    (path / "iv.txt").write_text(article("IV infusion"))
    (path / "nasal.txt").write_text(article("Nasal spray"))
    return path


@pytest.fixture
def store(settings) -> IndexStore:
    return IndexStore.open(settings)


def syncer(store, embedder, max_bytes=10**6) -> Syncer:
    return Syncer(store, embedder, max_bytes)


def sources(store) -> dict[str, int]:
    loaded = store.load(store.live())
    out: dict[str, int] = {}
    for c in loaded.chunks:
        out[c.source] = out.get(c.source, 0) + 1
    return out


def test_first_sync_adds_then_nothing_changes(store, corpus, fake_embedder):
    first = syncer(store, fake_embedder).run(corpus)
    assert first.added == ["iv.txt", "nasal.txt"] and first.failed == []
    assert set(sources(store)) == {"iv.txt", "nasal.txt"}
    calls = fake_embedder.calls
    again = syncer(store, fake_embedder).run(corpus)
    assert again.unchanged == ["iv.txt", "nasal.txt"] and not again.changed
    assert again.version == first.version and fake_embedder.calls == calls


def test_update_reembeds_only_changed_text_and_remove_drops_it(store, corpus, fake_embedder):
    syncer(store, fake_embedder).run(corpus)
    before = fake_embedder.texts
    (corpus / "iv.txt").write_text(
        article("IV infusion") + "\nA new closing paragraph about the recovery room, written today.\n"
    )
    (corpus / "nasal.txt").unlink()
    report = syncer(store, fake_embedder).run(corpus)
    assert (report.updated, report.removed, report.unchanged) == (["iv.txt"], ["nasal.txt"], [])
    assert fake_embedder.texts - before <= 3  # the new chunk and its new sentence, not the whole corpus
    loaded = store.load(store.live())
    assert any("recovery room" in c.text for c in loaded.chunks)
    assert {c.source for c in loaded.chunks} == {"iv.txt"}


def test_bad_files_are_reported_and_never_stop_the_rest(store, corpus, fake_embedder):
    (corpus / "empty.txt").write_text("")
    (corpus / "junk.txt").write_bytes(bytes(range(256)) * 3)
    (corpus / "notes.docx").write_bytes(b"PK\x03\x04")
    (corpus / "big.txt").write_text("word " * 500)
    report = syncer(store, fake_embedder, max_bytes=1000).run(corpus)
    assert report.added == ["iv.txt", "nasal.txt"]
    assert {f["source"]: f["error"].split()[0] for f in report.failed} == {
        "big.txt": "file",
        "empty.txt": "file",
        "junk.txt": "looks",
        "notes.docx": "unsupported",
    }


def test_a_served_article_whose_new_version_is_broken_keeps_serving(store, corpus, fake_embedder):
    syncer(store, fake_embedder).run(corpus)
    old = {c.text for c in store.load(store.live()).chunks if c.source == "iv.txt"}
    (corpus / "iv.txt").write_bytes(b"\0\0\0binary garbage")
    (corpus / "extra.txt").write_text(article("Lozenge"))
    report = syncer(store, fake_embedder).run(corpus)
    assert report.added == ["extra.txt"] and [f["source"] for f in report.failed] == ["iv.txt"]
    served = store.load(store.live())
    assert {c.text for c in served.chunks if c.source == "iv.txt"} == old
    assert "iv.txt" in store.manifest(store.live())


def test_cli_json_summary_and_exit_status(corpus, tmp_path):
    (corpus / "empty.md").write_text("")
    env = {**os.environ, "CLINICBOT_CORPUS_DIR": str(corpus)}
    out = subprocess.run([sys.executable, "-m", "ingest", "--json"], cwd=REPO, env=env, capture_output=True, text=True)
    summary = json.loads(out.stdout)
    assert out.returncode == 3  # some file failed, the rest is served: a script can tell (a crash is 1)
    assert summary["added"] == ["iv.txt", "nasal.txt"] and summary["failed"] == [
        {"source": "empty.md", "error": "file is empty"}
    ]
    listed = subprocess.run(
        [sys.executable, "-m", "ingest", "--list", "--json"], cwd=REPO, env=env, capture_output=True, text=True
    )
    rows = json.loads(listed.stdout)
    assert [r["source"] for r in rows] == ["iv.txt", "nasal.txt"] and all(r["chunks"] >= 1 and r["hash"] for r in rows)


def test_bad_setting_gets_a_clear_message(corpus):
    env = {**os.environ, "CLINICBOT_LLM": "gpt-9"}
    out = subprocess.run([sys.executable, "-m", "ingest"], cwd=REPO, env=env, capture_output=True, text=True)
    assert out.returncode == 2 and "CLINICBOT_LLM must be one of none, openai, ollama" in out.stderr
    assert "Traceback" not in out.stderr


KILLED_SYNC = """
import sys, time
from pathlib import Path
from bot.core.settings import Settings
from bot.retrieve.store import STAGED_KEEP_S, IndexStore, MissingVersion
from ingest.sync import Syncer
sys.path.insert(0, {tests!r})
from conftest import FakeEmbedder

store = IndexStore.open(Settings.from_env())
real_write = store.write
def slow_write(*args, **kwargs):
    real_write(*args, **kwargs)
    print("WRITTEN", flush=True)
    time.sleep(60)  # killed here: the new version is complete but not yet live
store.write = slow_write
Syncer(store, FakeEmbedder(), 10**6).run(Path({corpus!r}))
"""


@pytest.mark.integration
def test_sync_killed_mid_publish_leaves_old_index_serving_then_recovers(store, corpus, fake_embedder, settings):
    first = syncer(store, fake_embedder).run(corpus)
    (corpus / "new.txt").write_text(article("Intramuscular injection"))
    script = KILLED_SYNC.format(tests=str(REPO / "tests"), corpus=str(corpus))
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "WRITTEN"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    reader = IndexStore.open(settings)
    assert reader.live() == first.version
    assert set(sources(reader)) == {"iv.txt", "nasal.txt"}
    assert len(reader.versions()) == 2  # the live one plus the orphan of the killed run
    report = syncer(reader, fake_embedder).run(corpus)
    assert report.added == ["new.txt"]
    assert set(sources(reader)) == {"iv.txt", "nasal.txt", "new.txt"}
    orphan = reader.versions() - {first.version, report.version}
    assert len(orphan) == 1  # kept while young: it could be another editor's check
    reader.collect_garbage(now=time.time() + STAGED_KEEP_S + 60)
    assert reader.versions() == {first.version, report.version}


def test_another_editors_check_never_drops_a_staged_version(store, corpus, fake_embedder):
    """Issue 25: editor B's check dropped editor A's staged version; A's publish then served a missing index."""
    syncer(store, fake_embedder).run(corpus)
    (corpus / "a.txt").write_text(article("Oral lozenge"))
    staged_a = syncer(store, fake_embedder).run(corpus, publish=False)
    (corpus / "b.txt").write_text(article("Home monitoring"))
    syncer(store, fake_embedder).run(corpus, publish=False)  # B's check, after A's
    store.promote(staged_a.version)
    assert set(sources(store)) == {"iv.txt", "nasal.txt", "a.txt"}


def test_a_missing_version_is_never_published_and_a_dangling_pointer_falls_back(store, corpus, fake_embedder, settings):
    first = syncer(store, fake_embedder).run(corpus)
    (corpus / "new.txt").write_text(article("Intramuscular injection"))
    second = syncer(store, fake_embedder).run(corpus)
    (corpus / "more.txt").write_text(article("Oral lozenge"))
    staged = syncer(store, fake_embedder).run(corpus, publish=False)
    store.discard(staged.version)
    with pytest.raises(MissingVersion):
        store.promote(staged.version)
    assert store.live() == second.version
    store.discard(second.version)  # the live version's collections are gone (a crash, a clumsy operator)
    reopened = IndexStore.open(settings)
    assert reopened.live() == first.version and set(sources(reopened)) == {"iv.txt", "nasal.txt"}
    report = syncer(reopened, fake_embedder).run(corpus)  # and ingest carries on from there
    assert set(sources(reopened)) == {"iv.txt", "nasal.txt", "new.txt", "more.txt"} and report.version


def test_a_version_larger_than_one_fetch_loads_whole(store, tmp_path, fake_embedder, monkeypatch):
    import bot.retrieve.store as store_module

    corpus = tmp_path / "many"
    corpus.mkdir()
    for i in range(12):
        (corpus / f"a{i}.txt").write_text(article(f"Topic {i}"))
    syncer(store, fake_embedder).run(corpus)
    real = store_module._get_all
    monkeypatch.setattr(store_module, "_get_all", lambda col, page=5000: real(col, page=5))  # force many pages
    loaded = store.load(store.live())
    assert len({c.id for c in loaded.chunks}) == len(loaded.chunks) == 12
    assert len(loaded.sentences) == len(loaded.sentence_vectors) and all(c.sentences for c in loaded.chunks)
