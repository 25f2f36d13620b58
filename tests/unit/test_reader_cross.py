"""The reader asks the cross-encoder about its best-ranked candidates only, in rank order, with the question
as retrieved; answerability reads the best of those and the first-ranked one. The trainer fits answerability
only on clinics neither the matcher nor the cross-encoder learned from."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import yaml

from bot.answer.reader import answerability_row, cross_read
from bot.answer.reader.features import FEATURES
from bot.answer.reader.model import ANSWERABILITY

REPO = Path(__file__).resolve().parents[2]


class ListeningCross:
    """A cross-encoder that remembers what it was asked and says P = 0.1 x its position in the batch + 0.2."""

    def __init__(self):
        self.asked: list[str] = []

    def probabilities(self, pairs: list[str]) -> np.ndarray:
        self.asked += pairs
        return 0.2 + 0.1 * np.arange(len(pairs))


def _candidate(text: str, section: str) -> tuple:
    return (SimpleNamespace(text=text), SimpleNamespace(section=section), None, 0.0, 1, 0.0)


def test_the_cross_encoder_reads_the_chosen_candidates_in_rank_order():
    pool = [_candidate(f"sentence {i}.", "Costs" if i == 2 else "") for i in range(6)]
    cross = ListeningCross()
    read = cross_read(cross, "and for kids? (how long is the visit)", pool, np.asarray([2, 0, 5]))
    assert cross.asked == [
        "and for kids? (how long is the visit) [SEP] Costs: sentence 2.",
        "and for kids? (how long is the visit) [SEP] sentence 0.",
        "and for kids? (how long is the visit) [SEP] sentence 5.",
    ]
    assert np.allclose(read, [0.2, 0.3, 0.4])


def test_answerability_reads_the_best_cross_reading_and_the_first_ranked_ones():
    rows = np.zeros((3, len(FEATURES)), dtype=np.float32)
    row = answerability_row(rows, np.asarray([0.1, 0.7, 0.3]), np.zeros(5), np.asarray([0.35, 0.9, 0.2]))
    assert len(row) == len(ANSWERABILITY)
    assert row[ANSWERABILITY.index("cross_best")] == np.float32(0.9)
    assert row[ANSWERABILITY.index("cross_first")] == np.float32(0.35)
    assert row[0] == np.float32(0.7)  # the best sentence score still leads


def test_answerability_is_fitted_only_on_clinics_no_model_beneath_it_was_trained_on():
    from train.reader import unseen_blind_clinics

    unseen = set(unseen_blind_clinics())
    assert unseen  # the reader would otherwise fit answerability on the old clinics alone, silently
    tested = set(yaml.safe_load((REPO / "train/data/reader/blind/splits.yml").read_text())["test"])
    assert not unseen & tested
    # the cross-encoders' reports name the clinics they learned from (the matcher's gives their count)
    for model in ("cross_reader", "cross_student"):
        report = yaml.safe_load((REPO / "models" / model / "training_report.json").read_text())
        assert not unseen & set(report["train_clinics"])
