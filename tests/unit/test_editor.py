"""The editors' desk: bad uploads are refused with a reason and change nothing; publishing needs the gate."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.settings import Settings
from services.editor import Change, EditError, EditorDesk, Staged
from tests.helpers import storage_at
from tests.unit.test_load import make_pdf
from webui.editor_tab import check_text


class StubStore:
    def __init__(self, live="v1", manifest=None):
        self._live, self._manifest, self.promoted = live, manifest or {}, []

    def live(self):
        return self._live

    def manifest(self, version):
        return self._manifest

    def promote(self, version):
        self.promoted.append(version)

    def whole(self, version):
        return version != "gone"  # "gone": a staged version another check dropped


class StubBot:
    def __init__(self, store):
        from bot.clinic.files import load_clinic

        self.retriever = type("R", (), {"store": store, "embedder": None})()
        self.clinic = load_clinic(Settings(), Path("/nonexistent"), None)


@pytest.fixture
def desk(settings, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("An article.")
    storage = storage_at(tmp_path / "state.sqlite")
    return EditorDesk(settings.with_(corpus_dir=corpus, max_file_mb=0.01), StubBot(StubStore()), None, storage)


@pytest.mark.parametrize(
    "name,data,reason",
    [
        ("../../etc/evil.txt", b"text about infusions here", "plain file name"),
        ("_glossary.yml", b"terms: []", "plain file name"),
        ("notes.docx", b"PK\x03\x04", "unsupported type"),
        ("big.txt", b"word " * 5000, "big.txt is 0.025 MB; the limit is 0.01 MB"),
        ("broken.pdf", b"%PDF-1.4 garbage", "damaged"),
        ("empty.md", b"", "empty"),
        # issue 25: these gave raw exceptions, or were accepted
        ("guide\x00.txt", b"text about infusions here", "hidden or control characters"),
        ("guide\u202etxt.pdf", b"text about infusions here", "hidden or control characters"),
        ("g" * 300 + ".txt", b"text about infusions here", "too long"),
    ],
)
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
    staged = Staged(
        "v2", "v1", [], ["a.txt"], tmp_path / "candidate", failures=["test answers.fact_recall = 0.5 < 0.65"]
    )
    with pytest.raises(EditError, match="Not published: test answers.fact_recall"):
        desk.publish(staged, "editor")
    assert (desk.settings.corpus_dir / "a.txt").exists() and desk.store.promoted == []
    desk.publish(staged, "editor", override_reason="outdated article, replacement coming")
    assert not (desk.settings.corpus_dir / "a.txt").exists() and desk.store.promoted == ["v2"]
    [entry] = desk.publishes.entries()
    assert entry["override_reason"] == "outdated article, replacement coming" and "fact_recall" in str(entry)


def test_publish_refuses_when_the_index_changed_since_the_check(desk, tmp_path):
    staged = Staged("v2", "v0", [], [], tmp_path / "candidate")
    with pytest.raises(EditError, match="changed since"):
        desk.publish(staged, "editor")


def test_articles_not_reviewed_for_a_year_are_flagged(settings):
    import datetime as dt

    store = StubStore(
        manifest={
            "old.txt": {"title": "Old", "reviewed": "2025-01-01"},
            "new.txt": {"title": "New", "reviewed": "2026-10-01"},
            "never.txt": {"title": "Never"},
        }
    )
    desk = EditorDesk(settings, StubBot(store), None, None)
    flags = {a["source"]: a["needs_review"] for a in desk.articles(today=dt.date(2026, 11, 22))}
    assert flags == {"old.txt": True, "new.txt": False, "never.txt": True}


def test_a_question_that_passed_before_and_fails_now_needs_a_reason_even_when_the_gates_pass(desk, tmp_path):
    worse = Change(
        "answers/x",
        "can i eat before my infusion?",
        "Please avoid eating for 6 hours.",
        "Parking is open every day while the clinic is open.",
        passed_before=True,
        passes_now=False,
    )
    better = Change(
        "answers/y", "where do i park?", "[no answer] I'm sorry...", "Parking is in the garage.", False, True
    )
    staged = Staged("v2", "v1", ["parking.pdf"], [], tmp_path / "candidate", changes=[worse, better])
    report = check_text(staged).replace("\\", "")  # shown as Markdown: the page shows it without the escapes
    assert "All enforced gates pass, but 1 question(s) that were answered well before now fail" in report
    assert report.index("now fails") < report.index("now passes")  # worse first
    assert "Before: Please avoid eating for 6 hours." in report and "After: Parking is open every day" in report
    assert "['" not in report  # no Python lists for editors
    with pytest.raises(EditError, match="that were answered well before now fail"):
        desk.publish(staged, "editor")
    assert desk.store.promoted == []


def test_the_clinic_profile_is_edited_as_a_draft_and_bad_values_are_explained(desk):
    with pytest.raises(EditError, match="needs at least a name and a phone number or booking link"):
        desk.draft_profile({"name": "Harbor Clinic"})
    assert not (desk.uploads / "_clinic.yml").exists()
    desk.draft_profile(
        {
            "name": "Harbor Clinic",
            "phone": "(555) 010-0199",
            "hours": "Mon-Fri 9-5",
            "starters": "What is an infusion like?\n\nHow do I book?",
            "answering": "careful",
        }
    )
    profile = desk.profile()  # the draft, not yet what patients are served
    assert profile.answering == "careful"
    assert (profile.name, profile.phone, profile.crisis_line) == ("Harbor Clinic", "(555) 010-0199", "988")
    assert profile.starters == ("What is an infusion like?", "How do I book?")
    assert not (desk.settings.corpus_dir / "_clinic.yml").exists()
    served = desk.bot.clinic.profile
    changed = {k: (before, after) for k, before, after in desk.profile_changes(profile)}
    assert changed["phone"] == (served.phone, "(555) 010-0199")  # what patients get now, against the draft
    assert changed["starters"][1] == "What is an infusion like?; How do I book?"
    assert "crisis_line" not in changed and desk.profile_changes(served) == []


def test_approved_answers_need_a_question_an_answer_a_date_and_served_articles(desk):
    desk.store._manifest = {"a.txt": {"title": "An article"}}
    for questions, answer, reviewed, rests, reason in [
        ("", "Yes.", "2026-11-01", [], "give at least one question"),
        ("Can I drive?", "", "2026-11-01", [], "the answer is empty"),
        ("Can I drive?", "No.", "soon", [], "review date must look like"),
        ("Can I drive?", "No.", "2026-11-01", ["missing.txt"], "not a served article"),
    ]:
        with pytest.raises(EditError, match=reason):
            desk.draft_answer(questions, answer, reviewed, rests)
    entry = desk.draft_answer(
        "Can I drive home after?\nMay I drive afterwards?", "No. Bring someone to drive you.", "2026-11-01", ["a.txt"]
    )
    assert [e.questions for e in desk.approved()] == [("Can I drive home after?", "May I drive afterwards?")]
    desk.drop_answer(entry.id)
    assert desk.approved() == []


def test_an_uploaded_article_shows_its_reading_grade_and_hardest_sentences(desk, tmp_path):
    text = (
        "Parking is free. The garage is open every day. "
        "Notwithstanding institutional considerations, comprehensive neuropsychiatric evaluation necessitates "
        "multidisciplinary collaboration preceding administration. We help you park."
    )
    path = tmp_path / "p.txt"
    path.write_text(text)
    desk.receive("parking.txt", path)
    reading = desk.preview("parking.txt")["reading"]
    grade, hardest = reading["hardest"][0]
    assert hardest.startswith("Notwithstanding institutional") and grade > 15 and reading["grade"] > 8
    assert [g for g, _ in reading["hardest"]] == sorted((g for g, _ in reading["hardest"]), reverse=True)


def test_an_index_that_cannot_be_written_is_explained_not_shown_as_a_database_error(desk, tmp_path, monkeypatch):
    """Issue 25: a read-only or deleted index folder gave the editor "Database error (code 14/1032)". (As root, a
    folder cannot be made read-only for the test: Chroma's own error is raised in its place.)"""

    class ReadOnlyIndex:
        def __init__(self, *args):
            pass

        def run(self, folder, publish=True):
            raise RuntimeError(
                "Database error: error returned from database: (code: 1032) attempt to write a readonly database"
            )

    monkeypatch.setattr("services.editor.Syncer", ReadOnlyIndex)
    with pytest.raises(EditError, match="read-only or missing") as refused:
        desk.stage(remove=["a.txt"])
    assert "1032" not in str(refused.value) and "Database error" not in str(refused.value)


def test_a_staged_version_that_is_gone_is_not_published_and_nothing_moves(desk, tmp_path):
    """Issue 25: a publish of a missing version said "Published." and pointed patients at nothing."""
    staged = Staged("gone", "v1", [], ["a.txt"], tmp_path)
    with pytest.raises(EditError, match="check again"):
        desk.publish(staged, "editor")
    assert desk.store.promoted == [] and (desk.settings.corpus_dir / "a.txt").exists()


def test_the_publish_log_is_written_before_the_files_move(desk, tmp_path, monkeypatch):
    """Issue 25: kill -9 after the file move left a published change with no publish-log entry."""
    staged = Staged("v2", "v1", [], ["a.txt"], tmp_path)

    def crash(*args):
        raise KeyboardInterrupt("the process dies here")

    monkeypatch.setattr(desk.store, "promote", crash)
    with pytest.raises(KeyboardInterrupt):
        desk.publish(staged, "editor", "fixing a typo")
    assert desk.publishes.entries()[0]["override_reason"] == "fixing a typo"
