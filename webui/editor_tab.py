"""The Articles tab, for content editors: served articles, uploads with a preview and their reading grade,
the clinic profile, approved answers, and the check that explains every changed case before publishing."""

from pathlib import Path

from services.editor import EditError, describe_change
from webui.render import md

ARTICLE_HEADERS = ["file", "title", "chunks", "last reviewed", "indexed at", "review"]
APPROVED_HEADERS = ["questions it answers", "answer", "reviewed", "rests on"]
PROFILE_FIELDS = (
    ("name", "Clinic name"),
    ("phone", "Phone"),
    ("hours", "Opening hours"),
    ("address", "Address"),
    ("booking", "Booking link"),
    ("crisis_line", "Crisis line (988 in the US)"),
    ("emergency_number", "Emergency number (911 in the US)"),
    ("topic", "What patients ask about (a few words)"),
    ("scope", "What the assistant can help with (one sentence)"),
)


def articles_tab(gr, editor, uploads_dir: Path):
    """Build the tab; returns the article list, the remove choice and the approved answer's questions box."""
    gr.Markdown("### Articles patients are served")
    listing = gr.Dataframe(
        headers=ARTICLE_HEADERS,
        interactive=False,
        wrap=True,
        elem_id="articles",
        column_widths=["22%", "30%", "8%", "13%", "17%", "10%"],
    )
    gr.Button("Refresh list").click(lambda: editor_rows(editor), None, listing, api_visibility="private")
    preview_controls = _uploads(gr, editor, uploads_dir)
    with gr.Accordion(
        "Clinic profile: name, phone, hours, address, booking link, help lines", open=False, elem_id="profile-section"
    ):
        _profile(gr, editor)
    with gr.Accordion("Approved answers", open=True, elem_id="approved-section"):
        answer_questions = _approved(gr, editor)
    remove = gr.Dropdown(label="Article to remove", choices=[], elem_id="remove-choice")
    with gr.Row():
        check_add = gr.Button("Check my changes against the evaluation sets", variant="primary", elem_id="check-add")
        check_remove = gr.Button("Check removal against the evaluation sets", elem_id="check-remove")
    check_report = gr.Markdown(elem_id="check-report")
    reason = gr.Textbox(
        label="Publish anyway because ... (needed when a gate fails or a question that passed now "
        "fails; recorded with your name)",
        elem_id="override-reason",
    )
    publish = gr.Button("Publish", variant="stop", elem_id="publish")
    publish_status = gr.Markdown(elem_id="publish-status")
    staged = gr.State(None)
    uploaded = preview_controls

    def check(add, drop):
        try:
            s = editor.stage(add=add or [], remove=[drop] if drop else [])
        except EditError as exc:
            return None, f"Cannot check: {md(exc)}"
        return s, check_text(s)

    check_add.click(lambda names: check(names, None), uploaded, [staged, check_report], api_visibility="private")
    check_remove.click(lambda drop: check([], drop), remove, [staged, check_report], api_visibility="private")

    def do_publish(s, why, request: gr.Request):
        if s is None:
            return s, "Check the change first.", gr.update(), gr.update()
        try:
            message = editor.publish(s, getattr(request, "username", None) or "staff", why or "")
        except EditError as exc:
            return s, f"**{md(exc)}**", gr.update(), gr.update()
        rows = editor_rows(editor)
        return None, md(message), rows, gr.update(choices=[r[0] for r in rows], value=None)

    publish.click(do_publish, [staged, reason], [staged, publish_status, listing, remove], api_visibility="private")
    return listing, remove, answer_questions


