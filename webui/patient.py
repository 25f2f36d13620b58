"""The public patient page: chat with cited answers, the red banner, starters, feedback, and the /ask API.

Everything a patient types or an article holds is shown as escaped text (webui/render.py). The chat's
messages live in the server-side state, so the browser sends only the new question with each turn.
"""

import json
import logging
import uuid
from pathlib import Path

from bot.core.text import as_text
from webui.render import answer_html, banner_text, md, partial_html, text_html, typing_steps

log = logging.getLogger("clinicbot")
FEEDBACK = ("Like", "Dislike")  # the 👍/👎 under each finished answer
CHAT_MAX = "min(560px, 70vh)"  # past this the conversation scrolls inside the chat
SCRIPT = Path(__file__).with_name("static") / "clinicbot.js"
HEAD = '<script src="/static/clinicbot.js" defer></script>'  # served by app.py; scrolls to a new answer's start
# WCAG 2.1 AA: every pair below is at least 4.5:1 (the theme's orange button was 2.8:1, its placeholder 1.9:1).
CSS = """
#crisis-banner {background:#b00020;color:#fff;padding:12px 16px;border-radius:8px;font-size:1.1em}
#crisis-banner * {color:#fff !important}
#notice {background:#eef4ff;padding:8px 12px;border-radius:8px}
#conversation-ref {font-size:0.85em}
#ask, button.primary {background:#9a3412 !important;border-color:#9a3412 !important;color:#fff !important}
#ask:hover, button.primary:hover {background:#7c2d12 !important}
textarea::placeholder, input::placeholder {color:#52525b !important;opacity:1}
footer, footer a, footer button, .show-api, .built-with, .settings, .or {color:#52525b !important}
#chat abbr.term {text-decoration:underline dotted;text-underline-offset:2px;cursor:help}
#chat ul:has(details) {list-style:none;padding-left:0.2em}
#chat li {margin:0.4em 0}
#chat details summary {cursor:pointer;color:#1d4ed8;text-decoration:underline}
#chat a {color:#1d4ed8}
#page-title h1 {font-size:1.5em;margin:0}
"""


def blank_state() -> dict:
    """A conversation before its first question. Not a callable default for gr.State: Gradio lists those
    as a public API endpoint (/new_state). The conversation id is made at the first question."""
    return {"conversation": "", "asked": [], "exchanges": [], "messages": [], "kinds": [], "rated": None}


def client_of(request) -> str:
    """Who is asking, for the rate limit: the client address (the proxy's X-Forwarded-For when trusted)."""
    client = getattr(request, "client", None) if request is not None else None
    return getattr(client, "host", "") or ""


def notice_md(messages) -> str:
    """The notice as Markdown, its first sentence (what clinicbot is) in bold."""
    notice = messages.text("notice")
    first, _, rest = notice.partition(". ")
    return f"**{md(first)}.** {md(rest, links=True)}" if rest else md(notice, links=True)


