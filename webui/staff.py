"""Staff pages (/staff, behind a sign-in), in plain words and pictures: quality summary and charts, the
answer inspector as a readable card, feedback with crisis conversations first, content gaps, sign-ins,
and the editors' desk (webui/editor_tab.py)."""

from pathlib import Path

from bot.core.records import KINDS
from webui import charts
from webui.editor_tab import articles_tab, editor_rows
from webui.gaps_tab import gaps_tab
from webui.render import md

SIGNIN_HEADERS = ["when", "what happened", "user name tried", "from (client address)", "details"]
FAILING_HEADERS = ["question", "expected", "answer given", "what was wrong", "topic"]
FEEDBACK_HEADERS = ["flag", "answer #", "when", "question", "reply", "rating", "comment"]
KIND_NAMES = {
    "answer": "answered",
    "no_answer": "not covered",
    "crisis": "crisis help",
    "emergency": "emergency help",
    "refused": "refused",
    "off_topic": "off topic",
    "invalid": "not a question",
}
# WCAG 2.1 AA contrast for the theme's primary (orange) and stop (red) buttons; tables whose columns fit
CSS = """
button.primary {background:#9a3412 !important;border-color:#9a3412 !important;color:#fff !important}
button.stop {background:#991b1b !important;border-color:#991b1b !important;color:#fff !important}
textarea::placeholder, input::placeholder {color:#52525b !important;opacity:1}
footer, footer a, footer button, .show-api, .built-with, .settings, .or {color:#52525b !important}
.card {border:1px solid #d4d4d8;border-radius:8px;padding:8px 12px}
"""


def staff_page(desk, editor, uploads_dir: Path):
    """Build the staff Blocks on a StaffDesk and an EditorDesk; `uploads_dir` is where this page's
    uploads land (Gradio's upload folder for the staff app), the only place an upload may come from."""
    import gradio as gr

    with gr.Blocks(title="clinicbot staff desk") as page:
        with gr.Row():
            gr.Markdown("# clinicbot staff desk", elem_id="desk-title")
            gr.Button("Sign out", link="/staff/logout", size="sm", scale=0, elem_id="sign-out")
        with gr.Tabs() as tabs:
            with gr.Tab("Quality"):
                _quality_tab(gr, desk)
            with gr.Tab("Inspect an answer"):
                _inspect_tab(gr, desk)
            with gr.Tab("Feedback"):
                table = _feedback_tab(gr, desk)
            with gr.Tab("Content gaps", id="gaps"):
                start, gap_questions = gaps_tab(gr, desk)
            with gr.Tab("Sign-ins"):
                gr.Markdown(
                    "Staff sign-ins, newest first: every wrong password, every lockout and every sign-in. Many wrong "
                    "passwords from one address, or for a user name nobody uses, mean someone is guessing."
                )
                signins = gr.Dataframe(
                    headers=SIGNIN_HEADERS,
                    interactive=False,
                    wrap=True,
                    elem_id="signins",
                    column_widths=["16%", "16%", "16%", "20%", "32%"],
                )
                gr.Button("Refresh", elem_id="refresh-signins").click(
                    lambda: _signin_rows(desk), None, signins, api_visibility="private"
                )
            with gr.Tab("Articles", id="articles"):
                listing, remove, answer_questions, answer_pick = articles_tab(gr, editor, uploads_dir)
        # "Write an approved answer" on a content gap: the Articles tab opens with the group's questions filled in
        start.click(
            lambda qs: (gr.Tabs(selected="articles"), None, qs),  # a new answer, not the one last opened
            gap_questions,
            [tabs, answer_pick, answer_questions],
            api_visibility="private",
        )

        def on_load():
            rows = editor_rows(editor)  # read the served articles once for the list and the remove choices
            return rows, gr.update(choices=[r[0] for r in rows]), _feedback_rows(desk), _signin_rows(desk)

        page.load(on_load, None, [listing, remove, table, signins], api_visibility="private")
    return page


