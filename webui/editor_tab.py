"""The Articles tab, for content editors: served articles, uploads with a preview and their reading grade,
the clinic profile, approved answers, and the check that explains every changed case before publishing."""

from pathlib import Path

from services.editor import EditError
from services.quality import ANSWERING_NAMES
from webui.editor_check import accept_controls, changed_choices, check_text
from webui.render import md

__all__ = ["articles_tab", "check_text", "editor_rows", "reading_text", "uploaded_files"]

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

# The clinic's choice of how readily to answer (bot/clinic/profile.py ANSWERING): the names staff read on the
# Quality tab, with what each does, so the editor's choice and the staff's chart name it alike
_ANSWERING_HINTS = {
    "more": ': fewer "not covered" replies, more quotes that may not answer the question',
    "balanced": " (recommended)",
    "careful": ': "not covered" unless the articles clearly answer',
}
ANSWERING_WORDS = {key: ANSWERING_NAMES[key] + hint for key, hint in _ANSWERING_HINTS.items()}


def articles_tab(gr, editor, uploads_dir: Path):
    """Build the tab; returns the article list, the remove choice, the approved answer's questions box and the
    choice of the approved answer being edited (cleared when a content gap starts a new one)."""
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
    with gr.Accordion("Approved answers", open=True, elem_id="approved-section") as section:
        answer_questions, answer_pick, rests_on = _approved(gr, editor, section)
    remove = gr.Dropdown(label="Article to remove", choices=[], elem_id="remove-choice")
    with gr.Row():
        check_add = gr.Button("Check my changes against the evaluation sets", variant="primary", elem_id="check-add")
        check_remove = gr.Button("Check removal against the evaluation sets", elem_id="check-remove")
    check_report = gr.Markdown(elem_id="check-report")
    staged = gr.State(None)
    accept_pick = accept_controls(gr, editor, staged, check_report)
    reason = gr.Textbox(
        label="Publish anyway because ... (needed when a gate fails or a question that passed now "
        "fails; recorded with your name)",
        elem_id="override-reason",
    )
    publish = gr.Button("Publish", variant="stop", elem_id="publish")
    publish_status = gr.Markdown(elem_id="publish-status")
    uploaded = preview_controls

    def check(add, drop):
        try:
            s = editor.stage(add=add or [], remove=[drop] if drop else [])
        except EditError as exc:
            return None, f"Cannot check: {md(exc)}", gr.update(choices=[], value=None)
        return s, check_text(s), gr.update(choices=changed_choices(s), value=None)

    checked = [staged, check_report, accept_pick]
    check_add.click(lambda names: check(names, None), uploaded, checked, api_visibility="private")
    check_remove.click(lambda drop: check([], drop), remove, checked, api_visibility="private")

    def do_publish(s, why, request: gr.Request):
        if s is None:
            return s, "Check the change first.", *[gr.update()] * 4
        try:
            message = editor.publish(s, getattr(request, "username", None) or "staff", why or "")
        except EditError as exc:
            return s, f"**{md(exc)}**", *[gr.update()] * 4
        rows = editor_rows(editor)
        # the reason was for this publish only: the box is emptied so it is never reused for the next one
        return (
            None,
            md(message),
            rows,
            gr.update(choices=[r[0] for r in rows], value=None),
            "",
            gr.update(choices=[r[0] for r in rows]),
        )

    publish.click(
        do_publish,
        [staged, reason],
        [staged, publish_status, listing, remove, reason, rests_on],
        api_visibility="private",
    )
    return listing, remove, answer_questions, answer_pick


def _uploads(gr, editor, uploads_dir: Path):
    """Upload, preview (cleaned text, reading grade, hardest sentences, chunks) and details; returns the state
    listing the uploaded file names."""
    gr.Markdown("### Add or replace an article")
    limit = f"{editor.settings.max_file_mb:g} MB"
    files = gr.UploadButton(
        f"Upload articles (.pdf, .md, .txt or .html, up to {limit} each)", file_count="multiple", elem_id="upload"
    )
    gr.Markdown(f"Files of up to {limit} each can be added.", elem_id="upload-limit")
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
    if not reading["hardest"]:
        lines[0] = lines[0].replace("The hardest sentences, to rewrite first:", "No long sentence to rewrite.")
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
    answering = gr.Radio(
        [(words, key) for key, words in ANSWERING_WORDS.items()],
        value=profile.answering,
        label="How readily the assistant answers (the Quality tab shows what each choice costs on your questions)",
        elem_id="profile-answering",
    )
    save = gr.Button("Save profile draft", elem_id="save-profile")
    status = gr.Markdown(elem_id="profile-status")

    def save_profile(*values):
        keys = [k for k, _ in PROFILE_FIELDS]
        data = dict(zip(keys, values[:-2], strict=False), starters=values[-2], answering=values[-1])
        try:
            changes = editor.profile_changes(editor.draft_profile(data))
        except EditError as exc:
            return f"Not saved: {md(exc)}"
        if not changes:
            return "Profile draft saved. It is the same as the profile patients see now."
        labels = {**dict(PROFILE_FIELDS), "starters": "Starter questions", "answering": "How readily it answers"}
        said = "".join(
            f"\n- {labels[k]}: {md(ANSWERING_WORDS.get(after, after)) or '(empty)'} "
            f"(now: {md(ANSWERING_WORDS.get(before, before)) or '(empty)'})"
            for k, before, after in changes
        )
        return (
            f"Profile draft saved. Changes from what patients see now:{said}\n\nCheck and publish it below to serve it."
        )

    save.click(save_profile, [*boxes, starters, answering], status, api_visibility="private")


