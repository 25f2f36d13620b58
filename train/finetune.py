"""What the project's two fine-tuned classifiers (the guard's reader, train/guard.py; the answer reader's
cross-encoder, train/cross_reader.py) share in training: seeded length-bucketed batches, the saved files,
and the temperature fitted on held-out logits."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import numpy as np

from bot.core.encoder import WEIGHTS


def seed_torch(seed: int, threads: int) -> None:
    """Seed every random source a trainer uses and make torch deterministic on `threads` CPU threads."""
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)


def length_buckets(texts: list[str], size: int, rng: random.Random) -> list[list[int]]:
    """Indexes of `texts` in batches of similar length (little padding: much faster on a CPU), in a seeded
    order."""
    order = sorted(range(len(texts)), key=lambda i: (len(texts[i]), rng.random()))
    groups = [order[i : i + size] for i in range(0, len(order), size)]
    rng.shuffle(groups)
    return groups


def save_weights(network, tokenizer, base: Path, out: Path) -> None:
    """The network's weights in half precision (half the size; serving reads them in float32), its tokenizer
    and the encoder's config.json from `base`. Each trainer writes its own config beside them."""
    from safetensors.torch import save_file

    out.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().to("cpu").half().contiguous() for k, v in network.state_dict().items()}
    save_file(state, str(out / WEIGHTS))
    tokenizer.save_pretrained(str(out))
    shutil.copy(base / "config.json", out / "config.json")


def fit_temperature(logits: np.ndarray, gold: np.ndarray) -> float:
    """The temperature that minimises validation log loss (a grid: deterministic and plenty here)."""

    def nll(t):
        z = logits / t
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return -logp[np.arange(len(gold)), gold].mean()

    return float(min(np.arange(0.5, 3.01, 0.05), key=nll))
