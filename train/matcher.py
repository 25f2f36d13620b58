"""Train the sentence matcher: all-MiniLM-L6-v2 fine-tuned so that a patient's question lands nearest the
sentence that answers it (issue 23).

The bundled embedder ranks sentences by topic: "How is ketamine given?" is nearest to every sentence that
says "ketamine", and the one naming the routes comes far down. The matcher is the same network trained on
(question, answering sentence) pairs of the blind practice clinics' train split
(train/data/reader/blind/splits.yml; its test clinics are never read), with in-batch and same-clinic
hard negatives. Sentence vectors are computed once per index version, so answering costs one more question
embedding (~15 ms).

    python -m train.matcher --seed 23 --cache /tmp/matcher_cache.jsonl
"""

from __future__ import annotations

import json
import random
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from bot.answer.reader import inputs
from bot.core.settings import Settings
from bot.engine import gather_evidence
from bot.retrieve.embedder import Embedder, bundled_model_path
from bot.retrieve.hybrid import HybridRetriever
from bot.retrieve.matcher import MODEL_DIR, Matcher, sentence_text, sentence_texts
from evals.metrics import fact_found
from evals.practice import scratch_index
from train.cross_reader import cases_of, held_back, train_clinics
from train.finetune import fine_tuning_arguments, length_buckets, save_weights, seed_torch, write_report

HARD_NEGATIVES = 3  # wrong sentences of the same clinic per question, the nearest by the bundled embedder
SCALE = 20.0  # cosine similarities times this are the contrastive loss's logits
FIGURE_SAMPLE = 150  # held-back questions measured (a seeded sample: embedding every pool twice takes long)


@dataclass
class Asked:
    """One answerable question of a clinic: the text retrieved with, its answering and nearest wrong sentences,
    and the reader's candidate pool as served (texts and labels), for the figures."""

    clinic: str
    question: str
    positives: list[str]
    negatives: list[str]
    pool: list[str]
    labels: list[int]


def collect(clinic: Path, settings: Settings, embedder: Embedder) -> list[Asked]:
    """Index one clinic in a scratch folder and read its answerable questions."""
    out = []
    with scratch_index(clinic.name, clinic / "articles", settings, embedder) as (_, store):
        retriever = HybridRetriever(store, embedder)
        view = retriever.view()
        texts = sentence_texts(view.loaded)
        for case in cases_of(clinic):
            if case.kind != "answer" or not case.facts:
                continue
            _, query, evidence = gather_evidence(retriever, case.question, list(case.history), view)
            hits = [any(fact_found(f, s.text) for f in case.facts) for s in view.loaded.sentences]
            if not any(hits):
                continue
            order = np.argsort(-(view.loaded.sentence_vectors @ query.vector))
            wrong = [texts[i] for i in order if not hits[i]][:HARD_NEGATIVES]
            got = inputs(query, evidence, view)
            pool = got.pool if got else []
            out.append(
                Asked(
                    clinic.name,
                    query.corrected,
                    [t for t, h in zip(texts, hits, strict=True) if h],
                    wrong,
                    [sentence_text(p[1].section, p[0].text) for p in pool],
                    [int(any(fact_found(f, p[0].text) for f in case.facts)) for p in pool],
                )
            )
    return out


def read_all(clinics: list[Path], settings: Settings, embedder: Embedder, cache: Path | None) -> list[Asked]:
    """Every clinic's questions read, or read back from `cache` (a JSONL file) when it exists."""
    if cache and cache.exists():
        return [Asked(**json.loads(line)) for line in cache.read_text(encoding="utf-8").splitlines()]
    asked = [a for c in clinics for a in collect(c, settings, embedder)]
    if cache:
        cache.write_text("".join(json.dumps(asdict(a)) + "\n" for a in asked), encoding="utf-8")
    return asked