def _uploads(gr, editor, uploads_dir: Path):
    """Upload, preview (cleaned text, reading grade, hardest sentences, chunks) and details; returns the state
    listing the uploaded file names."""
    gr.Markdown("### Add or replace an article")
    files = gr.UploadButton("Upload articles (.pdf, .md, .txt or .html)", file_count="multiple", elem_id="upload")
    upload_status = gr.Markdown(elem_id="upload-status")
    chosen = gr.Dropdown(label="Uploaded file", choices=[], elem_id="uploaded")
    with gr.Row():
        title, reviewed, url = (
            gr.Textbox(label="Title"),
            gr.Textbox(label="Last reviewed (YYYY-MM-DD)"),
            gr.Textbox(label="Source URL"),
        )
    save_meta = gr.Button("Save details")
    reading = gr.Markdown(elem_id="preview-reading")
    cleaned = gr.Textbox(
        label="Cleaned text (what patients can be quoted)", lines=8, interactive=False, elem_id="preview-text"
    )
    chunks = gr.Dataframe(
        headers=["section", "words", "text"],
        interactive=False,
        wrap=True,
        elem_id="preview-chunks",
        column_widths=["20%", "8%", "72%"],
    )
    uploaded = gr.State([])

    def receive(payload, names):
        notes, names = [], list(names or [])
        for name, path in uploaded_files(payload, uploads_dir):
            try:
                editor.receive(name, path)
                names.append(name) if name not in names else None
                notes.append(f"- {md(name)}: ready to preview")
            except EditError as exc:
                notes.append(f"- {md(exc)}")
        return "\n".join(notes), gr.update(choices=names, value=names[-1] if names else None), names

    # preprocess=False: the handler gets the file records as sent, with the name the client gave the file. Gradio's
    # own processing keeps only a cleaned base name, so "../../evil.md" would arrive as "evil.md", never refused.
    files.upload(
        receive, [files, uploaded], [upload_status, chosen, uploaded], api_visibility="private", preprocess=False
    )

    def show(name):
        if not name:
            return "", "", []
        p = editor.preview(name)
        return reading_text(p["reading"]), p["text"], [[c["section"], c["words"], c["text"]] for c in p["chunks"]]

    chosen.change(show, chosen, [reading, cleaned, chunks], api_visibility="private")

    def describe(name, t, r, u):
        try:
            editor.describe(name, t, r, u)
            return "Details saved.", *show(name)
        except EditError as exc:
            return f"Not saved: {md(exc)}", gr.update(), gr.update(), gr.update()

    save_meta.click(
        describe, [chosen, title, reviewed, url], [upload_status, reading, cleaned, chunks], api_visibility="private"
    )
    return uploaded


def uploaded_files(payload, uploads_dir: Path) -> list[tuple[str, Path]]:
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


def editor_rows(editor) -> list[list]:
    """The served articles for the Articles tab."""
    return [
        [
            a["source"],
            a["title"],
            a["chunks"],
            a["reviewed"],
            a["ingested_at"].replace("T", " "),
            "due" if a["needs_review"] else "",
        ]
        for a in editor.articles()
    ]


def reading_text(reading: dict) -> str:
    """An article's reading grade and hardest sentences, for the editor."""
    grade = reading["grade"]
    verdict = "plain" if grade <= 8 else "fairly hard" if grade <= 12 else "hard"
    lines = [
        f"**Reading grade {grade}** ({verdict} to read; patient materials aim for grade 8 or lower). "
        f"The hardest sentences, to rewrite first:"
    ]
    lines += [f"{i}. (grade {g}) {md(s)}" for i, (g, s) in enumerate(reading["hardest"], start=1)]
    return "\n".join(lines)


def _profile(gr, editor) -> None:
    profile = editor.profile()
    boxes = [
        gr.Textbox(label=label, value=getattr(profile, key), elem_id=f"profile-{key}") for key, label in PROFILE_FIELDS
    ]
    starters = gr.Textbox(
        label="Starter questions on the patient page (one per line)",
        lines=4,
        value="\n".join(profile.starters),
        elem_id="profile-starters",
    )
    save = gr.Button("Save profile draft", elem_id="save-profile")
    status = gr.Markdown(elem_id="profile-status")

    def save_profile(*values):
        data = dict(zip([k for k, _ in PROFILE_FIELDS], values[:-1], strict=False), starters=values[-1])
        try:
            changes = editor.profile_changes(editor.draft_profile(data))
        except EditError as exc:
            return f"Not saved: {md(exc)}"
        if not changes:
            return "Profile draft saved. It is the same as the profile patients see now."
        labels = {**dict(PROFILE_FIELDS), "starters": "Starter questions"}
        said = "".join(
            f"\n- {labels[k]}: {md(after) or '(empty)'} (now: {md(before) or '(empty)'})"
            for k, before, after in changes
        )
        return (
            f"Profile draft saved. Changes from what patients see now:{said}\n\nCheck and publish it below to serve it."
        )

    save.click(save_profile, [*boxes, starters], status, api_visibility="private")


