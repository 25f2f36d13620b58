"""What the project's fine-tuned classifiers (the guard's reader, train/guard.py; the answer reader's
cross-encoder, train/cross_reader.py; the approved-answer cross-encoder, train/approved_reader.py) share in
training: seeded length-bucketed batches, the pair-classification loop, the saved files, and the temperature
fitted on held-out logits."""

from __future__ import annotations

import argparse
import json
import random
import shutil
from pathlib import Path

import numpy as np

from bot.core.encoder import WEIGHTS


def fine_tuning_arguments(
    prog: str, doc: str, seed: int, lr: float, max_tokens: int, out: Path, epochs: int = 1, cache: bool = False
) -> argparse.ArgumentParser:
    """The options every fine-tuning trainer takes, with that trainer's defaults (each adds its own after):
    seed, epochs, batch, lr, max tokens, threads, out and, with `cache`, a file to keep the questions read in."""
    p = argparse.ArgumentParser(prog=prog, description=doc.splitlines()[0])
    p.add_argument("--seed", type=int, default=seed)
    p.add_argument("--epochs", type=int, default=epochs)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=lr)
    p.add_argument("--max-tokens", type=int, default=max_tokens)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--out", type=Path, default=out)
    if cache:
        p.add_argument("--cache", type=Path, help="keep the questions read in this JSONL file (and reuse it)")
    return p


def write_report(out: Path, report: dict) -> None:
    """A trainer's report: kept beside the weights (training_report.json) and printed."""
    (Path(out) / "training_report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))


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


def fit_pairs(network, tokenizer, rows: list[tuple[str, int]], args, report_every: int = 0, soft=None):
    """Fine-tune `network` on (text, label) rows with cross-entropy: AdamW (args.lr, weight decay 0.01), a
    10% linear warm-up, args.epochs over length-bucketed batches of args.batch, seeded by args.seed.
    With `soft` (a teacher's logits, one row per text) the loss is half the labels' cross-entropy and half the
    cross-entropy to the teacher's probabilities (distillation: the student learns how sure the teacher is)."""
    import time

    import torch
    from transformers import get_linear_schedule_with_warmup

    optimiser = torch.optim.AdamW(network.parameters(), lr=args.lr, weight_decay=0.01)
    steps = args.epochs * ((len(rows) + args.batch - 1) // args.batch)
    schedule = get_linear_schedule_with_warmup(optimiser, int(0.1 * steps), steps)
    loss_fn, rng, start = torch.nn.CrossEntropyLoss(), random.Random(args.seed), time.time()
    for epoch in range(args.epochs):
        network.train()
        total = 0.0
        for step, group in enumerate(length_buckets([r[0] for r in rows], args.batch, rng)):
            texts, gold = [rows[i][0] for i in group], [rows[i][1] for i in group]
            enc = tokenizer(texts, padding=True, truncation=True, max_length=args.max_tokens, return_tensors="pt")
            out = network(enc["input_ids"], enc["attention_mask"])
            loss = loss_fn(out, torch.tensor(gold))
            if soft is not None:
                taught = torch.softmax(torch.as_tensor(soft[group], dtype=out.dtype), dim=1)
                loss = 0.5 * loss + 0.5 * -(taught * torch.log_softmax(out, dim=1)).sum(1).mean()
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(network.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            total += float(loss.detach()) * len(gold)
            if report_every and step % report_every == 0:
                print(
                    f"  epoch {epoch + 1} step {step}/{steps // args.epochs} ({time.time() - start:.0f} s)", flush=True
                )
        print(
            f"epoch {epoch + 1}/{args.epochs}: loss {total / len(rows):.4f} ({time.time() - start:.0f} s)", flush=True
        )
    return network


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
