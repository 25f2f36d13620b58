"""The staff desk's Inspect tab: one answer and the decisions behind it in words (services/inspect.py), the
passages and sentences it weighed, and the raw trace behind a toggle for engineers."""

from __future__ import annotations

from services.inspect import closeness, explain, matched
from webui.render import md

KIND_NAMES = {
    "answer": "answered",
    "no_answer": "not covered",
    "crisis": "crisis help",
    "support": "kind word, care team",
    "emergency": "emergency help",
    "refused": "refused",
    "off_topic": "off topic",
    "invalid": "not a question",
}


def inspect_tab(gr, desk) -> None:
    question = gr.Textbox(label="Question to inspect", elem_id="inspect-question")
    card = gr.Markdown(elem_id="inspect-card")
    evidence = gr.Dataframe(
        headers=["article, section", "how close in meaning"],
        interactive=False,
        wrap=True,
        elem_id="inspect-evidence",
        label="Passages found, best first",
        column_widths=["70%", "30%"],
    )
    sentences = gr.Dataframe(
        headers=["sentence", "key words of the question it has", "used in the answer"],
        interactive=False,
        wrap=True,
        elem_id="inspect-sentences",
        label="Sentences considered, best first",
        column_widths=["64%", "21%", "15%"],
    )
    with gr.Accordion("Raw trace (for engineers)", open=False, elem_id="inspect-raw"):
        raw = gr.JSON(label="Trace", elem_id="inspect-trace")

    def inspect(q):
        answer = desk.inspect(q or "")
        return (
            inspection_card(answer),
            _evidence_rows(answer.trace),
            _sentence_rows(q or "", answer.trace),
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
    lines += [md(line) for line in explain(answer.question, t)]
    compose = t.get("compose", {})
    why = (compose.get("why", "") if compose.get("abstain") else "") or str(t.get("abstain") or "")
    # a named reason ("asks about X, which the articles never mention"); the reader's likelihood is already said
    # in words above, without its score
    if why and "likelihood" not in why:
        lines.append(f"**Why it did not answer:** {md(why)}")
    for c in answer.citations:
        lines.append(f"- [{c.n}] {md(c.title)}" + (f", {md(c.section)}" if c.section else ""))
    return "\n\n".join(lines)


def _evidence_rows(trace: dict) -> list[list]:
    return [
        [
            f"{r['chunk'].split('#')[0]}, {r['section']}" if r.get("section") else r["chunk"].split("#")[0],
            closeness(r.get("dense", 0.0)),
        ]
        for r in trace.get("evidence", [])
    ]


def _sentence_rows(question: str, trace: dict) -> list[list]:
    rows = []
    for s in trace.get("compose", {}).get("sentences", []):
        hit, total = matched(question, s["text"])
        rows.append([s["text"], f"{hit} of {total}" if total else "-", "yes" if s["chosen"] else ""])
    return rows


def _guard_said(guard: dict) -> str:
    """The guard's verdict in the staff desk's words ("passed" when it let the message through)."""
    kind = guard.get("kind")
    return "passed" if kind == "allowed" else KIND_NAMES.get(kind, "passed")
