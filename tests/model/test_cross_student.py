"""The cross-encoder's student on tiny fixtures: which teacher layers it keeps, that its saved weights read in
onnxruntime give the torch network's probabilities, that the teacher reads each pair once, and that a
missing student is named with the command that makes it."""

from __future__ import annotations

import argparse

import numpy as np
import pytest

from bot.answer.reader.cross import CrossReader, CrossReaderMissing, pair_text
from train.cross_student import kept_layers, teacher_logits

PAIRS = [
    pair_text("how long does the visit take", "Your visit", "Plan to spend about two hours with us."),
    pair_text("is there parking", "", "Parking is free in the garage behind the clinic."),
]


def test_the_student_keeps_evenly_spaced_layers_ending_with_the_teachers_last():
    assert kept_layers(6, 3) == [1, 3, 5]
    assert kept_layers(6, 2) == [2, 5]
    assert kept_layers(6, 6) == list(range(6))


class CountingTeacher:
    def __init__(self):
        self.read = []

    def logits(self, texts):
        self.read.append(list(texts))
        return np.asarray([[len(t), -len(t)] for t in texts], dtype=np.float64)


def test_the_teachers_logits_are_kept_and_only_pairs_not_seen_before_are_read(tmp_path):
    teacher, cache = CountingTeacher(), tmp_path / "asked.jsonl"
    first = teacher_logits(teacher, ["a", "bb"], cache)
    assert first.tolist() == [[1, -1], [2, -2]]
    assert np.array_equal(teacher_logits(teacher, ["a", "bb"], cache), first) and len(teacher.read) == 1
    # a clinic added later: only its pairs go to the teacher, and each row is its own pair's, in any order
    assert teacher_logits(teacher, ["ccc", "bb", "a"], cache).tolist() == [[3, -3], [2, -2], [1, -1]]
    assert teacher.read == [["a", "bb"], ["ccc"]]
    assert teacher_logits(CountingTeacher(), ["ccc"], cache).tolist() == [[3, -3]]  # read back from the file


def test_a_missing_student_is_named_with_the_command_that_makes_it(tmp_path, monkeypatch):
    import bot.answer.reader.cross as cross

    monkeypatch.setattr(cross, "STUDENT_DIR", tmp_path)
    with pytest.raises(CrossReaderMissing, match="python -m train.cross_student"):
        CrossReader.served()


@pytest.mark.slow
def test_a_saved_student_reads_in_onnxruntime_as_in_torch_with_its_own_layer_count(tmp_path):
    import json

    import torch

    from train.cross_student import save, saved_network, student_network

    network, tokenizer = student_network(2)
    network = network.half().float().eval()  # as saved and served: both sides read the very same weights
    save(network, tokenizer, tmp_path, argparse.Namespace(max_tokens=64, seed=0, layers=2))
    assert json.loads((tmp_path / "config.json").read_text())["num_hidden_layers"] == 2
    batch = tokenizer(PAIRS, padding=True, truncation=True, max_length=64, return_tensors="pt")
    with torch.inference_mode():
        logits = network(batch["input_ids"], batch["attention_mask"]).double().numpy()
    expected = 1 / (1 + np.exp(-(logits[:, 1] - logits[:, 0])))
    assert np.abs(CrossReader(tmp_path).probabilities(PAIRS) - expected).max() < 1e-4
    # a saved student read back to train further (--start) keeps its own depth and weights
    again, _ = saved_network(tmp_path)
    assert len(again.encoder.encoder.layer) == 2
    assert torch.equal(again.state_dict()["head.weight"], network.state_dict()["head.weight"])
    with pytest.raises(SystemExit, match="no config.json there"):
        saved_network(tmp_path / "nothing-here")
