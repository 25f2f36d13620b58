"""Staff pages (/staff, behind a sign-in), in plain words and pictures: quality summary and charts, the
answer inspector as a readable card, feedback with crisis conversations first, content gaps, sign-ins,
and the editors' desk (webui/editor_tab.py)."""

from pathlib import Path

from webui.editor_tab import articles_tab, editor_rows
from webui.feedback_tab import feedback_rows, feedback_tab
from webui.gaps_tab import gaps_tab
from webui.inspect_tab import inspect_tab
from webui.quality_tab import quality_tab

SIGNIN_HEADERS = ["when", "what happened", "user name tried", "from (client address)", "details"]
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
                fix, failing_question = quality_tab(gr, desk)
            with gr.Tab("Inspect an answer"):
                inspect_tab(gr, desk)
            with gr.Tab("Feedback"):
                table = feedback_tab(gr, desk)
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
        # ... and so does "Write an approved answer for it" on a failing case, with the case's question
        fix.click(
            lambda q: (gr.Tabs(selected="articles"), None, q),  # a new answer, not the one last opened
            failing_question,
            [tabs, answer_pick, answer_questions],
            api_visibility="private",
        )

        def on_load():
            rows = editor_rows(editor)  # read the served articles once for the list and the remove choices
            return rows, gr.update(choices=[r[0] for r in rows]), feedback_rows(desk), _signin_rows(desk)

        page.load(on_load, None, [listing, remove, table, signins], api_visibility="private")
    return page


def _signin_rows(desk) -> list[list]:
    return [[e["at"].replace("T", " "), e["event"], e["user"], e["client"], e["detail"]] for e in desk.sign_ins()]
