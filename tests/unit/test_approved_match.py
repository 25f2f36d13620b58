"""The approved-answer match: the embedder shortlists, the judge decides, and only a sure judge gives an answer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.answer.reader.cross import SEP, CrossReaderMissing
from bot.clinic.approved import SAME_MEANING, SHORTLIST, Approved, ApprovedAnswers, load_judge
from evals.approved import Scored, calibrate, outcome

DRIVE = Approved("drive", ("Can I drive home after a treatment?",), "No. Bring someone to drive you.", "2026-11-01")
PARK = Approved("parking", ("Where do I park?",), "In the garage.", "2026-11-01")
OTHERS = [Approved(f"a{i}", (f"What about topic{i} words{i}?",), f"Answer {i}.", "2026-11-01") for i in range(6)]


class WordJudge:
    """P(answers) 0.9 when the pair's answer shares the word `word` with the question, else 0.1; records reads."""

    def __init__(self, word: str):
        self.word, self.read = word, []

    def probabilities(self, pairs: list[str]) -> np.ndarray:
        self.read.append(list(pairs))
        return np.array([0.9 if self.word in p.split(SEP)[1].lower() else 0.1 for p in pairs])


def test_the_judge_reads_the_shortlist_and_its_choice_is_given(fake_embedder):
    judge = WordJudge("garage")
    answers = ApprovedAnswers([DRIVE, PARK, *OTHERS], fake_embedder, judge, threshold=0.5)
    found = answers.match("where do i park in the garage")
    (read,) = judge.read
    assert len(read) == SHORTLIST and all(p.startswith("where do i park in the garage" + SEP) for p in read)
    assert found is not None and found.entry.id == "parking" and found.score == pytest.approx(0.9)


def test_a_sure_judge_is_not_enough_when_the_question_is_far_in_meaning(fake_embedder):
    answers = ApprovedAnswers([DRIVE, PARK, *OTHERS], fake_embedder, WordJudge("garage"), threshold=0.5)
    found = answers.best("which lot")
    assert found.entry.id == "parking" and found.cosine < SAME_MEANING
    assert answers.match("which lot") is None


def test_an_unsure_judge_gives_no_approved_answer(fake_embedder):
    answers = ApprovedAnswers([DRIVE, PARK], fake_embedder, WordJudge("nothing-matches"), threshold=0.5)
    assert answers.best("can my wife drive me") is not None
    assert answers.match("can my wife drive me") is None


def test_the_editors_own_wording_matches_even_without_a_judge(fake_embedder):
    answers = ApprovedAnswers([DRIVE, PARK], fake_embedder, None)
    assert answers.match("WHERE do i park??").entry.id == "parking"
    assert answers.match("where can i park the car") is None


def test_a_missing_judge_says_which_command_makes_it(tmp_path: Path):
    with pytest.raises(CrossReaderMissing, match="python -m train.approved_reader"):
        load_judge(tmp_path / "approved_reader")


def test_calibration_stops_the_closest_wrong_match_on_dev_only():
    rows = [
        Scored("c", "dev", "q1", "a", "a", 0.95),
        Scored("c", "dev", "q2", None, "a", 0.80),  # a near miss: must not match
        Scored("c", "test", "q3", None, "a", 0.99),  # test is measured, never calibrated on
    ]
    threshold = calibrate(rows)
    assert 0.80 < threshold <= 0.95
    assert outcome([r for r in rows if r.split == "dev"], threshold) == {
        "right": 1,
        "should": 1,
        "wrong": 0,
        "questions": 2,
    }


def test_training_pairs_label_only_the_answer_a_paraphrase_was_written_for(fake_embedder):
    from evals.approved import PracticeClinic
    from train.approved_reader import clinic_pairs

    clinic = PracticeClinic(
        "c",
        [DRIVE, PARK, *OTHERS],
        [
            {"question": "totally unrelated words", "expect": "a5", "kind": "paraphrase"},
            {"question": "can my wife drive me home", "expect": None, "kind": "near-miss"},
        ],
    )
    rows = clinic_pairs(clinic, fake_embedder)
    first = [(text, y) for text, y in rows if text.startswith("totally unrelated words" + SEP)]
    assert len(first) == SHORTLIST + 1  # the written-for answer is added when the shortlist misses it
    assert [y for text, y in first if "Answer 5." in text] == [1] and sum(y for _, y in first) == 1
    assert sum(y for text, y in rows if text.startswith("can my wife")) == 0  # a near miss answers nothing
