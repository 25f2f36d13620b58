"""The editors' desk: bad uploads are refused with a reason and change nothing; publishing needs the gate."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.editor import EditError, EditorDesk, Staged
from tests.test_load import make_pdf


class StubStore:
    def __init__(self, live="v1", manifest=None):
        self._live, self._manifest, self.promoted = live, manifest or {}, []

    def live(self):
        return self._live

    def manifest(self, version):
        return self._manifest

    def promote(self, version):
        self.promoted.append(version)


class StubBot:
    def __init__(self, store):
        self.retriever = type("R", (), {"store": store, "embedder": None})()


@pytest.fixture
def desk(settings, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("An article.")
    return EditorDesk(settings.with_(corpus_dir=corpus, max_file_mb=0.01), StubBot(StubStore()), evaluate=None)


@pytest.mark.parametrize("name,data,reason", [
    ("../../etc/evil.txt", b"text about infusions here", "plain file name"),
    ("_glossary.yml", b"terms: []", "plain file name"),
    ("notes.docx", b"PK\x03\x04", "unsupported type"),
    ("big.txt", b"word " * 5000, "over the 0.01 MB limit"),
    ("broken.pdf", b"%PDF-1.4 garbage", "damaged"),
    ("empty.md", b"", "empty"),
])
def test_bad_uploads_are_refused_and_leave_nothing_behind(desk, tmp_path, name, data, reason):
    source = tmp_path / "incoming"
    source.write_bytes(data)
    with pytest.raises(EditError, match=reason):
        desk.receive(name, source)
    assert not any(desk.uploads.glob("*")) if desk.uploads.exists() else True
    assert sorted(p.name for p in desk.settings.corpus_dir.iterdir()) == ["a.txt"]


def test_good_upload_previews_and_takes_details(desk, tmp_path):
    pdf = make_pdf(tmp_path / "p.pdf", text="Parking is free in the garage behind the clinic. It is open daily.")
    desk.receive("parking.pdf", pdf)
    preview = desk.preview("parking.pdf")
    assert "Parking is free in the garage" in preview["text"] and preview["chunks"]
    desk.describe("parking.pdf", title="Parking", reviewed="2026-01-02", url="https://clinic.example/parking")
    assert desk.preview("parking.pdf")["title"] == "Parking"
    with pytest.raises(EditError, match="date like"):
        desk.describe("parking.pdf", reviewed="last spring")


def test_publishing_is_refused_when_a_gate_failed_unless_a_reason_is_given(desk, tmp_path):
    staged = Staged("v2", "v1", [], ["a.txt"], tmp_path / "candidate", failures=["test answers.fact_recall = 0.5 < 0.65"])
    with pytest.raises(EditError, match="publishing refused"):
        desk.publish(staged, "editor")
    assert (desk.settings.corpus_dir / "a.txt").exists() and desk.store.promoted == []
    desk.publish(staged, "editor", override_reason="outdated article, replacement coming")
    assert not (desk.settings.corpus_dir / "a.txt").exists() and desk.store.promoted == ["v2"]
    log = (desk.settings.data_dir / "publish_log.jsonl").read_text()
    assert "outdated article" in log and "fact_recall" in log


def test_publish_refuses_when_the_index_changed_since_the_check(desk, tmp_path):
    staged = Staged("v2", "v0", [], [], tmp_path / "candidate")
    with pytest.raises(EditError, match="changed since"):
        desk.publish(staged, "editor")


def test_articles_not_reviewed_for_a_year_are_flagged(settings):
    import datetime as dt

    store = StubStore(manifest={"old.txt": {"title": "Old", "reviewed": "2025-01-01"},
                                "new.txt": {"title": "New", "reviewed": "2026-10-01"}, "never.txt": {"title": "Never"}})
    desk = EditorDesk(settings, StubBot(store), evaluate=None)
    flags = {a["source"]: a["needs_review"] for a in desk.articles(today=dt.date(2026, 11, 22))}
    assert flags == {"old.txt": True, "new.txt": False, "never.txt": True}
