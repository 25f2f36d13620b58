"""Calibrate the composer on the dev split only (the test split is never tuned on):
sentence-score weights for fact recall under a length cap, then the abstention threshold."""
from __future__ import annotations

import itertools
from dataclasses import dataclass, replace

from bot.calibration import save_weights
from bot.compose import ExtractiveComposer, Weights, cite, unknown_share
from evals.metrics import fact_found
from evals.sets import GOLDEN, load_cases

MAX_FALSE_ABSTAIN = 0.05
MAX_WORDS = 70  # well under half of the baseline's ~150-word block
GRID = {"coverage": (0.15, 0.25, 0.35), "chunk": (0.1, 0.2, 0.3), "margin": (0.05, 0.08, 0.12), "max_sentences": (2, 3),
        "generic_penalty": (0.0, 0.15, 0.3, 0.45)}


@dataclass
class Prepared:
    """A dev question with its retrieval done once, so weight choices can be replayed cheaply."""

    case: object
    query: object
    evidence: list


def prepare(bot, cases) -> list[Prepared]:
    """Retrieve once per question the guard lets through."""
    out = []
    view = bot.retriever.view()
    for case in cases:
        answer = bot.ask(case.question, list(case.history))
        if answer.trace.get("guard", {}).get("kind") != "pass" or "query" not in answer.trace:
            continue
        query = bot.retriever.query(answer.trace["query"], view, focus=case.question)
        out.append(Prepared(case, query, bot.retriever.run(query, view)))
    return out


def fit_weights(items: list[Prepared], view, base: Weights) -> tuple[Weights, dict]:
    """Weights with the best fact recall on answerable dev questions, answers at most MAX_WORDS long."""
    answerable = [p for p in items if p.case.kind == "answer"]
    best = (base, {"fact_recall": -1.0})
    for cov, chunk, margin, most, generic in itertools.product(*GRID.values()):
        w = replace(base, coverage=cov, chunk=chunk, dense=1 - cov - chunk, margin=margin, max_sentences=most,
                    generic_penalty=generic, threshold=-9)
        composer = ExtractiveComposer(w)
        recalls, words = [], []
        for p in answerable:
            text, _ = cite(composer.run(p.query, p.evidence, view).picked)
            recalls.append(sum(fact_found(f, text) for f in p.case.facts) / max(len(p.case.facts), 1))
            words.append(len(text.split()))
        figures = {"fact_recall": sum(recalls) / len(recalls), "answer_words": sum(words) / len(words)}
        if figures["answer_words"] <= MAX_WORDS and figures["fact_recall"] > best[1]["fact_recall"]:
            best = (w, figures)
    return best


def fit_threshold(rows: list[tuple[float, float, bool]]) -> tuple[float, float, dict]:
    """Penalty and threshold that abstain most on unanswerables while wrongly abstaining on
    at most 5% of answerables; the first (lowest) threshold wins ties."""
    best = None
    answerable = [r for r in rows if r[2]] or [(1.0, 0.0, True)]
    unanswerable = [r for r in rows if not r[2]] or [(0.0, 1.0, False)]
    for penalty in [i / 20 for i in range(0, 11)]:
        for threshold in [i / 100 for i in range(0, 101)]:
            wrong = sum(b - penalty * u < threshold for b, u, _ in answerable) / len(answerable)
            caught = sum(b - penalty * u < threshold for b, u, _ in unanswerable) / len(unanswerable)
            if wrong <= MAX_FALSE_ABSTAIN and (best is None or caught > best[2]["abstention_recall"]):
                best = (penalty, threshold, {"abstention_recall": caught, "false_abstention": wrong})
    return best


def calibrate(settings) -> int:
    """Fit on dev answers + conversations; write bot/data/calibration.json."""
    from bot.engine import build_bot

    bot = build_bot(settings)
    cases = [c for name in ("answers", "conversations") for c in load_cases(GOLDEN / f"{name}.jsonl") if c.split == "dev"]
    view = bot.retriever.view()
    items = prepare(bot, cases)
    weights, quality = fit_weights(items, view, bot.composer.w)
    composer = ExtractiveComposer(weights)
    rows = []
    for p in items:
        scored = composer.score(p.query, p.evidence, view)
        rows.append((max((s.score for s in scored), default=0.0), unknown_share(p.query, view), p.case.kind == "answer"))
    penalty, threshold, abstention = fit_threshold(rows)
    weights = replace(weights, unknown_penalty=penalty, threshold=threshold)
    save_weights(weights, {"split": "dev", "questions": len(items), **quality, **abstention})
    print(f"calibrated on {len(items)} dev questions: {weights}\n  dev fact recall {quality['fact_recall']:.3f}, "
          f"{quality['answer_words']:.1f} words; abstention recall {abstention['abstention_recall']:.3f}, "
          f"false abstention {abstention['false_abstention']:.3f}")
    return 0
