"""The reader's cross-encoder on tiny fixtures: the trainer's save and the numpy reader agree with the torch
network, a follow-up carries its earlier turn, and a missing file is named."""

from __future__ import annotations

import argparse
import random

import numpy as np
import pytest

from bot.answer.reader.cross import CrossReader, CrossReaderMissing, pair_text
from bot.core.classifier import build_network
from bot.retrieve.embedder import bundled_model_path
from train.cross_reader import HARD_NEGATIVES, Asked, chosen_pairs, save

PAIRS = [
    pair_text("how long does the visit take", "Your visit", "Plan to spend about two hours with us."),
    pair_text("and can my husband stay? (how long is the visit)", "Your visit", "One adult may stay in the room."),
    pair_text("is there parking", "", "Parking is free in the garage behind the clinic."),
]


def test_a_missing_model_is_named_with_the_command_that_makes_it(tmp_path):
    with pytest.raises(CrossReaderMissing, match="python -m train.cross_reader"):
        CrossReader(tmp_path)


def test_a_pair_is_the_question_then_the_sentence_under_its_heading():
    assert PAIRS[0] == "how long does the visit take [SEP] Your visit: Plan to spend about two hours with us."
    assert PAIRS[2] == "is there parking [SEP] Parking is free in the garage behind the clinic."  # no heading


@pytest.mark.slow
def test_the_saved_weights_read_in_numpy_give_the_torch_networks_probabilities(tmp_path):
    import torch
    from transformers import AutoTokenizer

    torch.manual_seed(0)  # the head starts random: a network no one trained, which is all this test needs
    network = build_network(bundled_model_path(), 2, pretrained=True).eval()
    tokenizer = AutoTokenizer.from_pretrained(str(bundled_model_path()), local_files_only=True)
    # half precision and back, as saved and served, so both sides read the very same weights
    save(network.half().float(), tokenizer, tmp_path, argparse.Namespace(max_tokens=64, seed=0))
    batch = tokenizer(PAIRS, padding=True, truncation=True, max_length=64, return_tensors="pt")
    with torch.inference_mode():
        logits = network(batch["input_ids"], batch["attention_mask"]).double().numpy()
    expected = 1 / (1 + np.exp(-(logits[:, 1] - logits[:, 0])))
    assert np.abs(CrossReader(tmp_path).probabilities(PAIRS) - expected).max() < 1e-4


def test_pairs_keep_every_answer_and_the_hardest_wrong_candidates():
    dense = [0.1 * i for i in range(12)]  # the last candidates retrieved best
    asked = Asked("c", "answer", [f"p{i}" for i in range(12)], [1 if i == 3 else 0 for i in range(12)], dense)
    missed = Asked("c", "answer", ["x"], [0], [0.9])  # its answer was not retrieved: no pairs from it
    rows = chosen_pairs([asked, missed], random.Random(0))
    assert ("p3", 1) in rows and ("x", 0) not in rows
    hardest = [t for t, y in rows if not y][:HARD_NEGATIVES]
    assert hardest == [f"p{i}" for i in (11, 10, 9, 8, 7)]
