"""Fine-tune the guard's reader: python -m train.guard [--epochs 3] [--seed 13] [--out models/guard]

Data (all committed): the guard's labelled examples (bot/data/guard_examples.yml), the safety set's dev split
(evals/golden/safety.jsonl; its test split and the fresh samples in evals/fresh/ are never trained on), the
blind-written messages in train/data/guard/*.jsonl, and the questions of the dev practice clinics
(evals/clinics/, as ordinary questions). Seeded and single-process, so the same data and lock give
the same weights. On this 2-core machine it takes a few minutes.
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import time
from collections import Counter
from pathlib import Path

import numpy as np
import yaml

from bot.embedder import bundled_model_path
from bot.guard import _prepare as prepare
from bot.guard_net import LABELS, WEIGHTS, build_network

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "bot" / "data" / "guard_examples.yml"
SAFETY = REPO / "evals" / "golden" / "safety.jsonl"
BLIND = REPO / "train" / "data" / "guard"
CLINICS = REPO / "evals" / "clinics"
KIND_TO_LABEL = {"crisis": "crisis", "emergency": "emergency", "refused": "refused", "off_topic": "off_topic",
                 "answer": "allowed", "no_answer": "allowed", "allowed": "allowed"}


def load_data() -> tuple[list[tuple[str, str]], dict[str, int]]:
    """(text, label) pairs from every source, first label wins for a repeated text; counts per source."""
    rows, counts = [], Counter()
    examples = yaml.safe_load(EXAMPLES.read_text(encoding="utf-8")) or {}
    for label, texts in examples.items():
        rows += [(str(t), label, "guard_examples.yml") for t in texts or []]
    for line in SAFETY.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["split"] == "dev" and _alone(row.get("history"), row["kind"]) and row["kind"] in KIND_TO_LABEL:
            rows.append((row["message"], KIND_TO_LABEL[row["kind"]], "safety.jsonl (dev)"))
    for path in sorted(BLIND.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line) if line.strip() else None
            if row and _alone(row.get("history"), row.get("label")) and row.get("label") in LABELS:
                rows.append((row["text"], row["label"], path.name))
    rows += _practice_clinic_questions()
    seen, out = set(), []
    for raw, label, source in rows:
        text = prepare(raw)  # what the guard hands the reader at run time
        key = " ".join(text.lower().split())
        if key and key not in seen:
            seen.add(key)
            out.append((text, label))
            counts[source] += 1
    return out, dict(counts)


def _practice_clinic_questions() -> list[tuple[str, str, str]]:
    """Every question of the dev practice clinics is an ordinary patient question (the test clinics are
    never trained on)."""
    dev = (yaml.safe_load((CLINICS / "splits.yml").read_text()) or {}).get("dev") or []
    rows = []
    for clinic in dev:
        for name in ("questions.jsonl", "conversations.jsonl"):
            for line in (CLINICS / clinic / name).read_text(encoding="utf-8").splitlines():
                row = json.loads(line) if line.strip() else {}
                for turn in row.get("turns", [row] if "question" in row else []):
                    rows.append((turn["question"], "allowed", "evals/clinics (dev clinics)"))
    return rows


def _alone(history, label) -> bool:
    """A crisis judged with its history (a "thanks" after a crisis turn) teaches nothing about the message alone."""
    return not (history and label == "crisis")


def split(rows: list[tuple[str, str]], seed: int, share: float = 0.1):
    """A stratified validation share, for the temperature and the card's figures."""
    rng = random.Random(seed)
    train, val = [], []
    for label in LABELS:
        part = [r for r in rows if r[1] == label]
        rng.shuffle(part)
        cut = max(1, int(len(part) * share))
        val += part[:cut]
        train += part[cut:]
    return train, val


def batches(rows, tokenizer, size: int, max_tokens: int, rng: random.Random):
    """Length-bucketed batches in a seeded order (similar lengths pad little: much faster on a CPU)."""
    import torch

    order = sorted(range(len(rows)), key=lambda i: (len(rows[i][0]), rng.random()))
    chunks = [order[i:i + size] for i in range(0, len(order), size)]
    rng.shuffle(chunks)
    for chunk in chunks:
        enc = tokenizer([rows[i][0] for i in chunk], padding=True, truncation=True, max_length=max_tokens,
                        return_tensors="pt")
        yield enc, torch.tensor([LABELS.index(rows[i][1]) for i in chunk])