def _quality_tab(gr, desk) -> None:
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
    topics = gr.Plot(label="Passing questions by topic", elem_id="chart-topics", visible=False, show_label=False)
    with gr.Accordion("The charts' numbers as text", open=False, elem_id="chart-text-section"):
        chart_text = gr.Markdown(elem_id="chart-text")
    gr.Markdown("### Failing cases")
    failing_note = gr.Markdown(elem_id="eval-failing-note")
    failing = gr.Dataframe(
        headers=FAILING_HEADERS,
        wrap=True,
        interactive=False,
        elem_id="eval-failing",
        column_widths=["22%", "12%", "36%", "20%", "10%"],
    )

    def run_evals(progress=gr.Progress()):
        out = desk.run_evals(progress=lambda i, n: progress(i / n, desc=f"case {i} of {n}"))
        reading = out["reading"]
        gates = (
            "**All enforced gates passed.**"
            if not out["failures"]
            else "**Some gates failed:**\n" + "\n".join(f"- {md(f)}" for f in out["failures"])
        )
        text = (
            f"{md(out['summary'])}\n\n{gates}\n\nAnswers read at grade **{reading['median_grade']}** (median; "
            f"Flesch-Kincaid, lower is plainer) and are **{reading['median_words']}** words long (median of "
            f"{reading['answers']} answers)."
        )
        rows = [[f.question, f.expected, f.answer, f.problem, f.topic] for f in out["failing"]]
        note = f"{len(rows)} case(s) failing, safety first." if rows else "No case is failing."
        shown = lambda fig: gr.update(value=fig, visible=True)  # noqa: E731
        return (
            text,
            shown(charts.history_chart(out["history"])),
            shown(charts.confusion_chart(out["confusion"])),
            shown(charts.topic_chart(out["topics"])),
            charts.as_text(out["history"], out["topics"], out["confusion"]),
            note,
            rows,
        )

    run.click(
        run_evals,
        None,
        [summary, history, confusion, topics, chart_text, failing_note, failing],
        api_visibility="private",
    )


def _inspect_tab(gr, desk) -> None:
    question = gr.Textbox(label="Question to inspect", elem_id="inspect-question")
    card = gr.Markdown(elem_id="inspect-card")
    evidence = gr.Dataframe(
        headers=["article, section", "meaning match", "word match", "combined"],
        interactive=False,
        wrap=True,
        elem_id="inspect-evidence",
        label="Passages found",
        column_widths=["55%", "15%", "15%", "15%"],
    )
    sentences = gr.Dataframe(
        headers=["sentence", "score", "used in the answer"],
        interactive=False,
        wrap=True,
        elem_id="inspect-sentences",
        label="Sentences considered",
        column_widths=["70%", "15%", "15%"],
    )
    with gr.Accordion("Raw trace (for engineers)", open=False, elem_id="inspect-raw"):
        raw = gr.JSON(label="Trace", elem_id="inspect-trace")

    def inspect(q):
        answer = desk.inspect(q or "")
        return (
            inspection_card(answer),
            _evidence_rows(answer.trace),
            _sentence_rows(answer.trace),
            {"answer": answer.to_json(), "trace": answer.trace},
        )

    question.submit(inspect, question, [card, evidence, sentences, raw], api_visibility="private")


def inspection_card(answer) -> str:
    """One answer and the decisions behind it, in words."""
    t = answer.trace
    guard = t.get("guard", {})
    lines = [
        f"### Reply: {KIND_NAMES.get(answer.kind, answer.kind)}",
        md(answer.answer),
        "",
        f"**Safety check:** {md(_guard_said(guard))} ({md(guard.get('reason', ''))})",
    ]
    if t.get("clinic"):
        lines.append(f"**Answered from the clinic's own file:** {md(t['clinic']['answered_from'])}")
    if "compose" in t:
        c = t["compose"]
        lines.append(
            f"**How sure:** {c['answerable']:.2f}"
            + (f"; it did not answer because {md(c['why'])}" if c["abstain"] else "")
        )
    elif t.get("abstain"):
        lines.append(f"**Did not answer because:** {md(t['abstain'])}")
    for c in answer.citations:
        lines.append(f"- [{c.n}] {md(c.title)}" + (f", {md(c.section)}" if c.section else ""))
    return "\n\n".join(lines)


