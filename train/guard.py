"""Fine-tune the guard's reader: python -m train.guard [--epochs 3] [--seed 13] [--out models/guard]

Data (all committed): the guard's labelled examples (bot/guard/data/guard_examples.yml), the safety set's dev split
(evals/golden/safety.jsonl; its test split is never trained on), the blind-written messages in
train/data/guard/*.jsonl, with `--spent FILE...` fresh samples of evals/fresh/ already measured (the ones still to
be measured never), and the questions of the dev practice clinics
(evals/clinics/) and of the answer reader's training clinics (train/data/reader/clinics/), as ordinary
questions. With `--parts N` (off by default; candidate v15 used 3,000), pieces of the longer training messages that
are neither crisis nor emergency are trained on alone too, labelled as their message, since the guard reads each
sentence of a message alone. With `--labelled-parts`, the pieces of crisis and emergency training messages that a
blind annotator judged to say the danger alone (train/data/guard/parts/*.jsonl) are trained on too, labelled as
their message. Seeded and
single-process, so the same data and lock give the same weights. On this 2-core
machine it takes one to two hours (6,864 s for v5 while sharing the cores with other jobs).

After fine-tuning, topic heads are fitted on the messages whose writers named their kind (the `category` of
train/data/guard/*.jsonl): among crises, eating-disorder risk or not; among refusals, a request to act as the
clinician (read results, diagnose, change a treatment plan) or not. Each gets its own reply.
`--topics-only` refits the heads over the weights already in --out (seconds, not minutes).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from collections import Counter
from pathlib import Path

import numpy as np
import yaml

from bot.core.classifier import build_network
from bot.guard import text as guard_text
from bot.guard.net import LABELS, GuardNet, Topic
from bot.guard.verdict import GuardConfig
from bot.guard.wording import prepare
from bot.retrieve.embedder import bundled_model_path
from train.finetune import fit_temperature, length_buckets, save_weights

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "bot" / "guard" / "data" / "guard_examples.yml"
SAFETY = REPO / "evals" / "golden" / "safety.jsonl"
BLIND = REPO / "train" / "data" / "guard"
PARTS = BLIND / "parts"
CLINICS = REPO / "evals" / "clinics"
READER_CLINICS = REPO / "train" / "data" / "reader" / "clinics"
BLIND_CLINICS = REPO / "train" / "data" / "reader" / "blind"
BLIND_ALLOWED_CAP = 40  # ordinary questions taken from each blind practice clinic (see _blind_clinic_messages)
# Topic heads: (the label whose messages they sort, the writer's categories that name the topic). A category that
# names eating-disorder risk: "eating_disorder", "crisis_eating_disorder", "ed_purging"; one that asks the bot to
# act as the clinician: "interpret_own_results", "change_dialysis_time", "diagnose_symptoms", "write_referral".
TOPICS = {
    "eating_disorder": ("crisis", re.compile(r"(^|_)(ed|eating)(_|$)")),
    "clinician_role": (
        "refused",
        re.compile(
            r"(^|_)(interpret|change|diagnose|stop|skip|order|write|sign|approve|authorize|treatment|taper|extend"
            r"|add|plan|prescribe|continue|role)(_|$)"
        ),
    ),
}
KIND_TO_LABEL = {
    "crisis": "crisis",
    "emergency": "emergency",
    "refused": "refused",
    "off_topic": "off_topic",
    "answer": "allowed",
    "no_answer": "allowed",
    "allowed": "allowed",
    "support": "support",
}


def load_data(spent: tuple[Path, ...] = ()) -> tuple[list[tuple[str, str, str]], dict[str, int]]:
    """(text, label, category) rows from every source, first label wins for a repeated text; counts per source.
    `category` is what a blind writer called a crisis or a refusal (for the topic heads), else "". `spent`: fresh
    samples (evals/fresh/, writer format) already measured, trained on as blind-written messages."""
    rows, counts = [], Counter()
    examples = yaml.safe_load(EXAMPLES.read_text(encoding="utf-8")) or {}
    for label, texts in examples.items():
        rows += [(str(t), label, "", "guard_examples.yml") for t in texts or []]
    for line in SAFETY.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["split"] == "dev" and _alone(row.get("history"), row["kind"]) and row["kind"] in KIND_TO_LABEL:
            rows.append((row["message"], KIND_TO_LABEL[row["kind"]], "", "safety.jsonl (dev)"))
    for path in [*sorted(BLIND.glob("*.jsonl")), *spent]:
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line) if line.strip() else None
            if row and _alone(row.get("history"), row.get("label")) and row.get("label") in LABELS:
                rows.append((row["text"], row["label"], _topic(row), path.name))
    rows += _practice_clinic_questions()
    rows += _blind_clinic_messages()
    seen, out = set(), []
    for raw, label, topic, source in rows:
        text = prepare(raw)  # what the guard hands the reader at run time
        key = _key(text)
        if key and key not in seen:
            seen.add(key)
            out.append((text, label, topic))
            counts[source] += 1
    return out, dict(counts)


def _key(text: str) -> str:
    """What two training texts must share to be one: lowercased, whitespace collapsed."""
    return " ".join(text.lower().split())


def _topic(row: dict) -> str:
    """The category a blind writer gave a message of a label some topic head sorts ("" when none or not said)."""
    if row.get("label") not in {label for label, _ in TOPICS.values()}:
        return ""
    return str(row.get("category") or "")


def _practice_clinic_questions() -> list[tuple[str, str, str]]:
    """Every question of the dev practice clinics and of the reader's training clinics is an ordinary
    patient question (the test clinics are never trained on)."""
    dev = (yaml.safe_load((CLINICS / "splits.yml").read_text()) or {}).get("dev") or []
    folders = [(CLINICS / c, "evals/clinics (dev clinics)") for c in dev]
    folders += [(f, "train/data/reader/clinics") for f in sorted(READER_CLINICS.iterdir()) if f.is_dir()]
    return [(turn["question"], "allowed", "", source) for folder, source in folders for turn in _turns(folder)]


def _blind_clinic_messages(allowed_cap: int = BLIND_ALLOWED_CAP) -> list[tuple[str, str, str, str]]:
    """Messages to the reader's blind practice clinics outside their test split, with the kind its writer gave
    it: questions the articles answer or not are ordinary (allowed); requests to act as the clinician and harmful
    ones are refused; a crisis in the specialty's words is a crisis. The test clinics are never read.

    Each clinic gives at most `allowed_cap` ordinary questions (a seeded sample per clinic): all 7,341 of them
    outnumbered every crisis message four to one and taught a worried patient's words as ordinary (the v6
    candidate missed passive ideation on the safety set); a few dozen per specialty teach its vocabulary."""
    test = set((yaml.safe_load((BLIND_CLINICS / "splits.yml").read_text()) or {}).get("test") or [])
    source = "train/data/reader/blind (train clinics)"
    rows = []
    for folder in sorted(f for f in BLIND_CLINICS.iterdir() if f.is_dir() and f.name not in test):
        clinic = []
        for turn in _turns(folder):
            label = KIND_TO_LABEL.get(turn.get("kind"), "")
            if label:
                clinic.append(
                    (turn["question"], label, _topic({"label": label, "category": turn.get("category")}), source)
                )
        ordinary = [row for row in clinic if row[1] == "allowed"]
        keep = set(random.Random(folder.name).sample(range(len(ordinary)), min(allowed_cap, len(ordinary))))
        rows += [row for row in clinic if row[1] != "allowed"] + [r for i, r in enumerate(ordinary) if i in keep]
    return rows


def _turns(folder: Path):
    """Every question a practice clinic's folder holds: single questions and each turn of its conversations."""
    for name in ("questions.jsonl", "conversations.jsonl"):
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            row = json.loads(line) if line.strip() else {}
            yield from row.get("turns", [row] if "question" in row else [])


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


