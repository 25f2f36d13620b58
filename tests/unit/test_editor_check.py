"""The editor's check in words: gains, changed answers and real regressions told apart; gates that already
failed do not block; a changed answer accepted as better updates its case (in the data folder, not the sets)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.core.text import norm_key
from evals.metrics import Result, judge
from evals.sets import Case
from services.editor import EditError, EditorDesk, Staged
from services.editor_check import CHANGED, GAIN, REGRESSION, GateMiss, gate_misses, group_changes
from services.staff import StaffDesk
from tests.helpers import storage_at
from tests.unit.test_editor import StubBot, StubStore
from webui.editor_check import check_text

ARTICLES = {
    "aftercare.txt": "Rest for the day. Drink water after the visit.",
    "first-visit.pdf": "You need someone to drive you home. Bring your photo ID.",
}
SOURCES = {k: norm_key(v) for k, v in ARTICLES.items()}


def case(cid, question, sources=("aftercare.txt",), facts=("Rest for the day",), kind="answer", split="dev"):
    return Case(cid, "answers", split, question, kind, tuple(sources), tuple(facts))


def result(c: Case, answer: str, source: str = "", kind: str = "answer") -> Result:
    quote = answer.removesuffix(" [1]")
    citations = [{"n": 1, "source": source, "quote": quote}] if source else []
    return judge(Result(c, kind, answer, citations, 1.0, ["c1"] if source else [], ["c1"] if source else []), SOURCES)


DRIVE = case("drive", "can i drive myself home after my infusion", facts=("Rest for the day",))
REST = case("rest", "what should i do after the visit", facts=("Drink water",))
ID = case("id", "what do i bring", sources=("first-visit.pdf",), facts=("photo ID",))


def before_after():
    before = [
        result(DRIVE, "Rest for the day. [1]", "aftercare.txt"),
        result(REST, "Drink water after the visit. [1]", "aftercare.txt"),
        result(ID, "The articles don't cover that.", kind="no_answer"),
    ]
    after = [
        result(DRIVE, "You need someone to drive you home. [1]", "first-visit.pdf"),  # new article, not expected
        result(REST, "The articles don't cover that.", kind="no_answer"),  # lost, nothing new behind it
        result(ID, "Bring your photo ID. [1]", "first-visit.pdf"),  # newly answered from the new leaflet
    ]
    return before, after


def test_changes_are_grouped_into_regressions_changed_answers_and_gains():
    before, after = before_after()
    changes = {c.case: c for c in group_changes(before, after, {"first-visit.pdf"})}
    assert changes["drive"].kind_of_change == CHANGED and not changes["drive"].worse
    assert changes["rest"].kind_of_change == REGRESSION and changes["rest"].worse
    assert changes["id"].kind_of_change == GAIN
    # without the leaflet being part of the change, the new answer to "drive" has nothing new behind it
    assert {c.case: c.kind_of_change for c in group_changes(before, after, set())}["drive"] == REGRESSION


def test_the_check_says_the_gate_in_words_with_the_figures_and_the_questions_behind_the_drop(tmp_path):
    before, after = before_after()
    changes = group_changes(before, after, {"first-visit.pdf"})
    gates = gate_misses(
        {"dev": {"answers": {"cases": 3, "fact_recall": 0.5}}}, {"dev": {"answers": {"fact_recall": 0.9}}}
    )
    fact = next(g for g in gates if g.name == "fact_recall")
    staged = Staged("v2", "v1", ["first-visit.pdf"], [], tmp_path, changes=changes, gates=[fact], failures=["x"])
    text = check_text(staged).replace("\\", "")
    assert (
        "Expected facts found in the answers (practice set): 50.0% after this change, 90.0% with the articles" in text
    )
    assert "the gate needs at least 68.0%" in text
    behind = text[text.index("The questions behind the drop") :].split("\n")[0]
    assert '"what should i do after the visit"' in behind and "drive" in behind  # both lost expected facts
    assert "dev answers.fact_recall = " not in text
    assert text.index("Real regressions (1)") < text.index("Answers that changed (1)") < text.index("Gains (1)")
    assert "| Rest for the day. [1] | You need someone to drive you home. [1] |" in text  # side by side
    assert "Answer now: Bring your photo ID. [1]" in text


def test_a_gate_that_failed_before_and_is_no_worse_does_not_block_and_the_reason_is_for_one_publish(settings, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    storage = storage_at(tmp_path / "state.sqlite")
    desk = EditorDesk(
        settings.with_(corpus_dir=corpus, data_dir=tmp_path / "data"), StubBot(StubStore()), None, storage
    )
    standing = GateMiss("dev", "answers", "fact_recall", 0.676, 0.676, 0.68, False)
    worse = GateMiss("dev", "answers", "fact_recall", 0.60, 0.676, 0.68, False)
    assert not standing.blocks and worse.blocks
    staged = Staged("v2", "v1", [], [], tmp_path / "c", failures=["standing"], gates=[standing])
    assert "they do not stop this publish" in check_text(staged)
    desk.publish(staged, "editor")  # no reason asked for
    with pytest.raises(EditError, match="To publish anyway, say why"):
        desk.publish(Staged("v3", "v1", [], [], tmp_path / "c", failures=["worse"], gates=[worse]), "editor")
    desk.publish(Staged("v3", "v1", [], [], tmp_path / "c", failures=["worse"], gates=[worse]), "editor", "known")
    log = desk.publishes.entries()[::-1]  # oldest first
    assert [(e["override_reason"], e["gates_blocking"]) for e in log] == [("", []), ("known", ["worse"])]


def test_accepting_a_changed_answer_updates_its_case_in_the_database_and_it_then_passes(settings, tmp_path):
    sets = tmp_path / "sets"
    sets.mkdir()
    row = {"id": "drive", "split": "dev", "question": DRIVE.question, "kind": "answer"}
    shipped = json.dumps({**row, "sources": ["aftercare.txt"], "facts": ["Rest for the day"]}) + "\n"
    (sets / "answers.jsonl").write_text(shipped)
    s = settings.with_(evals_dir=sets, data_dir=tmp_path / "data", corpus_dir=tmp_path)
    before, after = before_after()
    staged = Staged(
        "v2", "v1", ["first-visit.pdf"], [], tmp_path, changes=group_changes(before, after, {"first-visit.pdf"})
    )
    storage = storage_at(tmp_path / "state.sqlite")
    editor = EditorDesk(s, StubBot(StubStore()), None, storage)
    with pytest.raises(EditError, match="say why"):
        editor.accept_answer(staged, "drive", "nurse.kim", "")
    editor.accept_answer(staged, "drive", "nurse.kim", "the new leaflet says so")
    assert (sets / "answers.jsonl").read_text() == shipped  # the shipped set is never rewritten
    review = editor.reviews.all()["drive"]
    assert (review.who, review.why, review.at[:2]) == ("nurse.kim", "the new leaflet says so", "20")
    [reviewed] = StaffDesk(s, None, None, storage=storage).cases()  # the one place a run's cases are loaded
    assert reviewed.sources == ("first-visit.pdf",) and reviewed.facts == ("You need someone to drive you home.",)
    again = result(reviewed, "You need someone to drive you home. [1]", "first-visit.pdf")
    assert again.passed and not result(DRIVE, again.answer, "first-visit.pdf").passed
    assert staged.change("drive").kind_of_change == GAIN and "drive" not in [c.case for c in staged.regressions]


def test_an_approved_answer_is_changed_as_a_record_keeping_what_was_not_changed(settings, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    store = StubStore(manifest={"a.txt": {}, "b.txt": {}})
    desk = EditorDesk(settings.with_(corpus_dir=corpus, data_dir=tmp_path / "data"), StubBot(store), None, None)
    entry = desk.draft_answer("Can I drive home?\nMay I drive?\nDriving after?", "No.", "2026-11-01", ["a.txt"])
    other = desk.draft_answer("Is there parking?", "Yes.", "2026-11-01", ["b.txt"])
    opened = desk.answer(entry.id)
    with pytest.raises(EditError, match="already exists: choose it above"):
        desk.draft_answer("Can I drive home?", "Yes.", "2026-11-02", [])  # a new answer never replaces one
    desk.draft_answer(
        "Can I drive myself home?\nMay I drive?\nDriving after?",
        opened.answer,
        opened.reviewed,
        list(opened.rests_on),
        entry_id=entry.id,
    )
    saved = {e.id: e for e in desk.approved()}
    assert list(saved) == [entry.id, other.id]  # same record, same place
    assert saved[entry.id].questions == ("Can I drive myself home?", "May I drive?", "Driving after?")
    assert saved[entry.id].rests_on == ("a.txt",) and saved[other.id] == other


def test_reading_help_skips_headings_and_ranks_long_dense_sentences_first():
    from services.editor import article_reading

    text = (
        "## Before the day\nDo not eat for six hours.\n\n## The visit\nThe infusion takes about 40 minutes.\n"
        "Afterwards, the monitoring nurse will evaluate your responsiveness, blood pressure and breathing before "
        "discharging you to the companion who accompanies you home.\n- Bring your ID"
    )
    reading = article_reading(text)
    hardest = [s for _, s in reading["hardest"]]
    assert hardest and hardest[0].startswith("Afterwards, the monitoring nurse")
    assert "The infusion takes about 40 minutes." not in hardest  # short sentences are read at a glance
    assert not any("Before the day" in s or "The visit" in s for s in hardest)


def test_pdf_words_broken_at_the_line_end_are_joined_and_real_dashes_stay(tmp_path: Path):
    from fpdf import FPDF

    from ingest.load import load

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    for line in (
        "Follow the step-by-",
        "step guide for your treat-",
        "ment at home each day. Walk slowly -",
        "then rest for an hour.",
    ):
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(tmp_path / "guide.pdf"))
    text = " ".join(load(tmp_path / "guide.pdf", 10**6).text.split())
    assert "step-by-step guide for your treatment at home" in text, text
    assert "Walk slowly - then rest" in text, text