def patient_page(chat, limit: int):
    """Build the patient Blocks on a ChatService; `limit` is CLINICBOT_MAX_QUESTION_CHARS. The clinic's
    name, topic, starters and notice come from its profile (corpus/_clinic.yml)."""
    import gradio as gr

    profile = chat.bot.clinic.profile
    with gr.Blocks(title=f"Ask {profile.name} about {profile.topic}") as page:
        gr.Markdown(f"# {md(f'Ask {profile.name} about {profile.topic}')}", elem_id="page-title")
        notice = gr.Markdown(notice_md(chat.bot.messages), elem_id="notice", latex_delimiters=[])
        banner = gr.Markdown("", visible=False, elem_id="crisis-banner", latex_delimiters=[])
        # autoscroll off: webui/static/clinicbot.js shows a new answer from its start instead of its end.
        # Hidden (still in the page, for that script) until the first question, then as tall as the conversation
        # up to CHAT_MAX: on a phone the question box, Ask and the starters are on the first screen.
        chatbot = gr.Chatbot(
            label="Conversation",
            elem_id="chat",
            visible="hidden",
            height=None,
            max_height=CHAT_MAX,
            sanitize_html=True,
            allow_tags=False,
            render_markdown=False,
            latex_delimiters=[],
            feedback_options=FEEDBACK,
            buttons=["copy", "copy_all"],
            autoscroll=False,
        )  # no "share": it posts to Hugging Face
        state = gr.State(blank_state())
        with gr.Row():
            box = gr.Textbox(
                label="Your question",
                placeholder=f"Type a question about {profile.topic}",
                elem_id="question",
                scale=5,
                max_lines=4,
                max_length=limit,
            )
            send = gr.Button("Ask", variant="primary", elem_id="ask", scale=1)
        with gr.Row():
            starters = [gr.Button(s, size="sm", elem_classes=["starter"]) for s in profile.starters]
        with gr.Row(visible=False, elem_id="comment-row") as comment_row:  # opened by a 👎 (see rate)
            comment = gr.Textbox(
                label="Comment on the answer you rated (optional)", elem_id="comment", scale=5, max_length=2000
            )
            send_comment = gr.Button("Send comment", elem_id="send-comment", scale=1)
        status = gr.Markdown("", elem_id="feedback-status", latex_delimiters=[])
        reference = gr.Markdown("", elem_id="conversation-ref", latex_delimiters=[])
        new = gr.Button("New conversation", elem_id="new-conversation")

        def respond(question, st, request: gr.Request):
            question = question or ""
            conversation = st["conversation"] or uuid.uuid4().hex
            shown = st["messages"] + [{"role": "user", "content": text_html(question[:limit])}]
            ref = (
                f"Conversation reference: **{conversation[:8]}**. Quote it if you would like the clinic to delete "
                "this conversation."
            )
            streamed = False
            # exchange: the logged id of the final answer, read after the loop
            for answer, exchange in chat.stream(question, list(st["asked"]), conversation, client_of(request)):  # noqa: B007
                if not answer.final:  # LLM mode: each sentence appears as soon as it has passed verification
                    streamed = True
                    banner_html = banner_text(set(st["kinds"]), "", chat.bot.messages)
                    # no 👍/👎 while the answer is still being written: it is not logged yet, so there is
                    # nothing to rate, and a patient would be rating half an answer
                    yield (
                        gr.update(
                            value=shown + [{"role": "assistant", "content": partial_html(answer)}],
                            feedback_options=(),
                            visible=True,
                        ),
                        st,
                        gr.update(value=banner_html, visible=bool(banner_html)),
                        "",
                        ref,
                    )
            banner_html = banner_text(set(st["kinds"]), answer.kind, chat.bot.messages)
            st = {
                **st,
                "conversation": conversation,
                "asked": st["asked"] + [question[:limit]],
                "exchanges": st["exchanges"] + [exchange],
                "kinds": st["kinds"] + [answer.kind],
            }
            # the extractive reply is "typed" in; a streamed one is already on screen and is completed at once
            for step in [answer_html(answer)] if streamed else typing_steps(answer):
                st = {**st, "messages": shown + [{"role": "assistant", "content": step}]}
                yield (
                    gr.update(value=st["messages"], feedback_options=FEEDBACK, visible=True),
                    st,
                    gr.update(value=banner_html, visible=bool(banner_html)),
                    "",
                    ref,
                )

        outputs = [chatbot, state, banner, box, reference]
        box.submit(respond, [box, state], outputs, api_visibility="private")
        send.click(respond, [box, state], outputs, api_visibility="private")
        for button in starters:
            button.click(respond, [button, state], outputs, api_visibility="private")

        def rate(data: gr.LikeData, st):
            position = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
            exchanges = st["exchanges"]
            exchange = exchanges[position // 2] if position // 2 < len(exchanges) else None
            if exchange is None:
                return st, "That answer could not be found.", gr.update()
            chat.feedback(exchange, bool(data.liked))
            # the comment box opens after a 👎 only: what was wrong is what the clinic needs to hear
            thanks = "Thank you for your feedback." + ("" if data.liked else " You can tell us what was wrong below.")
            return {**st, "rated": (exchange, bool(data.liked))}, thanks, gr.update(visible=not data.liked)

        chatbot.like(rate, [state], [state, status, comment_row], api_visibility="private")

        def add_comment(text, st):
            if not st.get("rated"):
                return st, "Rate an answer with 👍 or 👎 first.", text
            exchange, liked = st["rated"]
            chat.feedback(exchange, liked, text or "")
            return st, "Thank you, your comment was saved.", ""

        send_comment.click(add_comment, [comment, state], [state, status, comment], api_visibility="private")

        def start_over():
            """A new or cleared conversation forgets everything: bubbles, banner, state and history alike."""
            return (
                gr.update(value=[], feedback_options=FEEDBACK, visible="hidden"),
                blank_state(),
                gr.update(value="", visible=False),
                "",
                "",
                "",
                gr.update(visible=False),
                "",
            )

        reset = [chatbot, state, banner, status, box, reference, comment_row, comment]
        new.click(start_over, None, reset, api_visibility="private")
        chatbot.clear(start_over, None, reset, api_visibility="private")  # the chat's own trash icon

        def ask(question: str, history: str = "[]", request: gr.Request = None) -> dict:
            """Answer one question as the answer JSON of docs/design.md; history is a JSON list of earlier questions."""
            try:
                earlier = [str(h) for h in json.loads(history or "[]")]
            except (json.JSONDecodeError, TypeError):
                earlier = []
            try:
                answer, _ = chat.ask(
                    as_text(question),
                    earlier,
                    f"api-{uuid.uuid4().hex}",
                    client_of(request),
                )
            except Exception:  # logged here with its traceback; the caller gets a plain sentence, never the trace
                log.exception("the /ask API failed")
                raise gr.Error(
                    "Sorry, something went wrong on our side. Please try again later.", print_exception=False
                ) from None
            return answer.to_json()

        gr.api(ask, api_name="ask")
        # an editor may publish a new clinic profile while the app runs: each page load shows the current notice
        page.load(lambda: notice_md(chat.bot.messages), None, notice, api_visibility="private")
    return page