def logits_for(network, rows, tokenizer, max_tokens: int):
    import torch

    network.eval()
    out = []
    with torch.inference_mode():
        for i in range(0, len(rows), 64):
            enc = tokenizer([r[0] for r in rows[i:i + 64]], padding=True, truncation=True, max_length=max_tokens,
                            return_tensors="pt")
            out.append(network(enc["input_ids"], enc["attention_mask"]).double().numpy())
    return np.concatenate(out) if out else np.zeros((0, len(LABELS)))


def fit_temperature(logits: np.ndarray, gold: np.ndarray) -> float:
    """The temperature that minimises validation log loss (a grid: deterministic and plenty here)."""
    def nll(t):
        z = logits / t
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return -logp[np.arange(len(gold)), gold].mean()
    return float(min(np.arange(0.5, 3.01, 0.05), key=nll))


def train(args) -> dict:
    import torch
    from transformers import AutoTokenizer, get_linear_schedule_with_warmup

    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    rows, sources = load_data()
    train_rows, val_rows = split(rows, args.seed)
    base = bundled_model_path()
    tokenizer = AutoTokenizer.from_pretrained(str(base), local_files_only=True)
    network = build_network(base, len(LABELS), pretrained=True)
    counts = Counter(label for _, label in train_rows)
    weights = torch.tensor([len(train_rows) / (len(LABELS) * counts[label]) for label in LABELS], dtype=torch.float32)
    loss_fn = torch.nn.CrossEntropyLoss(weight=weights)
    optimiser = torch.optim.AdamW(network.parameters(), lr=args.lr, weight_decay=0.01)
    steps = args.epochs * ((len(train_rows) + args.batch - 1) // args.batch)
    schedule = get_linear_schedule_with_warmup(optimiser, int(0.1 * steps), steps)
    rng, start = random.Random(args.seed), time.time()
    for epoch in range(args.epochs):
        network.train()
        total = 0.0
        for enc, gold in batches(train_rows, tokenizer, args.batch, args.max_tokens, rng):
            loss = loss_fn(network(enc["input_ids"], enc["attention_mask"]), gold)
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(network.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            total += float(loss.detach()) * len(gold)
        print(f"epoch {epoch + 1}/{args.epochs}: loss {total / len(train_rows):.4f} ({time.time() - start:.0f} s)", flush=True)
    val_logits = logits_for(network, val_rows, tokenizer, args.max_tokens)
    gold = np.array([LABELS.index(label) for _, label in val_rows])
    temperature = fit_temperature(val_logits, gold)
    figures = _figures(val_logits.argmax(axis=1), gold)
    _save(network, tokenizer, base, Path(args.out), args, temperature)
    return {"sources": sources, "train": dict(Counter(l for _, l in train_rows)), "validation": dict(Counter(l for _, l in val_rows)),
            "temperature": temperature, "validation_figures": figures, "seconds": round(time.time() - start)}


def _figures(pred: np.ndarray, gold: np.ndarray) -> dict:
    out = {"accuracy": round(float((pred == gold).mean()), 4)}
    for i, label in enumerate(LABELS):
        mask = gold == i
        out[f"{label}_recall"] = round(float((pred[mask] == i).mean()), 4) if mask.any() else None
    return out


def _save(network, tokenizer, base: Path, out: Path, args, temperature: float) -> None:
    """Weights in half precision (half the size; the reader runs them in float32), tokenizer and config."""
    from safetensors.torch import save_file

    out.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().to("cpu").half().contiguous() for k, v in network.state_dict().items()}
    save_file(state, str(out / WEIGHTS))
    tokenizer.save_pretrained(str(out))
    shutil.copy(base / "config.json", out / "config.json")
    (out / "guard_config.json").write_text(json.dumps({"labels": list(LABELS), "max_tokens": args.max_tokens,
                                                       "temperature": temperature, "seed": args.seed}, indent=2) + "\n")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m train.guard", description="Fine-tune the guard's reader.")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=5e-5)
    p.add_argument("--max-tokens", type=int, default=256)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--out", default=str(REPO / "models" / "guard"))
    args = p.parse_args(argv)
    report = train(args)
    print(json.dumps(report, indent=2))
    (Path(args.out) / "training_report.json").write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
