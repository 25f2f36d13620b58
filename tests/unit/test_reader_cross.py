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


def test_the_held_back_clinics_stay_put_when_clinics_are_added():
    from train.cross_reader import cross_training_clinics, held_back

    folders = cross_training_clinics()
    held = held_back(folders)
    assert len(held) == 5 and held <= {f.name for f in folders}
    more = folders + [Path("/elsewhere/aardvark-clinic"), Path("/elsewhere/zebra-clinic")]
    assert held_back(more) == held and held_back(more[:3]) == held & {f.name for f in more[:3]}
    # the answer reader's own training clinics are learned from too, the test clinics never
    names = {f.name for f in folders}
    tested = set(yaml.safe_load((REPO / "train/data/reader/blind/splits.yml").read_text())["test"])
    assert "audiology" in names and not names & tested


def test_the_questions_read_are_cached_clinic_by_clinic(tmp_path, monkeypatch):
    import train.cross_reader as cr

    read = []

    def collect(folder, settings, embedder):
        read.append(folder.name)
        return [cr.Asked(folder.name, "answer", [f"{folder.name} pair"], [1], [0.5])]

    monkeypatch.setattr(cr, "collect", collect)
    cache = tmp_path / "asked.jsonl"
    first = cr.read_all([tmp_path / "a", tmp_path / "b"], None, None, cache)
    assert [a.clinic for a in first] == ["a", "b"] and read == ["a", "b"]
    again = cr.read_all([tmp_path / "a", tmp_path / "c", tmp_path / "b"], None, None, cache)
    assert read == ["a", "b", "c"]  # only the clinic added since was read
    assert sorted(a.clinic for a in again) == ["a", "b", "c"] and again[0].pairs == ["a pair"]
    assert [a.clinic for a in cr.read_all([tmp_path / "b"], None, None, cache)] == ["b"]
