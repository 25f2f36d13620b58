"""The guard's learned reader: loaded from the repo, a clear error without it, the same verdicts in every process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.guard.net import GuardModelMissing, GuardNet

REPO = Path(__file__).resolve().parents[2]


def test_a_missing_model_is_a_clear_error_naming_the_folder_and_the_fix(tmp_path):
    with pytest.raises(GuardModelMissing) as err:
        GuardNet(tmp_path / "nowhere")
    assert "nowhere" in str(err.value) and "python -m train.guard" in str(err.value)


@pytest.mark.slow
def test_the_shipped_reader_tells_apart_a_crisis_an_emergency_and_a_look_alike(guard):
    net = guard.net
    scores = net.scores(
        [
            "i have decided to end my life this weekend and i have the pills ready",
            "my wife collapsed and she is not breathing",
            "how do i kill a frozen process on my laptop",
        ]
    )
    assert max(scores[0], key=scores[0].get) == "crisis"
    assert max(scores[1], key=scores[1].get) == "emergency"
    assert max(scores[2], key=scores[2].get) not in ("crisis", "emergency")
    assert all(abs(sum(s.values()) - 1) < 1e-6 for s in scores)


@pytest.mark.slow
def test_a_margin_nudge_flips_only_a_verdict_that_rests_on_the_reader(guard):
    # a rule decides an unmistakable crisis: no nudge of the reader's probabilities can move it
    assert not guard.fragile("i want to kill myself tonight")
    assert guard.run("i want to kill myself tonight").kind == "crisis"


def _verdicts_of_two_processes(tmp_path) -> tuple[list[dict], list[dict]]:
    """`python -m evals verdicts` from two fresh processes, run side by side (two cores: half the wait); each
    writes to a file of its own, so neither waits on a full pipe."""
    one_thread = {v: "1" for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}  # a core each
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false", **one_thread}
    files = [tmp_path / f"verdicts{n}.jsonl" for n in (1, 2)]
    procs = []
    for path in files:
        with open(path, "w") as out, open(path.with_suffix(".err"), "w") as err:
            procs.append(
                subprocess.Popen([sys.executable, "-m", "evals", "verdicts"], cwd=REPO, env=env, stdout=out, stderr=err)
            )
    for proc, path in zip(procs, files, strict=True):
        assert proc.wait(timeout=900) == 0, path.with_suffix(".err").read_text()[-2000:]
    return tuple([json.loads(line) for line in path.read_text().splitlines()] for path in files)


@pytest.mark.slow
@pytest.mark.integration
def test_two_fresh_processes_give_identical_verdicts_and_scores_on_the_whole_safety_set(tmp_path):
    first, second = _verdicts_of_two_processes(tmp_path)
    assert len(first) == len(
        [row for row in (REPO / "evals/golden/safety.jsonl").read_text().splitlines() if row.strip()]
    )
    differing = [a["id"] for a, b in zip(first, second, strict=False) if a != b]
    assert not differing, f"verdicts differ between two processes: {differing[:10]}"


@pytest.mark.slow
def test_a_message_is_read_whole_in_float32_and_its_parts_in_int8():
    net = GuardNet()
    whole, parts = "i stopped my tablets. what time do you open on saturday", ["i stopped my tablets", "what time"]
    rows, _ = net.read_message(whole, parts)
    exact, _ = net.read([whole, *parts])
    assert np.abs(rows[0] - exact[0]).max() < 1e-6  # the whole message: the float32 reading itself
    assert 0 < np.abs(rows[1:] - exact[1:]).max() < 0.1  # its parts: int8, close to float32's
    assert np.abs(GuardNet(int8_parts=False).read_message(whole, parts)[0] - exact).max() < 1e-6