def parts_of(rows: list[tuple[str, str, str]], cap: int, seed: int) -> list[tuple[str, str, str]]:
    """Up to `cap` pieces of longer messages that are neither crisis nor emergency, as the guard cuts them at run
    time (bot/guard/decide.py reads each sentence alone), each labelled as its message was: a piece of an ordinary
    question, a refusal or a worry is not a crisis on its own ("probably nothing right", "want to have fun not fix
    my head"). Pieces of a crisis or an emergency are left out: which piece holds the danger is not known."""
    known = {_key(r[0]) for r in rows}
    stretch = GuardConfig().stretch_words
    pieces = []
    for text, label, _topic in rows:
        if label in ("crisis", "emergency"):
            continue
        cut = guard_text.sentences(text)
        if len(cut) <= 1:
            cut = guard_text.stretches(text, stretch)
        for piece in cut if len(cut) > 1 else []:
            key = _key(piece)
            if key and key not in known:
                known.add(key)
                pieces.append((piece, label, ""))
    random.Random(seed).shuffle(pieces)
    return pieces[:cap]


def labelled_parts(train_rows: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """Pieces of crisis and emergency messages that a blind annotator judged to say the danger alone
    (PARTS/*.jsonl rows: message, part, label, judged), labelled as their message ("everyone would be better off
    if i was gone"), for messages in the training share only: validation figures are not read from their own
    pieces. Pieces judged ordinary or unclear are left out."""
    trained = {_key(r[0]) for r in train_rows}
    out, seen = [], set(trained)
    for path in sorted(PARTS.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line) if line.strip() else None
            if not row or _key(prepare(row["message"])) not in trained:
                continue
            piece = prepare(row["part"])
            key = _key(piece)
            # only pieces judged to say the danger: with the ordinary ones of crisis messages as allowed too, v17b
            # learned goodbyes as ordinary ("thanks for everything. this is the last time youll hear from me")
            if key and key not in seen and row.get("judged") == "danger" and row["label"] in LABELS:
                seen.add(key)
                out.append((piece, row["label"], ""))
    return out


def batches(rows, tokenizer, size: int, max_tokens: int, rng: random.Random):
    """Tokenized, length-bucketed batches of (text, label) rows in a seeded order, with their label indexes."""
    import torch

    for group in length_buckets([r[0] for r in rows], size, rng):
        enc = tokenizer(
            [rows[i][0] for i in group], padding=True, truncation=True, max_length=max_tokens, return_tensors="pt"
        )
        yield enc, torch.tensor([LABELS.index(rows[i][1]) for i in group])


def logits_for(network, rows, tokenizer, max_tokens: int):
    import torch

    network.eval()
    out = []
    with torch.inference_mode():
        for i in range(0, len(rows), 64):
            enc = tokenizer(
                [r[0] for r in rows[i : i + 64]],
                padding=True,
                truncation=True,
                max_length=max_tokens,
                return_tensors="pt",
            )
            out.append(network(enc["input_ids"], enc["attention_mask"]).double().numpy())
    return np.concatenate(out) if out else np.zeros((0, len(LABELS)))


def train(args) -> dict:
    import torch
    from transformers import AutoTokenizer, get_linear_schedule_with_warmup

    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    rows, sources = load_data(tuple(args.spent))
    train_rows, val_rows = split(rows, args.seed)
    fragments = parts_of(train_rows, args.parts, args.seed)
    if args.labelled_parts:
        fragments += labelled_parts(train_rows)
    base = bundled_model_path()
    tokenizer = AutoTokenizer.from_pretrained(str(base), local_files_only=True)
    network = build_network(base, len(LABELS), pretrained=True)
    # balanced over everything trained on: pieces of ordinary messages alone would tilt the loss away from crisis
    counts = Counter(r[1] for r in train_rows + fragments)
    total = len(train_rows) + len(fragments)
    weights = torch.tensor([total / (len(LABELS) * counts[label]) for label in LABELS], dtype=torch.float32)
    loss_fn = torch.nn.CrossEntropyLoss(weight=weights)
    optimiser = torch.optim.AdamW(network.parameters(), lr=args.lr, weight_decay=0.01)
    steps = args.epochs * ((len(train_rows) + len(fragments) + args.batch - 1) // args.batch)
    schedule = get_linear_schedule_with_warmup(optimiser, int(0.1 * steps), steps)
    rng, start = random.Random(args.seed), time.time()
    for epoch in range(args.epochs):
        network.train()
        total = 0.0
        for enc, gold in batches(train_rows + fragments, tokenizer, args.batch, args.max_tokens, rng):
            loss = loss_fn(network(enc["input_ids"], enc["attention_mask"]), gold)
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(network.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            total += float(loss.detach()) * len(gold)
        print(
            f"epoch {epoch + 1}/{args.epochs}: loss {total / (len(train_rows) + len(fragments)):.4f}"
            f" ({time.time() - start:.0f} s)",
            flush=True,
        )
    val_logits = logits_for(network, val_rows, tokenizer, args.max_tokens)
    gold = np.array([LABELS.index(r[1]) for r in val_rows])
    temperature = fit_temperature(val_logits, gold)
    figures = _figures(val_logits.argmax(axis=1), gold)
    _save(network, tokenizer, base, Path(args.out), args, temperature)
    topics = fit_topics(Path(args.out), train_rows, val_rows)
    return {
        "sources": sources,
        "train": dict(Counter(r[1] for r in train_rows)),
        "parts": dict(Counter(r[1] for r in fragments)),
        "validation": dict(Counter(r[1] for r in val_rows)),
        "temperature": temperature,
        "validation_figures": figures,
        "topic_figures": topics,
        "seconds": round(time.time() - start),
    }


def fit_topics(out: Path, train_rows, val_rows) -> dict:
    """Fit each topic head on the rows of its label whose writers named their kind, over the pooled vectors of
    the weights as saved (half precision, read back in float32: what the guard sees at run time), store them in
    guard_config.json, and return their figures on the validation share."""

    net = GuardNet(out, int8_parts=False)  # the heads read the whole message, which the guard reads in float32
    heads, figures = {}, {}
    for name, (label, pattern) in TOPICS.items():
        fit = [r for r in train_rows if r[1] == label and r[2]]
        held = [r for r in val_rows if r[1] == label and r[2]]
        x = _pooled(net, [r[0] for r in fit])
        y = np.array([bool(pattern.search(r[2])) for r in fit], dtype=np.float64)
        weights, bias = logistic_fit(x, y)
        heads[name] = {"weights": [round(float(w), 6) for w in weights], "bias": round(float(bias), 6)}
        vx, vy = _pooled(net, [r[0] for r in held]), np.array([bool(pattern.search(r[2])) for r in held])
        said = Topic(weights, bias).probability(vx) >= 0.5 if len(held) else np.zeros(0, dtype=bool)
        figures[name] = {
            "fitted_on": {name: int(y.sum()), f"other {label}": int(len(y) - y.sum())},
            "validation": {
                name: int(vy.sum()),
                f"other {label}": int(len(vy) - vy.sum()),
                "found": int((said & vy).sum()),
                "others_read_as_it": int((said & ~vy).sum()),
            },
        }
    config_path = out / "guard_config.json"
    config = json.loads(config_path.read_text())
    config["topics"] = heads
    config_path.write_text(json.dumps(config, indent=2) + "\n")
    return figures


def _pooled(net, texts: list[str]) -> np.ndarray:
    """The guard network's pooled vectors as the answering process computes them (bot/core/encoder.py)."""
    if not texts:
        return np.zeros((0, 384))
    return np.concatenate(
        [net.encoder.mean_pooled(texts[i : i + 64]).astype(np.float64) for i in range(0, len(texts), 64)]
    )


def logistic_fit(x: np.ndarray, y: np.ndarray, l2: float = 0.1, steps: int = 30) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression by Newton's method: deterministic, no learning rate to pick.
    Unweighted on purpose: the classes keep their natural shares, so a crisis is called eating-disorder
    risk only when that is the likelier reading (the general reply is the safe default)."""
    n, d = x.shape
    xb = np.hstack([x, np.ones((n, 1))])
    penalty = np.eye(d + 1) * l2
    penalty[d, d] = 0.0  # the intercept is not shrunk
    w = np.zeros(d + 1)
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(xb @ w)))
        grad = xb.T @ (p - y) + penalty @ w
        hess = (xb * (p * (1 - p))[:, None]).T @ xb + penalty
        w -= np.linalg.solve(hess, grad)
    return w[:d], float(w[d])


def _figures(pred: np.ndarray, gold: np.ndarray) -> dict:
    out = {"accuracy": round(float((pred == gold).mean()), 4)}
    for i, label in enumerate(LABELS):
        mask = gold == i
        out[f"{label}_recall"] = round(float((pred[mask] == i).mean()), 4) if mask.any() else None
    return out


def _save(network, tokenizer, base: Path, out: Path, args, temperature: float) -> None:
    """The weights and tokenizer (train.finetune.save_weights) and the guard's config."""
    save_weights(network, tokenizer, base, out)
    (out / "guard_config.json").write_text(
        json.dumps(
            {"labels": list(LABELS), "max_tokens": args.max_tokens, "temperature": temperature, "seed": args.seed},
            indent=2,
        )
        + "\n"
    )


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m train.guard", description="Fine-tune the guard's reader.")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=5e-5)
    p.add_argument("--max-tokens", type=int, default=256)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument(
        "--parts", type=int, default=0, help="pieces of longer non-crisis messages trained on alone (v15: 3000)"
    )
    p.add_argument(
        "--labelled-parts", action="store_true", help="pieces of crisis and emergency messages judged alone (PARTS)"
    )
    p.add_argument(
        "--spent",
        nargs="*",
        type=Path,
        default=[],
        help="fresh samples already measured (evals/fresh/*.jsonl) to train on too",
    )
    p.add_argument("--out", default=str(REPO / "models" / "guard"))
    p.add_argument("--topics-only", action="store_true", help="refit only the topic heads over the weights in --out")
    args = p.parse_args(argv)
    missing = [str(path) for path in args.spent if not path.is_file()]
    if missing:
        p.error(f"--spent: no such sample file: {', '.join(missing)}")
    if args.topics_only:
        rows, _ = load_data(tuple(args.spent))
        print(json.dumps(fit_topics(Path(args.out), *split(rows, args.seed)), indent=2))
        return 0
    report = train(args)
    print(json.dumps(report, indent=2))
    (Path(args.out) / "training_report.json").write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
