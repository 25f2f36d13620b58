"""Train the approved-answer cross-encoder: python -m train.approved_reader [--seed 29] [--out models/approved_reader]

Data: practice clinics written blind from a brief (train/data/approved/: each clinic's approved answers,
`<clinic>.yml`, and the questions patients type, `<clinic>.jsonl`: paraphrases of an answer's question, near
misses that share its words but ask something it does not answer, and other questions of the specialty). The
dev and test clinics of evals/approved/clinics/ are never read here. Every question is shortlisted as the bot
shortlists it (bot.clinic.approved.ApprovedAnswers.shortlist); each shortlisted answer is a pair, labelled
"answers" only for the answer a paraphrase was written for. Starts from the reader's cross-encoder
(models/cross_reader), which already reads a question with a candidate answer; seeded; torch on the CPU.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from bot.answer.reader.cross import CONFIG
from bot.answer.reader.cross import MODEL_DIR as CROSS_DIR
from bot.clinic.approved import MODEL_DIR, ApprovedAnswers, approved_pair
from bot.core.classifier import build_network
from bot.retrieve.embedder import Embedder
from evals.approved import PracticeClinic, read_clinic
from train.finetune import fine_tuning_arguments, fit_pairs, save_weights, seed_torch, write_report

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "train" / "data" / "approved"


def read_clinics(folder: Path, names: list[str] | None = None) -> list[PracticeClinic]:
    """Every clinic of a folder, or the named ones."""
    ymls = sorted(folder.glob("*.yml")) if names is None else [folder / f"{n}.yml" for n in names]
    return [read_clinic(y) for y in ymls if y.with_suffix(".jsonl").exists()]


def clinic_pairs(clinic: PracticeClinic, embedder) -> list[tuple[str, int]]:
    """(pair text, 1 if it answers) for every question and every answer the bot would shortlist for it. The
    answer a paraphrase was written for is added when the shortlist misses it, so the model always sees it."""
    answers = ApprovedAnswers(clinic.entries, embedder)
    rows = []
    for row in clinic.questions:
        near = answers.shortlist(row["question"])
        expect = row.get("expect")
        if expect and all(e.id != expect for e, _, _ in near):
            entry = next(e for e in clinic.entries if e.id == expect)
            near.append((entry, entry.questions[0], 0.0))
        rows += [(approved_pair(row["question"], listed, e), int(e.id == expect)) for e, listed, _ in near]
    return rows


def fit(rows: list[tuple[str, int]], args):
    """Fine-tune the reader's cross-encoder on the pairs; returns the network and its tokenizer."""
    from safetensors.torch import load_file
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(CROSS_DIR), local_files_only=True)
    network = build_network(CROSS_DIR, 2, pretrained=False)
    network.load_state_dict({k: v.float() for k, v in load_file(str(CROSS_DIR / "model.safetensors")).items()})
    return fit_pairs(network, tokenizer, rows, args), tokenizer


def main(argv: list[str] | None = None) -> int:
    p = fine_tuning_arguments("python -m train.approved_reader", __doc__, 29, 3e-5, 128, MODEL_DIR, 2)
    p.add_argument("--data", type=Path, default=DATA)
    args = p.parse_args(argv)
    seed_torch(args.seed, args.threads)
    start, embedder = time.time(), Embedder()
    clinics = read_clinics(args.data)
    rows = [r for c in clinics for r in clinic_pairs(c, embedder)]
    print(f"{len(rows)} pairs ({sum(y for _, y in rows)} answering) from {len(clinics)} clinics", flush=True)
    network, tokenizer = fit(rows, args)
    save_weights(network, tokenizer, CROSS_DIR, args.out)
    config = {"max_tokens": args.max_tokens, "temperature": 1.0, "seed": args.seed}
    (args.out / CONFIG).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    report = {
        "seed": args.seed,
        "clinics": [c.name for c in clinics],
        "questions": sum(len(c.questions) for c in clinics),
        "pairs": len(rows),
        "answering_pairs": sum(y for _, y in rows),
        "seconds": round(time.time() - start),
    }
    write_report(args.out, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
