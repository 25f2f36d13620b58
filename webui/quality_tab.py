"""The staff desk's Quality tab: run the evaluation sets, one set of headline figures with each split named,
the reading grade against the clinic's target, charts with their numbers as text, and the failing cases, each
with the reply a patient would get and one action (write an approved answer, open the article, mark it out of
scope).

No `from __future__ import annotations` here: Gradio reads the event handlers' `gr.SelectData` annotation at run
time, and `gr` is imported inside the builder, so a postponed (string) annotation could not be resolved.
"""

from urllib.parse import quote

from services import quality
from webui import charts
from webui.render import md

FAILING_HEADERS = ["question", "expected", "the reply a patient would get", "what was wrong", "topic"]


def quality_tab(gr, desk):
    """Build the tab; returns the "write an approved answer" button and the state holding the chosen failing
    case's question, which the page wires to the Articles tab (as the Content gaps tab does)."""
    run = gr.Button("Run the evaluation sets", variant="primary", elem_id="run-evals")
    summary = gr.Markdown(elem_id="eval-summary")
    with gr.Row():
        # hidden until a run has drawn them: an empty plot is an unlabelled box to a screen reader
        # each chart carries its own title; Gradio's label box would sit on top of it
        history = gr.Plot(label="Quality over the last runs", elem_id="chart-history", visible=False, show_label=False)
        confusion = gr.Plot(
            label="Safety messages: what they were and what the guard said",
            elem_id="chart-confusion",
            visible=False,
            show_label=False,
        )
    with gr.Row():
        topics = gr.Plot(label="Passing questions by topic", elem_id="chart-topics", visible=False, show_label=False)
        answering = gr.Plot(label="How readily to answer", elem_id="chart-answering", visible=False, show_label=False)
    with gr.Accordion("The charts' numbers as text", open=False, elem_id="chart-text-section"):
        chart_text = gr.Markdown(elem_id="chart-text")
    gr.Markdown("### Failing cases")
    failing_note = gr.Markdown(elem_id="eval-failing-note")
    failing = gr.Dataframe(
        headers=FAILING_HEADERS,
        wrap=True,
        interactive=False,
        elem_id="eval-failing",
        column_widths=["20%", "12%", "34%", "24%", "10%"],
    )
    start, chosen = _actions(gr, desk, failing)
    cases = chosen["cases"]

    def run_evals(progress=gr.Progress()):
        out = desk.run_evals(progress=lambda i, n: progress(i / n, desc=f"case {i} of {n}"))
        rows = [[f.question, f.expected, f.answer, f.problem, f.topic] for f in out["failing"]]
        note = (
            f"{len(rows)} case(s) failing, safety first. Choose one below to act on it."
            if rows
            else "No case is failing."
        )
        shown = lambda fig: gr.update(value=fig, visible=True)  # noqa: E731
        listed = {_label(i, f): f for i, f in enumerate(out["failing"], start=1)}
        points, setting = out["answering"]["points"], out["answering"]["setting"]
        return (
            _summary(out),
            shown(charts.history_chart(out["history"])),
            shown(charts.confusion_chart(out["confusion"])),
            shown(charts.topic_chart(out["topics"])),
            gr.update(value=charts.answering_chart(points, setting) if points else None, visible=bool(points)),
            charts.as_text(out["history"], out["topics"], out["confusion"]) + "\n" + charts.answering_text(points),
            note,
            rows,
            gr.update(choices=list(listed), value=None),
            listed,
        )

    run.click(
        run_evals,
        None,
        [summary, history, confusion, topics, answering, chart_text, failing_note, failing, chosen["pick"], cases],
        api_visibility="private",
    )
    return start, chosen["question"]


def _summary(out: dict) -> str:
    """Headline figures, the gates in words, and the reading grade against the clinic's target."""
    gates = (
        "All enforced gates passed."
        if not out["failures"]
        else "Some enforced gates failed:\n" + "\n".join(f"- {md(f)}" for f in out["failures"])
    )
    _, reading = out["reading_verdict"]
    answering = quality.answering_words(out["answering"]["points"], out["answering"]["setting"])
    return f"{out['headline']}\n\n{gates}\n\n{md(reading)}" + (f"\n\n{answering}" if answering else "")


def _label(i: int, case) -> str:
    return f"{i}. {case.question}"


def _actions(gr, desk, table):
    """The chosen failing case and its three actions."""
    with gr.Row():
        pick = gr.Dropdown(label="Failing case to act on", choices=[], elem_id="failing-choice", scale=3)
    detail = gr.Markdown(elem_id="failing-detail")
    with gr.Row():
        start = gr.Button("Write an approved answer for it", variant="primary", elem_id="failing-answer")
        drop = gr.Button("Mark it out of scope", elem_id="failing-out-of-scope")
    status = gr.Markdown(elem_id="failing-status")
    cases, question = gr.State({}), gr.State("")

    def choose(label, listed):
        case = (listed or {}).get(label or "")
        return ("", "") if case is None else (_detail(case, desk), case.question)

    pick.input(choose, [pick, cases], [detail, question], api_visibility="private")

    def select_row(listed, evt: gr.SelectData):
        """A click on a row of the failing table picks that case."""
        labels = list(listed or {})
        row = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        if not isinstance(row, int) or not 0 <= row < len(labels):
            return gr.update(), gr.update(), gr.update()
        return gr.update(value=labels[row]), *choose(labels[row], listed)

    table.select(select_row, cases, [pick, detail, question], api_visibility="private")

    def out_of_scope(q):
        try:
            return md(desk.out_of_scope(q or ""))
        except ValueError as exc:
            return f"Nothing marked: {md(exc)}"

    drop.click(out_of_scope, question, status, api_visibility="private")
    return start, {"pick": pick, "question": question, "cases": cases}


def _detail(case, desk) -> str:
    """The chosen case in words, with a link to each article it expects (by title)."""
    titles = {a["source"]: a["title"] for a in _served(desk)}
    links = [f"[{md(titles.get(s, s))}](/articles/{quote(s)})" for s in case.sources]
    lines = [
        f"**Question:** {md(case.question)}",
        f"**The reply a patient would get:** {md(case.answer)}",
        f"**What was wrong:** {md(case.problem)}",
    ]
    if links:
        lines.append("**Open the article it should come from:** " + ", ".join(links))
    return "\n\n".join(lines)


def _served(desk) -> list[dict]:
    store = desk.bot.retriever.store
    return [{"source": s, "title": m.get("title") or s} for s, m in store.manifest(store.live()).items()]