def _approved(gr, editor, section):
    """The approved answers as records: pick one (a row of the table or the dropdown) to load it into the form,
    save it back by its id, start a new one, or take one out after a confirm step."""
    gr.Markdown(
        "A short, plain answer to a question patients ask often. A patient question that means the same "
        "gets this answer, cited as the clinic's answer. Click a row (or choose below) to change an answer."
    )
    table = gr.Dataframe(
        headers=APPROVED_HEADERS,
        interactive=False,
        wrap=True,
        elem_id="approved",
        column_widths=["30%", "44%", "11%", "15%"],
        value=lambda: _approved_rows(editor),
    )
    with gr.Row():
        pick = gr.Dropdown(
            label="Approved answer to change (empty: a new answer)",
            choices=_answer_choices(editor),
            value=None,
            elem_id="approved-pick",
        )
        new = gr.Button("Start a new answer", elem_id="approved-new")
    questions = gr.Textbox(
        label="Questions it answers (one per line; several wordings help it match)",
        lines=3,
        elem_id="approved-questions",
    )
    answer = gr.Textbox(label="Answer (short sentences, everyday words)", lines=3, elem_id="approved-answer")
    with gr.Row():
        reviewed = gr.Textbox(label="Reviewed on (YYYY-MM-DD)", elem_id="approved-reviewed")
        rests_on = gr.Dropdown(
            label="Articles it rests on",
            choices=_article_choices(editor),
            multiselect=True,
            elem_id="approved-rests-on",
        )
    with gr.Row():
        save = gr.Button("Save approved answer draft", elem_id="save-approved")
        drop = gr.Button("Take this answer out (draft)", elem_id="drop-approved")
        confirm = gr.Button("Yes, take it out", variant="stop", visible=False, elem_id="confirm-drop-approved")
    status = gr.Markdown(elem_id="approved-status")
    form = [questions, answer, reviewed, rests_on]

    def load(entry_id):
        if not entry_id:  # the form is kept: a content gap fills in the questions of a new answer this way
            return gr.update(), gr.update(), gr.update(), gr.update(), gr.update(visible=False)
        try:
            e = editor.answer(entry_id)
        except EditError:
            return gr.update(), gr.update(), gr.update(), gr.update(), gr.update(visible=False)
        choices = sorted(set(_article_choices(editor)) | set(e.rests_on))
        return (
            "\n".join(e.questions),
            e.answer,
            e.reviewed,
            gr.update(value=list(e.rests_on), choices=choices),
            gr.update(visible=False),
        )

    pick.change(load, pick, [*form, confirm], api_visibility="private")

    def from_row(evt: gr.SelectData):
        entries = editor.approved()
        row = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        chosen = entries[row].id if isinstance(row, int) and 0 <= row < len(entries) else None
        return gr.update(choices=_answer_choices(editor), value=chosen)

    table.select(from_row, None, pick, api_visibility="private")
    new.click(
        lambda: (None, "", "", "", gr.update(value=[], choices=_article_choices(editor))),
        None,
        [pick, *form],
        api_visibility="private",
    )

    def save_answer(entry_id, q, a, r, rests):
        try:
            entry = editor.draft_answer(q or "", a or "", r or "", rests or [], entry_id=entry_id or "")
        except EditError as exc:
            return f"Not saved: {md(exc)}", gr.update(), gr.update()
        note = f'Draft saved: "{md(entry.questions[0])}". Check and publish it below to serve it.'
        # the choice stays as it was: a new answer saved stays "new", so the form can be typed over for the next one
        return note, _approved_rows(editor), gr.update(choices=_answer_choices(editor), value=entry_id or None)

    save.click(save_answer, [pick, *form], [status, table, pick], api_visibility="private")

    def ask_first(entry_id):
        if not entry_id:
            return "Choose the answer to take out first (click its row).", gr.update(visible=False)
        first = editor.answer(entry_id).questions[0]
        return f'Take out "{md(first)}"? Press "Yes, take it out" to confirm.', gr.update(visible=True)

    drop.click(ask_first, pick, [status, confirm], api_visibility="private")

    def drop_answer(entry_id):
        try:
            editor.drop_answer(entry_id or "")
        except EditError as exc:
            return f"Nothing taken out: {md(exc)}", gr.update(), gr.update(), gr.update(visible=False)
        return (
            "Taken out of the draft. Check and publish to serve the change.",
            _approved_rows(editor),
            gr.update(choices=_answer_choices(editor), value=None),
            gr.update(visible=False),
        )

    confirm.click(drop_answer, pick, [status, table, pick, confirm], api_visibility="private")

    # the answers to pick and the articles to rest on are the live lists: read again when the page loads and when
    # the section opens (a page drawn at start-up would otherwise offer only what existed then)
    def live_lists():
        return gr.update(choices=_answer_choices(editor)), gr.update(choices=_article_choices(editor))

    gr.on(None, live_lists, None, [pick, rests_on], api_visibility="private")
    section.expand(live_lists, None, [pick, rests_on], api_visibility="private")
    return questions, pick, rests_on


def _answer_choices(editor) -> list[tuple[str, str]]:
    return [(e.questions[0], e.id) for e in editor.approved()]


def _article_choices(editor) -> list[str]:
    return [a["source"] for a in editor.articles()]


def _approved_rows(editor) -> list[list]:
    return [[" / ".join(e.questions), e.answer, e.reviewed, ", ".join(e.rests_on)] for e in editor.approved()]
