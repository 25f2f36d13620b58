"""Reports: a printed table, and Markdown + HTML files with per-case results, failures first."""

from __future__ import annotations

import html
import json
from pathlib import Path

from evals.metrics import Result, answers_reading
from evals.practice import answered_requests, by_category, by_clinic

ANSWER_COLS = (
    "cases",
    "kind_accuracy",
    "source_hit",
    "fact_recall",
    "citation_validity",
    "abstention_precision",
    "abstention_recall",
    "false_abstention",
    "answer_words",
    "reading_grade",
    "p50_ms",
    "p95_ms",
)
SAFETY_COLS = (
    "messages",
    "crisis_recall",
    "emergency_recall",
    "refused_accuracy",
    "off_topic_accuracy",
    "invalid_accuracy",
    "misrouted",
    "shows_988",
)


def table(figures: dict, baseline: dict | None = None) -> str:
    """Metrics by split, with the stored baseline's value in brackets where it differs."""
    lines = [f"{'metric':<24}" + "".join(f"{s:>20}" for s in figures)]
    for group, cols in (("answers", ANSWER_COLS), ("clinics", (*ANSWER_COLS, "blocked")), ("safety", SAFETY_COLS)):
        if not any(group in groups for groups in figures.values()):
            continue
        lines.append(f"-- {group}" + (" (practice clinics, all together)" if group == "clinics" else ""))
        for col in cols:
            cells = []
            for split, groups in figures.items():
                value = groups.get(group, {}).get(col, 0)
                old = ((baseline or {}).get(split, {}).get(group, {}) or {}).get(col)
                cells.append(_cell(value, old))
            lines.append(f"{col:<24}" + "".join(f"{c:>20}" for c in cells))
    return "\n".join(lines)


def confusion(figures: dict) -> str:
    out = []
    for split, groups in figures.items():
        matrix = groups["safety"]["confusion"]
        kinds = list(matrix)
        out.append(f"safety confusion ({split}): rows expected, columns predicted")
        out.append(f"{'':>10}" + "".join(f"{k[:9]:>10}" for k in kinds))
        out += [f"{e[:9]:>10}" + "".join(f"{matrix[e][p]:>10}" for p in kinds) for e in kinds]
    return "\n".join(out)


def write(
    directory: Path,
    figures: dict,
    results: list[Result],
    failures: list[str],
    baseline: dict | None,
    missed: list[str] = (),
) -> None:
    """report.md, report.html and metrics.json in directory."""
    directory.mkdir(parents=True, exist_ok=True)
    ordered = sorted(results, key=lambda r: (r.passed, r.case.set, r.case.id))
    (directory / "metrics.json").write_text(json.dumps(figures, indent=2))
    md = [
        "# clinicbot evaluation",
        "",
        "Gates: " + ("all passed" if not failures else "FAILED"),
        "",
        readable(results),
        "",
    ]
    md += [f"- {f}" for f in failures]
    md += ["", "Targets not yet met (not enforced):" if missed else "All targets met.", ""] + [f"- {m}" for m in missed]
    md += [
        "",
        "```",
        table(figures, baseline),
        "",
        confusion(figures),
        "```",
        "",
        "## Cases (failures first)",
        "",
        "| ok | id | split | expected | got | question | answer | checks |",
        "|---|---|---|---|---|---|---|---|",
    ]
    md += [
        f"| {'✅' if r.passed else '❌'} | {r.case.id} | {r.case.split} | {r.case.kind} | {r.kind} | "
        f"{_md(r.case.question)} | "
        f"{_md(r.answer)} | {_md(json.dumps(r.checks))} |"
        for r in ordered
    ]
    (directory / "report.md").write_text("\n".join(md) + "\n")
    (directory / "report.html").write_text(
        _html(figures, ordered, [*failures, *(f"target not met: {m}" for m in missed)], baseline)
    )


def readable(results: list[Result]) -> str:
    """How readable this run's answers are: median reading grade and length, the figures an editor can act on."""
    r = answers_reading(results)
    return (
        f"Answers' reading grade (Flesch-Kincaid, median of {r['answers']} answers): {r['median_grade']}; "
        f"median length: {r['median_words']} words."
    )


def _html(figures, ordered, failures, baseline) -> str:
    rows = "".join(
        f"<tr class={'ok' if r.passed else 'bad'}><td>{'pass' if r.passed else 'FAIL'}</td>"
        f"<td>{html.escape(r.case.id)}</td>"
        f"<td>{r.case.split}</td><td>{r.case.kind}</td><td>{r.kind}</td><td>{html.escape(r.case.question[:300])}</td>"
        f"<td>{html.escape(r.answer)}</td><td>{html.escape(json.dumps(r.checks))}</td></tr>"
        for r in ordered
    )
    gate_list = "".join(f"<li>{html.escape(f)}</li>" for f in failures) or "<li>all gates passed</li>"
    return (
        f"<!doctype html><meta charset=utf-8><title>clinicbot evaluation</title><style>body{{font-family:sans-serif}}"
        f"td{{border-bottom:1px solid #ddd;padding:4px;vertical-align:top}}.bad{{background:#fee}}</style>"
        f"<h1>clinicbot evaluation</h1><p>{html.escape(readable(ordered))}</p><ul>{gate_list}</ul>"
        f"<pre>{html.escape(table(figures, baseline))}\n\n"
        f"{html.escape(confusion(figures))}</pre><table><tr><th>ok</th><th>id</th><th>split</th><th>expected</th><th>got</th>"
        f"<th>question</th><th>answer</th><th>checks</th></tr>{rows}</table>"
    )


def _cell(value, old) -> str:
    text = f"{value:.3f}" if isinstance(value, float) else str(value)
    if isinstance(old, (int, float)) and isinstance(value, (int, float)) and abs(old - value) > 1e-9:
        text += f" ({old:.3f})" if isinstance(old, float) else f" ({old})"
    return text


def _md(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")[:300]


CLINIC_COLS = (
    ("cases", "cases"),
    ("facts", "fact_recall"),
    ("source", "source_hit"),
    ("abstain", "abstention_recall"),
    ("false abst", "false_abstention"),
    ("blocked", "blocked"),
    ("words", "answer_words"),
    ("p50 ms", "p50_ms"),
)


def clinics_table(results: list[Result]) -> str:
    """One line per practice clinic (dev first, then test) and one per kind of question."""

    head = f"{'practice clinic':<22}{'split':>6}" + "".join(f"{name:>11}" for name, _ in CLINIC_COLS)
    rows = [head] + [
        f"{name:<22}{f['split']:>6}" + "".join(_short(f[key]) for _, key in CLINIC_COLS)
        for name, f in by_clinic(results).items()
    ]
    rows += ["", f"{'kind of question':<28}" + "".join(f"{name:>11}" for name, _ in CLINIC_COLS)]
    rows += [
        f"{name:<28}" + "".join(_short(f[key]) for _, key in CLINIC_COLS) for name, f in by_category(results).items()
    ]
    answered, asked = answered_requests(results)
    if asked:
        rows += ["", f"requests no article may answer (harmful, out of role): {answered} of {asked} answered anyway"]
    return "\n".join(rows)


def _short(value) -> str:
    return (
        f"{value:>11.3f}"
        if isinstance(value, float) and value <= 1
        else f"{value:>11.0f}"
        if isinstance(value, float)
        else f"{value:>11}"
    )
