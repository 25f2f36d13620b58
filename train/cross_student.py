"""Distil the reader's cross-encoder into a shallower student: python -m train.cross_student [--layers 3]
[--seed 23] [--cache FILE] [--start DIR] [--out models/cross_student]

Why: the cross-encoder (models/cross_reader, 6 layers) is the largest cost of an answer; a student with half
its layers reads the same pairs in about half the time. Data: the teacher's (train.cross_reader: the blind
practice clinics' train split, the same five clinics held back, chosen by the same seed), each question
retrieved as the bot retrieves it today. The student starts from the teacher itself, keeping evenly spaced
layers (the last one always, as the head reads it), and learns from both the labels and the teacher's
probabilities on each pair (the teacher as served, int8). With --start it continues from an earlier student
instead (more clinics, without paying again for the epochs it already had). Seeded; torch on the CPU.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from pathlib import Path

import numpy as np

from bot.answer.reader.cross import CONFIG, STUDENT_DIR, CrossReader
from bot.answer.reader.cross import MODEL_DIR as TEACHER_DIR
from bot.core.classifier import build_network
from bot.core.settings import Settings
from bot.retrieve.embedder import Embedder
from train.cross_reader import chosen_pairs, cross_training_clinics, figures, held_back, read_all, set_temperature
from train.finetune import fine_tuning_arguments, fit_pairs, fit_temperature, save_weights, seed_torch, write_report


def kept_layers(teacher: int, student: int) -> list[int]:
    """Evenly spaced teacher layers for a student of `student` layers, ending with the teacher's last."""
    return sorted({round((i + 1) * teacher / student) - 1 for i in range(student)})


def teacher_layers() -> int:
    """How many encoder layers the teacher has (its config.json)."""
    return int(json.loads((TEACHER_DIR / "config.json").read_text(encoding="utf-8"))["num_hidden_layers"])


def student_network(layers: int):
    """The teacher's network with only `layers` of its encoder layers, and the teacher's tokenizer."""
    import torch

    network, tokenizer = saved_network(TEACHER_DIR)
    stack = network.encoder.encoder.layer
    network.encoder.encoder.layer = torch.nn.ModuleList(stack[i] for i in kept_layers(len(stack), layers))
    network.encoder.config.num_hidden_layers = layers
    return network, tokenizer


def saved_network(folder: Path):
    """A cross-encoder saved by these trainers (the teacher, or a student to train further), in float32, with its
    tokenizer; its own config.json says how many layers."""
    from safetensors.torch import load_file
    from transformers import AutoTokenizer

    for name in ("config.json", "model.safetensors"):
        if not (folder / name).exists():
            raise SystemExit(f"{folder}: no {name} there (a cross-encoder saved by train.cross_reader or this command)")
    network = build_network(folder, 2, pretrained=False)
    network.load_state_dict({k: v.float() for k, v in load_file(str(folder / "model.safetensors")).items()})
    return network, AutoTokenizer.from_pretrained(str(folder), local_files_only=True)


def teacher_logits(teacher: CrossReader, texts: list[str], cache: Path | None) -> np.ndarray:
    """The teacher's logits on every training pair; with `cache`, kept beside the questions read (a JSONL file
    of pair digest and logits), since the teacher reads about 70 pairs a second: a later run reads only the
    pairs it has not seen."""
    kept_file = cache.with_suffix(".teacher.jsonl") if cache else None
    kept = {}
    if kept_file and kept_file.exists():
        kept = dict(json.loads(line) for line in kept_file.read_text(encoding="utf-8").splitlines())
    digest = lambda t: hashlib.sha256(t.encode()).hexdigest()[:20]  # noqa: E731
    missing = sorted({t for t in texts if digest(t) not in kept})
    if missing:
        fresh = teacher.logits(missing)
        rows = {digest(t): [float(x) for x in z] for t, z in zip(missing, fresh, strict=True)}
        kept.update(rows)
        if kept_file:
            with kept_file.open("a", encoding="utf-8") as out:
                out.write("".join(json.dumps([k, v]) + "\n" for k, v in rows.items()))
    return np.asarray([kept[digest(t)] for t in texts], dtype=np.float32)


