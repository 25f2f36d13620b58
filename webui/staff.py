"""Staff pages (/staff, behind a sign-in): quality desk, answer inspector, feedback and deletion on request,
sign-in log, editor's corpus desk."""

import json
from pathlib import Path

from bot.editor import EditError
from bot.records import KINDS
from evals import report

SIGNIN_HEADERS = ["when", "what happened", "user name tried", "from (client address)", "details"]


def staff_page(desk, editor, uploads_dir: Path):
    """Build the staff Blocks on a StaffDesk and an EditorDesk; `uploads_dir` is where this page's
    uploads land (Gradio's upload folder for the staff app), the only place an upload may come from."""
    import gradio as gr

    with gr.Blocks(title="clinicbot staff") as page:
        with gr.Row():
            gr.Markdown("## clinicbot staff desk")
            gr.Button("Sign out", link="/staff/logout", size="sm", scale=0, elem_id="sign-out")
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
            _deletion(gr, desk, table)
        with gr.Tab("Sign-ins"):
            gr.Markdown("Staff sign-ins, newest first: every wrong password, every lockout and every sign-in. Many wrong "
                        "passwords from one address, or for a user name nobody uses, mean someone is guessing.")
            signins = gr.Dataframe(headers=SIGNIN_HEADERS, interactive=False, wrap=True, elem_id="signins")
            gr.Button("Refresh", elem_id="refresh-signins").click(lambda: _signin_rows(desk), None, signins,
                                                                  api_visibility="private")
        with gr.Tab("Articles"):
            listing, remove = _articles_tab(gr, editor, uploads_dir)

        def on_load():
            rows = _rows(editor)  # read the served articles once for the list and the remove choices
            return rows, gr.update(choices=[r[0] for r in rows]), _feedback_rows(desk), _signin_rows(desk)

        page.load(on_load, None, [listing, remove, table, signins], api_visibility="private")
    return page


def _deletion(gr, desk, table) -> None:
    """Delete one conversation on a patient's request (by an answer id here, or the reference the patient quotes)."""
    with gr.Row():
        reference = gr.Textbox(label="Conversation to delete: the reference the patient quotes, or the number of one of its answers",
                               elem_id="delete-reference", scale=4)
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
    """Newest and thumbs-down first, as the desk returns them."""
    return [[r["id"], r["at"], r["question"], r["kind"], r["rating"], r["comment"]] for r in desk.feedback()]


def _articles_tab(gr, editor, uploads_dir: Path):
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

    def receive(payload, names):
        notes, names = [], list(names or [])
        for name, path in _uploads(payload, uploads_dir):
            try:
                editor.receive(name, path)
                names.append(name) if name not in names else None
                notes.append(f"- {name}: ready to preview")
            except EditError as exc:
                notes.append(f"- {exc}")
        return "\n".join(notes), gr.update(choices=names, value=names[-1] if names else None), names

    # preprocess=False: the handler gets the file records as sent, with the name the client gave the file. Gradio's
    # own processing keeps only a cleaned base name, so "../../evil.md" would arrive as "evil.md", never refused.
    files.upload(receive, [files, uploaded], [upload_status, chosen, uploaded], api_visibility="private", preprocess=False)

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


def _uploads(payload, uploads_dir: Path) -> list[tuple[str, Path]]:
    """(name as the client sent it, stored path) for each uploaded file record. A path outside this page's upload
    folder was not uploaded here (a crafted request naming a server file): it is dropped, never read."""
    records = payload if isinstance(payload, list) else [payload] if payload else []
    out = []
    for record in records:
        record = record if isinstance(record, dict) else getattr(record, "model_dump", lambda: {})()
        path = Path(str(record.get("path") or "")).resolve()
        if path.is_file() and path.is_relative_to(uploads_dir.resolve()):
            out.append((str(record.get("orig_name") or path.name), path))
    return out


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
