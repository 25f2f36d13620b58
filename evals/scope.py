"""Where "near the served articles" starts (bot/guard/scope.py NEAR), measured: python -m evals scope

Each dev practice clinic and the clinic's own corpus is indexed on its own; its patients' questions
(answerable or not, first turns) are compared with its own chunks, and so are the off-topic messages of
the guard's training data (the same messages against every index). Printed: how the two spread, and the
cut with the best balanced accuracy among those that keep at least MIN_IN_SCOPE of the questions in
scope (a patient's question sent off topic is a failure; an off-topic message let through costs an
"the articles don't cover that"). Test clinics are never read here.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import yaml

from bot.guard.scope import NEAR, nearest
from bot.retrieve.embedder import Embedder
from evals.practice import clinics, scratch_index
from evals.sets import GOLDEN, load_cases

REPO = Path(__file__).resolve().parents[1]
MIN_IN_SCOPE = 0.97


def off_topic_messages() -> list[str]:
    """Every message the guard's training data labels off topic (examples, safety dev split, blind-written)."""
    examples = (
        yaml.safe_load((REPO / "bot" / "guard" / "data" / "guard_examples.yml").read_text(encoding="utf-8")) or {}
    )
    texts = [str(t) for t in examples.get("off_topic") or []]
    texts += [c.question for c in load_cases(GOLDEN / "safety.jsonl") if c.split == "dev" and c.kind == "off_topic"]
    for path in sorted((REPO / "train" / "data" / "guard").glob("*.jsonl")):
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        texts += [r["text"] for r in rows if r.get("label") == "off_topic" and not r.get("history")]
    return list(dict.fromkeys(texts))


def corpora() -> list[tuple[str, Path, list[str]]]:
    """(name, articles folder, questions) for each dev practice clinic and the clinic's own golden dev split."""

    out = []
    for clinic in clinics():
        if clinic.split == "dev":
            asked = [c.question for c in clinic.cases() if c.kind in ("answer", "no_answer") and not c.history]
            out.append((clinic.name, clinic.folder / "articles", asked))
    golden = [c.question for c in load_cases(GOLDEN / "answers.jsonl") if c.split == "dev"]
    out.append(("golden", REPO / "corpus", golden))
    return out


def measure(settings, embedder) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Nearest-chunk similarities of in-scope questions and of off-topic messages, pooled over every index,
    with a line of figures per index."""

    off_vectors = embedder.embed(off_topic_messages())
    inside, outside, lines = [], [], []
    for name, articles, asked in corpora():
        with scratch_index(name, articles, settings, embedder) as (_, store):
            chunks = store.load(store.live()).chunk_vectors
        ins = np.array([nearest(v, chunks) for v in embedder.embed(asked)])
        outs = np.array([nearest(v, chunks) for v in off_vectors])
        lines.append(
            f"{name:<16} questions {len(ins):>4}: median {np.median(ins):.2f}, 5th pct {np.percentile(ins, 5):.2f} | "
            f"off topic {len(outs)}: median {np.median(outs):.2f}, 95th pct {np.percentile(outs, 95):.2f} | "
            f"at NEAR={NEAR:.2f}: questions in {np.mean(ins >= NEAR):.3f}, off topic out {np.mean(outs < NEAR):.3f}"
        )
        inside.append(ins)
        outside.append(outs)
    return np.concatenate(inside), np.concatenate(outside), lines


def best_cut(inside: np.ndarray, outside: np.ndarray) -> tuple[float, float]:
    """The cut with the best balanced accuracy that keeps at least MIN_IN_SCOPE of the questions in scope."""
    best = (0.0, 0.0)
    for cut in np.round(np.arange(0.05, 0.80, 0.01), 2):
        if np.mean(inside >= cut) < MIN_IN_SCOPE:
            break
        score = (np.mean(inside >= cut) + np.mean(outside < cut)) / 2
        if score > best[1] + 1e-9:
            best = (float(cut), float(score))
    return best


def main(settings) -> int:

    inside, outside, lines = measure(settings, Embedder.served())
    print("\n".join(lines))
    cut, score = best_cut(inside, outside)
    print(
        f"all: questions in scope at NEAR={NEAR:.2f}: {np.mean(inside >= NEAR):.3f}; off topic out: "
        f"{np.mean(outside < NEAR):.3f}"
    )
    print(
        f"best cut keeping >= {MIN_IN_SCOPE:.0%} of questions in scope: {cut:.2f} (balanced accuracy {score:.3f}; "
        f"questions in {np.mean(inside >= cut):.3f}, off topic out {np.mean(outside < cut):.3f})"
    )
    return 0
