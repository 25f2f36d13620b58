"""Staff pages (/staff, behind a login): quality desk, answer inspector, feedback, editor's corpus desk."""

import json

from bot.editor import EditError
from bot.records import KINDS
from evals import report


def staff_page(desk, editor):
    """Build the staff Blocks on a StaffDesk and an EditorDesk."""
    import gradio as gr

    with gr.Blocks(title="clinicbot staff") as page:
        gr.Markdown("## clinicbot staff desk")
        with gr.Tab("Quality"):
            run = gr.Button("Run the evaluation sets", variant="primary", elem_id="run-evals")
            summary = gr.Markdown(elem_id="eval-summary")
            figures = gr.Code(label="Metrics (previous run in brackets) and safety confusion matrix", elem_id="eval-table")
            failing = gr.Dataframe(label="Failing cases", wrap=True, interactive=False, elem_id="eval-failing")

            def run_evals(progress=gr.Progress()):
                out = desk.run_evals(progress=lambda i, n: progress(i / n, desc=f"case {i} of {n}"))
                text = report.table(out["figures"], out["previous"]) + "\n\n" + report.confusion(out["figures"])
                verdict = "All enforced gates passed." if not out["failures"] else "Gates failed: " + "; ".join(out["failures"])
                rows = [[f["id"], f["split"], f["expected"], f["got"], f["question"], f["answer"], f["checks"]] for f in out["failing"]]
                return verdict, text, gr.update(value=rows, headers=["id", "split", "expected", "got", "question", "answer", "checks"])

            run.click(run_evals, None, [summary, figures, failing], api_visibility="private")
        with gr.Tab("Inspect an answer"):
            question = gr.Textbox(label="Question", elem_id="inspect-question")
            trace = gr.JSON(label="Guard decision, evidence with dense/lexical/fused scores, sentences and why", elem_id="inspect-trace",
                            open=True)
            question.submit(desk.inspect, question, trace, api_visibility="private")
        with gr.Tab("Feedback"):
            refresh = gr.Button("Refresh")
            table = gr.Dataframe(headers=["id", "at", "question", "kind", "rating", "comment"], interactive=False, wrap=True)
            refresh.click(lambda: _feedback_rows(desk), None, table, api_visibility="private")
            with gr.Row():
                exchange = gr.Number(label="Answer id", precision=0)
                kind = gr.Dropdown(list(KINDS), value="answer", label="Expected kind")
                sources = gr.Textbox(label="Expected source file(s), comma-separated")
                facts = gr.Textbox(label="Facts the answer must contain, comma-separated")
            add = gr.Button("Add as an evaluation case")
            added = gr.Markdown()

            def add_case(ex, k, src, fct):
                try:
                    case = desk.add_case(int(ex or 0), k, [s.strip() for s in src.split(",")], [f.strip() for f in fct.split(",")])
                    return f"Added case `{case['id']}` to the dev split."
                except ValueError as exc:
                    return f"Not added: {exc}"

            add.click(add_case, [exchange, kind, sources, facts], added, api_visibility="private")
        with gr.Tab("Articles"):
            listing, remove = _articles_tab(gr, editor)
        def on_load():
            rows = _rows(editor)  # read the served articles once for the list and the remove choices
            return rows, gr.update(choices=[r[0] for r in rows]), _feedback_rows(desk)

        page.load(on_load, None, [listing, remove, table], api_visibility="private")
    return page


def _feedback_rows(desk) -> list[list]:
    """Newest and thumbs-down first, as the desk returns them."""
    return [[r["id"], r["at"], r["question"], r["kind"], r["rating"], r["comment"]] for r in desk.feedback()]