def save(network, tokenizer, out: Path, args) -> None:
    """Weights, tokenizer, an encoder config that says how many layers, and the cross-encoder's config."""
    save_weights(network, tokenizer, TEACHER_DIR, out)
    config = json.loads((out / "config.json").read_text(encoding="utf-8"))
    (out / "config.json").write_text(json.dumps({**config, "num_hidden_layers": args.layers}, indent=2) + "\n")
    mine = {"max_tokens": args.max_tokens, "temperature": 1.0, "seed": args.seed, "layers": args.layers}
    (out / CONFIG).write_text(json.dumps(mine, indent=2) + "\n", encoding="utf-8")


def agreement(asked, student: CrossReader, teacher: CrossReader) -> dict:
    """On held-back questions, over the candidates read when serving: how often student and teacher pick the
    same best candidate, how far apart their best P(answers) are, and how well each one's best P(answers)
    tells answerable questions from uncovered ones (AUC: what answerability reads it for)."""
    same, gaps, best = [], [], {"student": [], "teacher": []}
    served = [x.served() for x in asked]
    for a in served:
        s, t = student.probabilities(a.pairs), teacher.probabilities(a.pairs)
        same.append(int(np.argmax(s)) == int(np.argmax(t)))
        gaps.append(abs(float(s.max()) - float(t.max())))
        best["student"].append(float(s.max()))
        best["teacher"].append(float(t.max()))
    answerable = np.asarray([a.kind == "answer" for a in served])
    return {
        "questions": len(same),
        "same_best_candidate": round(float(np.mean(same)), 3),
        "median_best_p_gap": round(float(np.median(gaps)), 3),
        **{f"auc_best_p_{k}": round(auc(np.asarray(v), answerable), 3) for k, v in best.items()},
    }


def auc(scores: np.ndarray, positive: np.ndarray) -> float:
    """P(a positive scores above a negative), ties counted half."""
    pos, neg = scores[positive], scores[~positive]
    if not len(pos) or not len(neg):
        return float("nan")
    return float(((pos[:, None] > neg[None]).sum() + 0.5 * (pos[:, None] == neg[None]).sum()) / (len(pos) * len(neg)))


def main(argv: list[str] | None = None) -> int:
    p = fine_tuning_arguments("python -m train.cross_student", __doc__, 23, 1e-4, 128, STUDENT_DIR, 2, cache=True)
    p.add_argument("--layers", type=int, default=3)
    p.add_argument("--start", type=Path, help="continue from this saved student instead of the teacher's layers")
    args = p.parse_args(argv)
    seed_torch(args.seed, args.threads)
    start, folders = time.time(), cross_training_clinics()
    held = held_back(folders)
    asked = read_all(folders, Settings.from_env(), Embedder(), args.cache)
    kept = [a for a in asked if a.clinic in held]
    rows = chosen_pairs([a for a in asked if a.clinic not in held], random.Random(args.seed))
    teacher = CrossReader(TEACHER_DIR, int8=True)
    taught = teacher_logits(teacher, [t for t, _ in rows], args.cache)
    print(f"{len(rows)} pairs read by the teacher ({time.time() - start:.0f} s)", flush=True)
    network, tokenizer = saved_network(args.start) if args.start else student_network(args.layers)
    args.layers = len(network.encoder.encoder.layer)  # a student continued keeps its own depth
    network = fit_pairs(network, tokenizer, rows, args, report_every=100, soft=taught)
    save(network, tokenizer, args.out, args)
    measured, logits, labels = figures(kept, CrossReader(args.out))
    temperature = fit_temperature(logits, labels) if len(labels) else 1.0
    set_temperature(args.out, temperature)
    teacher_figures, _, _ = figures(kept, teacher)
    report = {
        "seed": args.seed,
        "layers": args.layers,
        "kept_teacher_layers": kept_layers(teacher_layers(), args.layers),
        "started_from": str(args.start) if args.start else "the teacher's layers",
        "train_clinics": sorted({a.clinic for a in asked} - held),
        "held_back_clinics": sorted(held),
        "pairs": len(rows),
        "temperature": temperature,
        "held_back": measured,
        "teacher_held_back_int8": teacher_figures,
        "against_teacher": agreement(kept, CrossReader(args.out, int8=True), teacher),
        "seconds": round(time.time() - start),
    }
    write_report(args.out, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
