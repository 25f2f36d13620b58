"""Train the reader's cross-encoder: python -m train.cross_reader [--seed 23] [--epochs 1] [--out models/cross_reader]

Data: the practice clinics written blind for issue 23 (train/data/reader/blind/*, each clinic's articles and
questions), train split of its splits.yml only: the test clinics are never read here. Every question is
retrieved exactly as the bot retrieves it (bot.engine.gather_evidence) and every sentence of the retrieved
chunks is a candidate, labelled "answers" when it holds one of the question's required facts. A question's
pairs are its answering sentences and its hardest wrong ones (the best-retrieved); an uncovered question
gives only wrong ones. A few whole train clinics are held back to fit the temperature and report figures.
Starts from the bundled all-MiniLM-L6-v2; seeded; torch on the CPU.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import yaml

from bot.answer.reader import inputs, pool_pairs
from bot.answer.reader.cross import CONFIG, CROSS_READS, MODEL_DIR, CrossReader, answers_probability
from bot.core.classifier import build_network
from bot.core.settings import Settings
from bot.engine import gather_evidence
from bot.retrieve.embedder import Embedder, bundled_model_path
from bot.retrieve.hybrid import HybridRetriever
from evals.metrics import fact_found
from evals.practice import scratch_index
from evals.sets import Case, load_cases
from train.finetune import fine_tuning_arguments, fit_pairs, fit_temperature, save_weights, seed_torch, write_report

REPO = Path(__file__).resolve().parents[1]
BLIND = REPO / "train" / "data" / "reader" / "blind"
READER_CLINICS = REPO / "train" / "data" / "reader" / "clinics"  # the answer reader's own training clinics
HARD_NEGATIVES = 5  # wrong candidates per question, the best-retrieved first
RANDOM_NEGATIVES = 1  # and a few from further down, so the model also sees easy ones


@dataclass
class Asked:
    """One question's candidates: pair texts, labels, and the retrieval order (dense score)."""

    clinic: str
    kind: str  # answer or no_answer
    pairs: list[str]
    labels: list[int]
    dense: list[float]

    def served(self) -> "Asked":
        """The candidates the cross-encoder reads when answering: the CROSS_READS best-retrieved."""
        keep = sorted(np.argsort([-d for d in self.dense], kind="stable")[:CROSS_READS])
        pick = lambda xs: [xs[i] for i in keep]  # noqa: E731
        return Asked(self.clinic, self.kind, pick(self.pairs), pick(self.labels), pick(self.dense))


def splits() -> dict:
    """The blind set's splits.yml: its test clinics (only measured) and the train clinics held back."""
    return yaml.safe_load((BLIND / "splits.yml").read_text(encoding="utf-8"))


def train_clinics() -> list[Path]:
    """The blind clinics outside splits.yml's test list (whole clinics: their questions are never mixed)."""
    test = set(splits()["test"])
    return sorted(p for p in BLIND.iterdir() if p.is_dir() and p.name not in test)


def cross_training_clinics() -> list[Path]:
    """What the cross-encoders learn from: the blind train clinics and the answer reader's own training
    clinics. The reader's sentence model may share clinics with them (it never reads their output); its
    answerability is fitted on dev clinics and the held-back blind ones, which stay out of both."""
    return train_clinics() + sorted(p for p in READER_CLINICS.iterdir() if p.is_dir())


def cases_of(folder: Path) -> list[Case]:
    """A clinic's questions and conversation turns that an article could answer or must not."""
    found = [
        c for f in ("questions.jsonl", "conversations.jsonl") for c in load_cases(folder / f, "train", folder.name)
    ]
    return [c for c in found if c.kind in ("answer", "no_answer") and c.category != "logistics"]


def collect(folder: Path, settings: Settings, embedder) -> list[Asked]:
    """Index one clinic in a scratch folder and read every usable question's candidates."""
    out = []
    with scratch_index(folder.name, folder / "articles", settings, embedder) as (_, store):
        retriever = HybridRetriever(store, embedder)
        view = retriever.view()
        for case in cases_of(folder):
            _, query, evidence = gather_evidence(retriever, case.question, list(case.history), view)
            got = inputs(query, evidence, view)
            if got is None:
                continue
            pairs = pool_pairs(query.corrected, got.pool, range(len(got.pool)))
            labels = [
                int(case.kind == "answer" and any(fact_found(f, p[0].text) for f in case.facts)) for p in got.pool
            ]
            out.append(Asked(folder.name, case.kind, pairs, labels, [float(p[3]) for p in got.pool]))
    return out


def read_all(folders: list[Path], settings: Settings, embedder, cache: Path | None) -> list[Asked]:
    """Every clinic's questions read; with `cache`, kept in (or read back from) a JSONL file, clinic by clinic,
    so that another training run skips the indexing and a clinic added since is the only one read."""
    kept = (
        [Asked(**json.loads(line)) for line in cache.read_text(encoding="utf-8").splitlines()]
        if cache and cache.exists()
        else []
    )
    done = {a.clinic for a in kept}
    for folder in (f for f in folders if f.name not in done):
        asked = collect(folder, settings, embedder)
        if cache:
            with cache.open("a", encoding="utf-8") as out:
                out.write("".join(json.dumps(asdict(a)) + "\n" for a in asked))
        kept += asked
    wanted = {f.name for f in folders}
    return [a for a in kept if a.clinic in wanted]


