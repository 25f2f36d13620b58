"""Train the contact-intent model: python -m train.contact_intent [--seed 7] [--out models/contact_intent]

Data: questions written blind from a brief (train/data/contact/README.md), one JSON object a line:
{"question", "asks": [phone|hours|address|booking ...], "clinic"}. The train split (train/data/contact/train/)
fits one logistic layer per detail over the bundled embedder's question vectors; the dev split
(train/data/contact/dev/) chooses each detail's threshold, the lowest with no dev question given a detail it
does not ask for, plus MARGIN, and C: the one giving the most dev details with none wrong. The test set
(evals/approved/profile/, other clinics) is never read here; `python -m evals.approved` measures it.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from bot.clinic.contact import CONFIG, DETAILS, MODEL_DIR, WEIGHTS, ContactIntent, intent_text
from bot.retrieve.embedder import Embedder

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "train" / "data" / "contact"
MARGIN = 0.05  # a question worded a little differently from the closest wrong dev question must not cross
STRENGTHS = (1.0, 4.0, 16.0, 64.0)  # the inverse regularisation strengths tried (sklearn's C)


def read(folder: Path) -> list[dict]:
    """Every labelled question of a folder's JSONL files."""
    rows = [json.loads(line) for f in sorted(folder.glob("*.jsonl")) for line in f.read_text().splitlines()]
    for row in rows:
        unknown = set(row["asks"]) - set(DETAILS)
        if unknown:
            raise ValueError(f"unknown detail {sorted(unknown)} in {row['question']!r}")
    return rows


def targets(rows: list[dict]) -> np.ndarray:
    """[questions, details] 0/1: which details each question asks for."""
    return np.array([[d in row["asks"] for d in DETAILS] for row in rows], dtype=np.int64)


def fit(vectors: np.ndarray, labels: np.ndarray, strength: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """One logistic regression per detail; (weight [details, width], bias [details])."""
    from sklearn.linear_model import LogisticRegression

    weight, bias = [], []
    for j in range(labels.shape[1]):
        model = LogisticRegression(C=strength, max_iter=2000, random_state=seed).fit(vectors, labels[:, j])
        weight.append(model.coef_[0])
        bias.append(model.intercept_[0])
    return np.asarray(weight, dtype=np.float32), np.asarray(bias, dtype=np.float32)


def calibrate(probs: np.ndarray, labels: np.ndarray) -> list[float]:
    """Per detail, the lowest threshold (steps of 0.01) at which no dev question that does not ask for it gets
    it, plus MARGIN (at most 0.99)."""
    out = []
    for j in range(labels.shape[1]):
        wrong = probs[labels[:, j] == 0, j]
        floor = float(np.ceil(round((wrong.max() if len(wrong) else 0.0) * 100, 6)) / 100)
        out.append(round(min(max(floor, 0.5) + MARGIN, 0.99), 3))
    return out


def outcome(probs: np.ndarray, labels: np.ndarray, thresholds: list[float]) -> dict:
    """Details rightly given (of those asked for) and wrongly given (to questions not asking for them)."""
    given = probs >= np.asarray(thresholds)
    return {
        "right": int((given & (labels == 1)).sum()),
        "asked": int(labels.sum()),
        "wrong": int((given & (labels == 0)).sum()),
        "questions": len(labels),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    args = parser.parse_args()
    start = time.time()
    train, dev = read(DATA / "train"), read(DATA / "dev")
    embedder = Embedder()
    # each question read as served: the clinic it was written for is its own name
    read_as = [[intent_text(r["question"], r.get("clinic", "")) for r in rows] for rows in (train, dev)]
    x_train, x_dev = (embedder.embed(texts) for texts in read_as)
    y_train, y_dev = targets(train), targets(dev)
    tried = []
    for strength in STRENGTHS:
        weight, bias = fit(x_train, y_train, strength, args.seed)
        probs = ContactIntent(weight, bias, ()).probabilities(x_dev)  # as the bot reads them
        thresholds = calibrate(probs, y_dev)
        got = outcome(probs, y_dev, thresholds)
        print(f"C={strength:<5} dev {got}  thresholds {thresholds}")
        if got["wrong"] == 0:  # the 0.99 cap can leave a wrong one: that strength is out
            tried.append((got["right"], -strength, strength, weight, bias, thresholds))
    _, _, strength, weight, bias, thresholds = max(tried, key=lambda t: t[:2])
    save(args.out, weight, bias, thresholds, strength, args.seed, len(train), len(dev), embedder.name)
    print(f"chose C={strength}; wrote {args.out} in {time.time() - start:.0f} s")
    return 0


def save(out: Path, weight, bias, thresholds, strength, seed, n_train, n_dev, embedder_name) -> None:
    from safetensors.numpy import save_file

    out.mkdir(parents=True, exist_ok=True)
    save_file({"weight": weight, "bias": bias}, str(out / WEIGHTS))
    config = {
        "details": list(DETAILS),
        "thresholds": dict(zip(DETAILS, thresholds, strict=True)),
        "C": strength,
        "seed": seed,
        "train_questions": n_train,
        "dev_questions": n_dev,
        "embedder": embedder_name,
    }
    (out / CONFIG).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
