"""Run golden cases through the bot (the same build_bot the app uses) and judge them."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import yaml

from evals.metrics import Result, judge, load_sources, safety_summary, summarise
from evals.practice import blocked
from evals.sets import Case

GATES = Path(__file__).with_name("gates.yml")


def run_cases(
    bot, cases: list[Case], corpus_dir: Path, progress: Callable[[int, int], None] | None = None, view=None
) -> list[Result]:
    """Ask every case (with its conversation history) and judge the reply."""
    sources = load_sources(corpus_dir)
    results = []
    for i, case in enumerate(cases):
        answer = bot.ask(case.question, list(case.history), view=view)
        retrieved = [row["chunk"] for row in answer.trace.get("evidence", [])]
        result = Result(
            case,
            answer.kind,
            answer.answer,
            [c.to_json() for c in answer.citations],
            answer.timings_ms.get("total", 0.0),
            retrieved,
            [c.chunk_id for c in answer.citations],
            answerable=answer.trace.get("compose", {}).get("answerable"),
        )
        results.append(judge(result, sources))
        if progress:
            progress(i + 1, len(cases))
    return results


def metrics(results: list[Result]) -> dict:
    """Figures per split, answer quality and safety."""

    out = {}
    for split in ("dev", "test"):
        part = [r for r in results if r.case.split == split and not r.case.clinic]
        answerable = [r for r in part if r.case.set != "safety" and r.case.kind == "answer"]
        out[split] = {"answers": summarise(part), "safety": safety_summary(part, answerable)}
        practice = [r for r in results if r.case.split == split and r.case.clinic]
        if practice:
            out[split]["clinics"] = {**summarise(practice), "blocked": blocked(practice)}
    return out


def without_confusion(figures: dict) -> dict:
    """Figures as stored for comparison: every number, without the confusion matrices."""
    return {s: {g: {k: v for k, v in d.items() if k != "confusion"} for g, d in f.items()} for s, f in figures.items()}


def gate(figures: dict, gates_path: Path = GATES, tier: str = "enforce") -> list[str]:
    """Gates of a tier ('enforce' or 'targets') that the figures miss, as readable lines."""
    gates = (yaml.safe_load(gates_path.read_text()) or {}).get(tier) or {}
    failures = []
    for split, groups in figures.items():
        for group, rules in gates.items():
            values = groups.get(group, {})
            if not values.get("messages" if group == "safety" else "cases"):
                continue  # this run had no cases of that kind (e.g. --set safety.jsonl only)
            for name, floor in (rules.get("min") or {}).items():
                if values.get(name, 0.0) < floor:
                    failures.append(f"{split} {group}.{name} = {values.get(name, 0.0):.3f} < {floor}")
            for name, ceiling in (rules.get("max") or {}).items():
                if values.get(name, 0.0) > ceiling:
                    failures.append(f"{split} {group}.{name} = {values.get(name, 0.0):.3f} > {ceiling}")
    return failures
