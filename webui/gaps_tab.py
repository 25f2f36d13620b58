"""The Content gaps tab: unanswered and 👎 questions grouped by meaning, newest groups first; from a group,
one click starts an approved answer (on the Articles tab) or marks it out of scope."""

from webui.render import md

HEADERS = ["questions like", "times asked", "why here", "first asked", "last asked", "other wordings"]


def gaps_tab(gr, desk):
    """Build the tab; returns the "write an approved answer" button and the state holding the chosen group's
    questions (one per line), which the page wires to the Articles tab."""
    gr.Markdown(
        "Questions the assistant could not answer, and answers patients marked 👎, grouped by meaning. "
        "Newest groups first. Each group is a to-do: write an approved answer, or mark it out of scope."
    )
    refresh = gr.Button("Refresh", elem_id="refresh-gaps")
    table = gr.Dataframe(
        headers=HEADERS,
        interactive=False,
        wrap=True,
        elem_id="gaps",
        column_widths=["26%", "9%", "15%", "12%", "12%", "26%"],
    )
    choice = gr.Dropdown(label="Group", choices=[], elem_id="gap-choice")
    with gr.Row():
        start = gr.Button("Write an approved answer for this group", variant="primary", elem_id="gap-answer")
        drop = gr.Button("Mark out of scope", elem_id="gap-out-of-scope")
    status = gr.Markdown(elem_id="gap-status")
    questions = gr.State("")
    groups = gr.State({})

    def load():
        found = desk.gaps()
        rows = [
            [g.key, g.count, g.why(), g.first.replace("T", " "), g.last.replace("T", " "), g.wordings()] for g in found
        ]
        keyed = {g.key: "\n".join(dict.fromkeys(g.questions)) for g in found}
        note = "" if found else "No gaps: every question was answered and nobody marked an answer 👎."
        return rows, gr.update(choices=list(keyed), value=None), keyed, note

    refresh.click(load, None, [table, choice, groups, status], api_visibility="private")
    choice.change(
        lambda key, keyed: (keyed or {}).get(key or "", ""), [choice, groups], questions, api_visibility="private"
    )

    def out_of_scope(key):
        try:
            note = desk.out_of_scope(key or "")
        except ValueError as exc:
            return gr.update(), gr.update(), gr.update(), f"Nothing marked: {md(exc)}"
        rows, update, keyed, _ = load()
        return rows, update, keyed, md(note)

    drop.click(out_of_scope, choice, [table, choice, groups, status], api_visibility="private")
    return start, questions