def fit(asked: list[Asked], args):
    """Contrastive fine-tuning: each question against its answering sentence, the batch's other answering
    sentences and its own clinic's nearest wrong ones."""
    import torch
    from transformers import AutoModel, AutoTokenizer, get_linear_schedule_with_warmup

    base = bundled_model_path()
    tokenizer = AutoTokenizer.from_pretrained(str(base), local_files_only=True)
    network = AutoModel.from_pretrained(str(base), local_files_only=True, dtype=torch.float32)
    optimiser = torch.optim.AdamW(network.parameters(), lr=args.lr, weight_decay=0.01)
    rng, start = random.Random(args.seed), time.time()
    batches = [length_buckets([a.question for a in asked], args.batch, rng) for _ in range(args.epochs)]
    steps = sum(len(b) for b in batches)
    schedule = get_linear_schedule_with_warmup(optimiser, int(0.1 * steps), steps)

    def embed(texts: list[str]):
        enc = tokenizer(texts, padding=True, truncation=True, max_length=args.max_tokens, return_tensors="pt")
        hidden = network(**enc).last_hidden_state
        mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        return torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9), dim=-1)

    network.train()
    for epoch, groups in enumerate(batches):
        total = 0.0
        for step, group in enumerate(groups):
            chosen = [asked[i] for i in group]
            candidates = [rng.choice(a.positives) for a in chosen] + [n for a in chosen for n in a.negatives]
            logits = SCALE * embed([a.question for a in chosen]) @ embed(candidates).T
            loss = torch.nn.functional.cross_entropy(logits, torch.arange(len(chosen)))
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(network.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            total += float(loss.detach()) * len(chosen)
            if step % 50 == 0:
                print(f"  epoch {epoch + 1} step {step}/{len(groups)} ({time.time() - start:.0f} s)", flush=True)
        print(f"epoch {epoch + 1}: loss {total / len(asked):.4f} ({time.time() - start:.0f} s)", flush=True)
    return network, tokenizer


def save(network, tokenizer, out: Path) -> None:
    """The weights (half precision) and tokenizer, and the sentence-transformers files that make the folder an
    embedder like the bundled one (bot.retrieve.embedder.Embedder reads it)."""
    base = bundled_model_path()
    save_weights(network, tokenizer, base, out)
    for name in ("sentence_bert_config.json", "modules.json", "config_sentence_transformers.json"):
        if (base / name).exists():
            shutil.copy(base / name, out / name)
    if (base / "1_Pooling").is_dir():
        shutil.copytree(base / "1_Pooling", out / "1_Pooling", dirs_exist_ok=True)


def figures(asked: list[Asked], embedder: Embedder) -> dict:
    """On held-back clinics, over the reader's candidate pool as served: how often the nearest candidate to
    the question answers it, by `embedder`."""
    usable = [a for a in asked if any(a.labels)]
    top = []
    for a in usable:
        sims = embedder.embed(a.pool) @ embedder.embed([a.question])[0]
        top.append(a.labels[int(np.argmax(sims))])
    return {"questions": len(usable), "nearest_answers": round(float(np.mean(top)), 3) if top else None}


def main(argv: list[str] | None = None) -> int:
    p = fine_tuning_arguments("python -m train.matcher", __doc__, 23, 3e-5, 96, MODEL_DIR, cache=True)
    args = p.parse_args(argv)
    seed_torch(args.seed, args.threads)
    settings, embedder, start = Settings.from_env(), Embedder(), time.time()
    clinics = train_clinics()
    held = held_back(clinics)
    asked = read_all(clinics, settings, embedder, args.cache)
    print(f"read {len(asked)} questions from {len(clinics)} clinics ({time.time() - start:.0f} s)", flush=True)
    network, tokenizer = fit([a for a in asked if a.clinic not in held], args)
    save(network, tokenizer, args.out)
    validation = [a for a in asked if a.clinic in held]
    random.Random(1).shuffle(validation)
    validation = validation[:FIGURE_SAMPLE]
    report = {
        "seed": args.seed,
        "epochs": args.epochs,
        "train_clinics": sorted({a.clinic for a in asked} - held),
        "held_back_clinics": sorted(held),
        "train_questions": sum(a.clinic not in held for a in asked),
        "held_back": {
            "bundled": figures(validation, embedder),
            "matcher": figures(validation, Matcher(args.out).embedder),
        },
        "seconds": round(time.time() - start),
    }
    write_report(args.out, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
