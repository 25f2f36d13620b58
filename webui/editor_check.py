"""The editor's check in words: the gates, then real regressions, answers that changed (before and after side by
side, with a way to accept the better one) and gains; and the publish button with its one-time reason."""

from services.editor import EditError, describe_change
from services.editor_check import CHANGED, GAIN, REGRESSION, gate_words
from webui.render import md


def check_text(s) -> str:
    """The check's result in words: what changed, the gates in words, and each case by the kind of its change."""
    lines = [f"**Checked:** {md(describe_change(s))}"]
    lines += [f"- This file could not be read: {md(f['source'])}: {md(f['error'])}" for f in s.failed_files]
    blocking = s.blocking
    standing = [g for g in s.gates if not g.blocks]
    if blocking:
        said = [gate_words(g, s.changes) for g in s.gates if g.blocks] or list(blocking)
        lines.append("**Gates failed with this change.** Publishing needs a reason below:\n" + _bullets(said))
    elif s.regressions:
        lead = "No gate fell because of this change" if standing else "All enforced gates pass"
        lines.append(
            f"**{lead}, but {len(s.regressions)} question(s) that were answered well before now fail.** "
            "Publishing needs a reason below."
        )
    elif standing:
        lines.append("**No gate fell because of this change and no question got worse: you may publish.**")
    else:
        lines.append("**All enforced gates pass and no question got worse: you may publish.**")
    if standing:
        lines.append(
            "Gates that already failed before this change (they do not stop this publish):\n"
            + _bullets(gate_words(g, s.changes) for g in standing)
        )
    if not s.changes:
        lines.append("No evaluation question changed.")
    groups = {k: [c for c in s.changes if c.kind_of_change == k] for k in (REGRESSION, CHANGED, GAIN)}
    if groups[REGRESSION]:
        lines.append(f"### Real regressions ({len(groups[REGRESSION])}): answers lost or worse, nothing new behind")
        lines += [
            f"**❌ now fails:** {md(c.question)}\n\n- Before: {md(c.before)}\n- After: {md(c.after)}"
            for c in groups[REGRESSION]
        ]
    if groups[CHANGED]:
        lines.append(
            f"### Answers that changed ({len(groups[CHANGED])}): a different answer, now from the article you "
            "changed, that the evaluation case does not expect. Likely better: you decide (accept it below)."
        )
        lines += [
            f"**🔄 changed:** {md(c.question)}\n\n| Before | After |\n|---|---|\n| {md(c.before)} | {md(c.after)} |"
            for c in groups[CHANGED]
        ]
    if groups[GAIN]:
        lines.append(f"### Gains ({len(groups[GAIN])}): newly answered, or answered from the article you changed")
        lines += [f"**✅ now passes:** {md(c.question)}\n\n- Answer now: {md(c.after)}" for c in groups[GAIN]]
    return "\n\n".join(lines)


def changed_choices(s) -> list[tuple[str, str]]:
    """(question, case id) of the changed answers an editor can accept."""
    return [(c.question, c.case) for c in (s.changes if s else []) if c.kind_of_change == CHANGED]


def accept_controls(gr, editor, staged, report):
    """'This is the better answer now' for a changed answer: a choice, a reason and a button."""
    with gr.Row():
        pick = gr.Dropdown(label="Changed answer to accept as the better one", choices=[], elem_id="accept-choice")
        why = gr.Textbox(label="Why it is better (recorded with your name)", elem_id="accept-reason")
    accept = gr.Button("This is the better answer now", elem_id="accept-answer")
    status = gr.Markdown(elem_id="accept-status")

    def do_accept(s, case, reason, request: gr.Request):
        if s is None or not case:
            return s, gr.update(), gr.update(), "Run a check and choose a changed answer first."
        try:
            note = editor.accept_answer(s, case, getattr(request, "username", None) or "staff", reason or "")
        except EditError as exc:
            return s, gr.update(), gr.update(), f"Not accepted: {md(exc)}"
        return s, check_text(s), gr.update(choices=changed_choices(s), value=None), md(note)

    accept.click(do_accept, [staged, pick, why], [staged, report, pick, status], api_visibility="private")
    return pick


def _bullets(items) -> str:
    return "\n".join(f"- {md(i)}" for i in items)
