"""The staff desk's Feedback tab: the latest exchanges newest first with what each patient was told, crisis
and emergency conversations flagged once each, turning one into an evaluation case, and deleting a
conversation on a patient's request."""

from __future__ import annotations

from bot.core.records import KINDS
from webui.inspect_tab import KIND_NAMES
from webui.render import md

FEEDBACK_HEADERS = ["flag", "answer #", "when", "question", "what the patient was told", "rating", "comment"]
FLAGS = {"crisis": "⚠️ crisis", "emergency": "⚠️ emergency"}
REPLY_CHARS = 280  # the table shows the start of a long reply; the whole one is in Inspect


def feedback_tab(gr, desk):
    gr.Markdown(
        "The latest answers, newest first, with what each patient was told. A conversation that held a **crisis** "
        "or an **emergency** is flagged ⚠️ once, on its latest answer."
    )
    refresh = gr.Button("Refresh", elem_id="refresh-feedback")
    table = gr.Dataframe(
        headers=FEEDBACK_HEADERS,
        interactive=False,
        wrap=True,
        elem_id="feedback",
        column_widths=["10%", "7%", "11%", "20%", "30%", "7%", "15%"],
    )
    refresh.click(lambda: feedback_rows(desk), None, table, api_visibility="private")
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
            return desk.delete_conversation(ref), feedback_rows(desk), ""
        except ValueError as exc:
            return f"Nothing deleted: {exc}", gr.update(), ref

    delete.click(delete_one, reference, [deleted, table, reference], api_visibility="private")


def feedback_rows(desk) -> list[list]:
    """The rows as the desk returns them: newest first, a flagged conversation flagged once."""
    rating = {1: "👍", -1: "👎"}
    return [
        [
            FLAGS.get(r["flag"], ""),
            r["id"],
            r["at"].replace("T", " "),
            r["question"],
            _short(r["reply"]) or KIND_NAMES.get(r["kind"], r["kind"]),
            rating.get(r["rating"], ""),
            r["comment"] or "",
        ]
        for r in desk.feedback()
    ]


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= REPLY_CHARS else text[: REPLY_CHARS - 1].rsplit(" ", 1)[0] + " …"