def _evidence_rows(trace: dict) -> list[list]:
    return [
        [
            f"{r['chunk'].split('#')[0]}, {r['section']}" if r.get("section") else r["chunk"],
            r["dense"],
            r["lexical"],
            r["fused"],
        ]
        for r in trace.get("evidence", [])
    ]


def _sentence_rows(trace: dict) -> list[list]:
    return [
        [s["text"], s["score"], "yes" if s["chosen"] else ""] for s in trace.get("compose", {}).get("sentences", [])
    ]


def _feedback_tab(gr, desk):
    gr.Markdown(
        "Conversations that held a **crisis** are listed first and flagged ⚠️, then answers rated 👎, then the newest."
    )
    refresh = gr.Button("Refresh", elem_id="refresh-feedback")
    table = gr.Dataframe(
        headers=FEEDBACK_HEADERS,
        interactive=False,
        wrap=True,
        elem_id="feedback",
        column_widths=["9%", "8%", "12%", "27%", "12%", "8%", "24%"],
    )
    refresh.click(lambda: _feedback_rows(desk), None, table, api_visibility="private")
    with gr.Row():
        exchange = gr.Number(label="Answer #", precision=0)
        kind = gr.Dropdown(list(KINDS), value="answer", label="Expected kind")
        sources = gr.Textbox(label="Expected source file(s), comma-separated")
        facts = gr.Textbox(label="Facts the answer must contain, comma-separated")
    add = gr.Button("Add as an evaluation case")
    added = gr.Markdown()

    def add_case(ex, k, src, fct):
        try:
            case = desk.add_case(
                int(ex or 0), k, [s.strip() for s in src.split(",")], [f.strip() for f in fct.split(",")]
            )
            return f"Added case {md(case['id'])} to the dev split."
        except ValueError as exc:
            return f"Not added: {md(exc)}"

    add.click(add_case, [exchange, kind, sources, facts], added, api_visibility="private")
    _deletion(gr, desk, table)
    return table


def _deletion(gr, desk, table) -> None:
    """Delete one conversation on a patient's request (by an answer number here, or the reference the patient
    quotes)."""
    with gr.Row():
        reference = gr.Textbox(
            label="Conversation to delete: the reference the patient quotes, or the number of one of its answers",
            elem_id="delete-reference",
            scale=4,
        )
        delete = gr.Button("Delete conversation", variant="stop", elem_id="delete-conversation", scale=1)
    deleted = gr.Markdown(elem_id="delete-status")

    def delete_one(ref):
        try:
            return desk.delete_conversation(ref), _feedback_rows(desk), ""
        except ValueError as exc:
            return f"Nothing deleted: {exc}", gr.update(), ref

    delete.click(delete_one, reference, [deleted, table, reference], api_visibility="private")


def _signin_rows(desk) -> list[list]:
    return [[e["at"].replace("T", " "), e["event"], e["user"], e["client"], e["detail"]] for e in desk.sign_ins()]


def _feedback_rows(desk) -> list[list]:
    """Crisis conversations first, then thumbs-down, then newest, as the desk returns them."""
    rating = {1: "👍", -1: "👎"}
    return [
        [
            "⚠️ crisis" if r["crisis"] else "",
            r["id"],
            r["at"].replace("T", " "),
            r["question"],
            KIND_NAMES.get(r["kind"], r["kind"]),
            rating.get(r["rating"], ""),
            r["comment"] or "",
        ]
        for r in desk.feedback()
    ]


def _guard_said(guard: dict) -> str:
    """The guard's verdict in the staff desk's words ("passed" when it let the message through)."""
    kind = guard.get("kind")
    return "passed" if kind == "allowed" else KIND_NAMES.get(kind, "passed")