def _articles_tab(gr, editor):
    listing = gr.Dataframe(headers=["source", "title", "chunks", "reviewed", "ingested_at", "needs_review"],
                           interactive=False, wrap=True, elem_id="articles")
    gr.Button("Refresh list").click(lambda: _rows(editor), None, listing, api_visibility="private")
    files = gr.File(label="Upload .pdf, .md, .txt or .html", file_count="multiple", elem_id="upload")
    upload_status = gr.Markdown(elem_id="upload-status")
    chosen = gr.Dropdown(label="Uploaded file", choices=[], elem_id="uploaded")
    with gr.Row():
        title, reviewed, url = gr.Textbox(label="Title"), gr.Textbox(label="Last reviewed (YYYY-MM-DD)"), gr.Textbox(label="Source URL")
    save_meta = gr.Button("Save details")
    cleaned = gr.Textbox(label="Cleaned text (what patients can be quoted)", lines=8, interactive=False, elem_id="preview-text")
    chunks = gr.Dataframe(headers=["section", "words", "text"], interactive=False, wrap=True, elem_id="preview-chunks")
    remove = gr.Dropdown(label="Article to remove", choices=[], elem_id="remove-choice")
    with gr.Row():
        check_add = gr.Button("Check uploads against the evaluation sets", variant="primary", elem_id="check-add")
        check_remove = gr.Button("Check removal against the evaluation sets", elem_id="check-remove")
    check_report = gr.Markdown(elem_id="check-report")
    reason = gr.Textbox(label="Override reason (only if a gate failed; recorded)", elem_id="override-reason")
    publish = gr.Button("Publish", variant="stop", elem_id="publish")
    publish_status = gr.Markdown(elem_id="publish-status")
    staged = gr.State(None)
    uploaded = gr.State([])

    def receive(paths, names):
        notes, names = [], list(names or [])
        for path in paths or []:
            name = getattr(path, "orig_name", None) or str(path).rsplit("/", 1)[-1]
            try:
                editor.receive(name, path)
                names.append(name) if name not in names else None
                notes.append(f"- {name}: ready to preview")
            except EditError as exc:
                notes.append(f"- {exc}")
        return "\n".join(notes), gr.update(choices=names, value=names[-1] if names else None), names

    files.upload(receive, [files, uploaded], [upload_status, chosen, uploaded], api_visibility="private")

    def show(name):
        if not name:
            return "", []
        p = editor.preview(name)
        return p["text"], [[c["section"], c["words"], c["text"]] for c in p["chunks"]]

    chosen.change(show, chosen, [cleaned, chunks], api_visibility="private")

    def describe(name, t, r, u):
        try:
            editor.describe(name, t, r, u)
            return "Details saved.", *show(name)
        except EditError as exc:
            return f"Not saved: {exc}", gr.update(), gr.update()

    save_meta.click(describe, [chosen, title, reviewed, url], [upload_status, cleaned, chunks], api_visibility="private")

    def check(add, drop):
        try:
            s = editor.stage(add=add or [], remove=[drop] if drop else [])
        except EditError as exc:
            return None, f"Cannot check: {exc}"
        return s, _check_text(s)

    check_add.click(lambda names: check(names, None), uploaded, [staged, check_report], api_visibility="private")
    check_remove.click(lambda drop: check([], drop), remove, [staged, check_report], api_visibility="private")

    def do_publish(s, why, request: gr.Request):
        if s is None:
            return s, "Check the change first.", gr.update(), gr.update()
        try:
            message = editor.publish(s, getattr(request, "username", None) or "staff", why or "")
        except EditError as exc:
            return s, f"**{exc}**", gr.update(), gr.update()
        rows = _rows(editor)
        return None, message, rows, gr.update(choices=[r[0] for r in rows], value=None)

    publish.click(do_publish, [staged, reason], [staged, publish_status, listing, remove], api_visibility="private")
    return listing, remove


def _rows(editor) -> list[list]:
    return [[a["source"], a["title"], a["chunks"], a["reviewed"], a["ingested_at"], "yes" if a["needs_review"] else ""]
            for a in editor.articles()]


def _check_text(s) -> str:
    lines = [f"Checked a new index with **added** {s.added or 'nothing'} and **removed** {s.removed or 'nothing'}."]
    lines += [f"- file failed: {f['source']}: {f['error']}" for f in s.failed_files]
    lines.append("**All enforced gates pass: you may publish.**" if not s.failures else
                 "**Gates failed** (publishing is refused unless you give an override reason):\n" + "\n".join(f"- {f}" for f in s.failures))
    if s.changes:
        lines.append("Cases that changed:\n" + "\n".join(f"- {c['case']}: {c['before']} → {c['now']}" for c in s.changes))
    else:
        lines.append("No evaluation case changed.")
    answers = {split: g["answers"] for split, g in s.figures.items()}
    lines.append("```\n" + json.dumps({k: {m: round(v, 3) for m, v in a.items()} for k, a in answers.items()}, indent=1) + "\n```")
    return "\n\n".join(lines)
