"""Charts for the staff desk (matplotlib, drawn on the server into gr.Plot): each metric over the last runs,
pass rate per topic, and the safety confusion matrix as a heatmap. Colours are the colour-blind-safe
Okabe-Ito set; every chart has a title and labelled axes, and the numbers are printed on the bars and cells."""

from __future__ import annotations

from services.quality import ANSWERING_NAMES, SPLIT_NAMES

LINES = (
    ("fact_recall", "Every fact found"),
    ("source_hit", "Right article cited"),
    ("kind_accuracy", "Right kind of reply"),
    ("crisis_recall", "Crisis messages caught"),
    ("emergency_recall", "Emergencies caught"),
)
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000")
KIND_LABELS = {
    "crisis": "crisis",
    "support": "support",
    "emergency": "emergency",
    "refused": "refused",
    "off_topic": "off topic",
    "invalid": "invalid",
    "answer": "answer",
    "no_answer": "not covered",
}


def _figure(width: float, height: float):
    import matplotlib

    matplotlib.use("Agg")  # no display on a server
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def history_chart(runs: list[dict], split: str = "test"):
    """Each headline metric over the last runs (0-100%), one line per metric."""
    fig = _figure(7, 3.4)
    ax = fig.add_subplot()
    labels = [r["at"][5:] for r in runs]
    for (key, name), colour in zip(LINES, COLOURS, strict=False):
        group = "safety" if key.endswith("recall") and key != "fact_recall" else "answers"
        values = [100 * r["figures"].get(split, {}).get(group, {}).get(key, 0) for r in runs]
        ax.plot(range(len(runs)), values, marker="o", color=colour, label=name)
    ax.set_xticks(range(len(runs)), labels, rotation=30, ha="right", fontsize=8)
    ax.set_ylim(0, 105)
    ax.set_ylabel("% of cases")
    ax.set_title(f"Quality over the last {len(runs)} run(s): {SPLIT_NAMES[split].lower()}")
    ax.legend(fontsize=8, loc="lower left")
    ax.grid(alpha=0.3)
    return fig


def topic_chart(topics: dict[str, float]):
    """Share of questions passing per topic, as horizontal bars with the percentage printed."""
    fig = _figure(7, 0.35 * max(len(topics), 3) + 1)
    ax = fig.add_subplot()
    names = list(topics)
    values = [100 * topics[t] for t in names]
    bars = ax.barh(names, values, color="#0072B2")
    ax.bar_label(bars, labels=[f"{v:.0f}%" for v in values], padding=3, fontsize=8)
    ax.set_xlim(0, 110)
    ax.invert_yaxis()
    ax.set_xlabel("% of questions passing")
    ax.set_title("Passing questions by topic")
    return fig


def confusion_chart(matrix: dict[str, dict[str, int]]):
    """The safety confusion matrix as a heatmap: rows what the message was, columns what the guard said."""
    kinds = [k for k in KIND_LABELS if k in matrix]
    fig = _figure(6.5, 4.6)
    ax = fig.add_subplot()
    values = [[matrix[e].get(p, 0) for p in kinds] for e in kinds]
    peak = max(max(row) for row in values) or 1
    ax.imshow([[v / peak for v in row] for row in values], cmap="Blues", vmin=0, vmax=1)
    for i, row in enumerate(values):
        for j, v in enumerate(row):
            ax.text(j, i, str(v), ha="center", va="center", fontsize=9, color="white" if v / peak > 0.5 else "black")
    names = [KIND_LABELS[k] for k in kinds]
    ax.set_xticks(range(len(kinds)), names, rotation=30, ha="right")
    ax.set_yticks(range(len(kinds)), names)
    ax.set_xlabel("What the guard said")
    ax.set_ylabel("What the message was")
    ax.set_title("Safety messages: the diagonal is right")
    return fig


def answering_chart(points: list, setting: str):
    """The risk-coverage curve: covered questions answered against uncovered ones given "not covered", one dot
    per threshold, the clinic's three choices labelled and its own ringed."""
    fig = _figure(6.5, 4.2)
    ax = fig.add_subplot()
    ax.plot([100 * p.answered for p in points], [100 * p.abstained for p in points], color="#0072B2", marker=".")
    for p in points:
        if p.name in ANSWERING_NAMES:
            x, y = 100 * p.answered, 100 * p.abstained
            ax.plot(x, y, marker="o", markersize=11 if p.name == setting else 7, color="#D55E00")
            label = ANSWERING_NAMES[p.name] + (" (your setting)" if p.name == setting else "")
            ax.annotate(label, (x, y), textcoords="offset points", xytext=(-8, 8), ha="right", fontsize=9)
    ax.set_xlim(0, 105)
    ax.set_ylim(0, 105)
    ax.set_xlabel("% of covered questions answered")
    ax.set_ylabel('% of uncovered questions told "not covered"')
    ax.set_title("How readily to answer: up and right is better")
    ax.grid(alpha=0.3)
    return fig


def answering_text(points: list) -> str:
    """The curve's numbers as a Markdown table (the chart's text alternative)."""
    if not points:
        return ""
    rows = "".join(
        f"| {ANSWERING_NAMES.get(p.name, '')} | {p.threshold:.2f} | {100 * p.answered:.0f}% | "
        f"{100 * p.abstained:.0f}% |\n"
        for p in points
    )
    return (
        "**How readily to answer**\n\n| choice | likelihood needed | covered questions answered | "
        'uncovered questions told "not covered" |\n|---|---|---|---|\n' + rows
    )


def as_text(runs: list[dict], topics: dict[str, float], matrix: dict[str, dict[str, int]], split: str = "test") -> str:
    """The charts' numbers as Markdown tables: the text alternative for people who cannot see the pictures."""
    head = "| run | " + " | ".join(name for _, name in LINES) + " |\n|---|" + "---|" * len(LINES) + "\n"
    rows = "".join(
        "| " + r["at"] + " | " + " | ".join(f"{100 * _run_figure(r, split, k):.0f}%" for k, _ in LINES) + " |\n"
        for r in runs
    )
    topic_rows = "| topic | passing |\n|---|---|\n" + "".join(f"| {t} | {100 * v:.0f}% |\n" for t, v in topics.items())
    kinds = [k for k in KIND_LABELS if k in matrix]
    grid = (
        "| message was \\ guard said | "
        + " | ".join(KIND_LABELS[k] for k in kinds)
        + " |\n|---|"
        + "---|" * len(kinds)
        + "\n"
        + "".join(
            f"| {KIND_LABELS[e]} | " + " | ".join(str(matrix[e].get(p, 0)) for p in kinds) + " |\n" for e in kinds
        )
    )
    return (
        f"**Quality over the last runs: {SPLIT_NAMES[split].lower()}**\n\n{head}{rows}\n"
        f"**Passing questions by topic**\n\n{topic_rows}\n"
        f"**Safety messages**\n\n{grid}"
    )


def _run_figure(run: dict, split: str, key: str) -> float:
    """One figure of one run: recall figures of the safety set, the rest of the answers."""
    group = "safety" if key.endswith("recall") and key != "fact_recall" else "answers"
    return run["figures"].get(split, {}).get(group, {}).get(key, 0)
