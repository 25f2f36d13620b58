"""Calibrate abstention on the dev split: answerable versus unanswerable questions, never the test split."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bot.calibration import save_weights
from bot.compose import unknown_share
from evals.sets import GOLDEN, load_cases

MAX_FALSE_ABSTAIN = 0.05


def features(bot, case) -> tuple[float, float] | None:
    """(best sentence score, unknown share) for a question the guard lets through."""
    answer = bot.ask(case.question, list(case.history))
    if answer.trace.get("guard", {}).get("kind") != "pass" or "query" not in answer.trace:
        return None
    view = bot.retriever.view()
    query = bot.retriever.query(answer.trace["query"], view)
    scored = bot.composer.score(query, bot.retriever.run(query, view), view)
    return (max(s.score for s in scored) if scored else 0.0), unknown_share(query, view)


def fit(rows: list[tuple[float, float, bool]]) -> tuple[float, float, dict]:
    """Penalty and threshold that abstain most on unanswerables while wrongly abstaining on
    at most 5% of answerables; ties go to the lower threshold (answer when unsure between equals)."""
    best = None
    answerable = [r for r in rows if r[2]]
    unanswerable = [r for r in rows if not r[2]]
    for penalty in (0.0, 0.05, 0.1, 0.15, 0.2, 0.3):
        for step in range(0, 101):
            threshold = step / 100
            wrong = sum(b - penalty * u < threshold for b, u, _ in answerable) / max(len(answerable), 1)
            caught = sum(b - penalty * u < threshold for b, u, _ in unanswerable) / max(len(unanswerable), 1)
            if wrong <= MAX_FALSE_ABSTAIN and (best is None or caught > best[2]["abstention_recall"]):
                best = (penalty, threshold, {"abstention_recall": caught, "false_abstention": wrong})
    return best


def calibrate(settings) -> int:
    """Fit on dev answers + conversations; write bot/data/calibration.json."""
    from bot.engine import build_bot

    bot = build_bot(settings)
    cases = [c for name in ("answers", "conversations") for c in load_cases(GOLDEN / f"{name}.jsonl") if c.split == "dev"]
    rows = []
    for case in cases:
        f = features(bot, case)
        if f is not None:
            rows.append((f[0], f[1], case.kind == "answer"))
    penalty, threshold, figures = fit(rows)
    weights = replace(bot.composer.w, unknown_penalty=penalty, threshold=threshold)
    save_weights(weights, {"split": "dev", "cases": len(rows), **figures})
    print(f"calibrated on {len(rows)} dev questions: unknown_penalty={penalty} threshold={threshold:.2f} "
          f"abstention recall {figures['abstention_recall']:.3f}, false abstention {figures['false_abstention']:.3f}")
    return 0