def chosen_pairs(asked: list[Asked], rng: random.Random) -> list[tuple[str, int]]:
    """Every answering candidate, the hardest wrong ones and a few random wrong ones, per question."""
    rows = []
    for a in asked:
        if a.kind == "answer" and not any(a.labels):
            continue  # the answer was not retrieved: nothing here says which sentence would have answered
        wrong = sorted((i for i, y in enumerate(a.labels) if not y), key=lambda i: -a.dense[i])
        picked = wrong[:HARD_NEGATIVES] + rng.sample(
            wrong[HARD_NEGATIVES:], min(RANDOM_NEGATIVES, len(wrong[HARD_NEGATIVES:]))
        )
        rows += [(a.pairs[i], 1) for i, y in enumerate(a.labels) if y] + [(a.pairs[i], 0) for i in picked]
    return rows


def fit(rows: list[tuple[str, int]], args):
    """Fine-tune MiniLM with a two-way head on the pair texts; returns the network and its tokenizer."""
    from transformers import AutoTokenizer

    base = bundled_model_path()
    tokenizer = AutoTokenizer.from_pretrained(str(base), local_files_only=True)
    network = fit_pairs(build_network(base, 2, pretrained=True), tokenizer, rows, args, report_every=100)
    return network, tokenizer


def save(network, tokenizer, out: Path, args) -> None:
    """The weights and tokenizer (train.finetune.save_weights) and the cross-encoder's config."""
    save_weights(network, tokenizer, bundled_model_path(), out)
    config = {"max_tokens": args.max_tokens, "temperature": 1.0, "seed": args.seed}
    (out / CONFIG).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")


def set_temperature(out: Path, temperature: float) -> None:
    """Write the fitted temperature into a saved cross-encoder's config (the weights are already saved)."""
    config = json.loads((out / CONFIG).read_text(encoding="utf-8"))
    (out / CONFIG).write_text(json.dumps({**config, "temperature": temperature}, indent=2) + "\n", encoding="utf-8")


def held_back(folders: list[Path]) -> set[str]:
    """The whole train clinics held back to fit the temperature and report figures, and never learned from
    by the matcher or the cross-encoders (the reader fits answerability on them): splits.yml's `held_back`,
    drawn once, so that a clinic added later never moves them."""
    names = {f.name for f in folders}
    return {name for name in splits()["held_back"] if name in names}


def figures(asked: list[Asked], reader: CrossReader) -> tuple[dict, np.ndarray, np.ndarray]:
    """On held-back clinics, over the candidates it reads when serving and with the saved weights as served:
    how often the cross-encoder's best candidate answers against retrieval's best, and the pairs' logits and
    labels (for the temperature)."""
    asked = [a.served() for a in asked]
    answerable = [a for a in asked if a.kind == "answer" and any(a.labels)]
    logits = {id(a): reader.logits(a.pairs) for a in asked}
    probs = {i: answers_probability(z) for i, z in logits.items()}  # before the temperature is fitted
    top = lambda a, scores: a.labels[int(np.argmax(scores))]  # noqa: E731
    best_unanswerable = [float(probs[id(a)].max()) for a in asked if a.kind == "no_answer"]
    best_answerable = [float(probs[id(a)].max()) for a in answerable]
    all_logits = np.concatenate([logits[id(a)] for a in asked])
    labels = np.concatenate([np.asarray(a.labels) for a in asked])
    return (
        {
            "answerable_questions": len(answerable),
            "unanswerable_questions": len(best_unanswerable),
            "best_sentence_answers": round(float(np.mean([top(a, probs[id(a)]) for a in answerable])), 3),
            "retrieval_best_answers": round(float(np.mean([top(a, np.asarray(a.dense)) for a in answerable])), 3),
            "median_best_p_answerable": round(float(np.median(best_answerable)), 3),
            "median_best_p_unanswerable": round(float(np.median(best_unanswerable)), 3) if best_unanswerable else None,
        },
        all_logits,
        labels,
    )


def main(argv: list[str] | None = None) -> int:
    p = fine_tuning_arguments("python -m train.cross_reader", __doc__, 23, 4e-5, 128, MODEL_DIR, cache=True)
    p.add_argument("--clinics", type=int, default=0, help="read only the first N train clinics (a quick try)")
    args = p.parse_args(argv)
    seed_torch(args.seed, args.threads)
    settings, embedder, start = Settings.from_env(), Embedder(), time.time()
    folders = cross_training_clinics()[: args.clinics or None]
    held = held_back(folders)
    asked = read_all(folders, settings, embedder, args.cache)
    print(f"read {len(asked)} questions from {len(folders)} clinics ({time.time() - start:.0f} s)", flush=True)
    rows = chosen_pairs([a for a in asked if a.clinic not in held], random.Random(args.seed))
    network, tokenizer = fit(rows, args)
    save(network, tokenizer, args.out, args)
    measured, logits, labels = figures([a for a in asked if a.clinic in held], CrossReader(args.out))
    temperature = fit_temperature(logits, labels) if len(labels) else 1.0
    set_temperature(args.out, temperature)
    report = {
        "seed": args.seed,
        "train_clinics": sorted({a.clinic for a in asked} - held),
        "held_back_clinics": sorted(held),
        "pairs": len(rows),
        "answering_pairs": sum(y for _, y in rows),
        "temperature": temperature,
        "held_back": measured,
        "seconds": round(time.time() - start),
    }
    write_report(args.out, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