def _approved(gr, editor):
    gr.Markdown(
        "A short, plain answer to a question patients ask often. A patient question that means the same "
        "gets this answer, cited as the clinic's answer."
    )
    table = gr.Dataframe(
        headers=APPROVED_HEADERS,
        interactive=False,
        wrap=True,
        elem_id="approved",
        column_widths=["30%", "44%", "11%", "15%"],
        value=lambda: _approved_rows(editor),
    )
    questions = gr.Textbox(
        label="Questions it answers (one per line; several wordings help it match)",
        lines=3,
        elem_id="approved-questions",
    )
    answer = gr.Textbox(label="Answer (short sentences, everyday words)", lines=3, elem_id="approved-answer")
    with gr.Row():
        reviewed = gr.Textbox(label="Reviewed on (YYYY-MM-DD)", elem_id="approved-reviewed")
        articles = [a["source"] for a in editor.articles()]
        rests_on = gr.Dropdown(
            label="Articles it rests on", choices=articles, multiselect=True, elem_id="approved-rests-on"
        )
    with gr.Row():
        save = gr.Button("Save approved answer draft", elem_id="save-approved")
        drop_choice = gr.Dropdown(
            label="Approved answer to take out",
            choices=[e.id for e in editor.approved()],
            elem_id="approved-drop-choice",
        )
        drop = gr.Button("Take it out (draft)", elem_id="drop-approved")
    status = gr.Markdown(elem_id="approved-status")

    def save_answer(q, a, r, rests):
        try:
            entry = editor.draft_answer(q or "", a or "", r or "", rests or [])
        except EditError as exc:
            return f"Not saved: {md(exc)}", gr.update(), gr.update()
        note = f'Draft saved: "{md(entry.questions[0])}". Check and publish it below to serve it.'
        return note, _approved_rows(editor), gr.update(choices=[e.id for e in editor.approved()])

    save.click(
        save_answer, [questions, answer, reviewed, rests_on], [status, table, drop_choice], api_visibility="private"
    )

    def drop_answer(entry_id):
        try:
            editor.drop_answer(entry_id or "")
        except EditError as exc:
            return f"Nothing taken out: {md(exc)}", gr.update(), gr.update()
        return (
            "Taken out of the draft. Check and publish to serve the change.",
            _approved_rows(editor),
            gr.update(choices=[e.id for e in editor.approved()], value=None),
        )

    drop.click(drop_answer, drop_choice, [status, table, drop_choice], api_visibility="private")
    return questions


def _approved_rows(editor) -> list[list]:
    return [[" / ".join(e.questions), e.answer, e.reviewed, ", ".join(e.rests_on)] for e in editor.approved()]


def check_text(s) -> str:
    """The check's result in words: what changed, the gates, and every case that changed with its replies."""
    lines = [f"**Checked:** {md(describe_change(s))}"]
    lines += [f"- This file could not be read: {md(f['source'])}: {md(f['error'])}" for f in s.failed_files]
    if s.failures:
        lines.append(
            "**Gates failed.** Publishing needs a reason below:\n" + "\n".join(f"- {md(f)}" for f in s.failures)
        )
    elif s.regressions:
        lines.append(
            f"**All enforced gates pass, but {len(s.regressions)} question(s) that were answered well before now "
            "fail.** Publishing needs a reason below."
        )
    else:
        lines.append("**All enforced gates pass and no question got worse: you may publish.**")
    if not s.changes:
        lines.append("No evaluation question changed.")
    for c in s.changes:
        mark = "❌ now fails" if c.worse else "✅ now passes" if c.passes_now else "still fails"
        lines.append(f"**{mark}:** {md(c.question)}\n\n- Before: {md(c.before)}\n- After: {md(c.after)}")
    return "\n\n".join(lines)
