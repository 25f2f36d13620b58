"""The public patient page: chat with cited answers, crisis banner, starters, feedback, API."""

import json
import uuid

from webui.render import ALERT, answer_markdown, esc

STARTERS = ("How does ketamine therapy work?", "Is ketamine treatment safe? What are the side effects?",
            "How is ketamine given?", "What should I expect at a treatment visit?")
CSS = """
#crisis-banner {background:#b00020;color:#fff;padding:12px 16px;border-radius:8px;font-size:1.1em}
#crisis-banner * {color:#fff !important}
#notice {background:#eef4ff;padding:8px 12px;border-radius:8px}
"""


def new_state() -> dict:
    return {"conversation": uuid.uuid4().hex, "asked": [], "exchanges": [], "rated": None, "crisis": False}


def patient_page(chat, notice: str, crisis_text: str):
    """Build the patient Blocks on a ChatService."""
    import gradio as gr

    with gr.Blocks(title="Ask about ketamine treatment") as page:
        first, _, rest = notice.partition(". ")  # the notice's first sentence says what clinicbot is: in bold
        gr.Markdown(f"**{esc(first)}.** {esc(rest)}" if rest else esc(notice), elem_id="notice")
        banner = gr.Markdown(f"### ⚠️ {esc(crisis_text)}", visible=False, elem_id="crisis-banner")
        chatbot = gr.Chatbot(label="clinicbot", elem_id="chat", height=480, sanitize_html=True, allow_tags=False,
                             feedback_options=("Like", "Dislike"))
        state = gr.State(new_state)
        with gr.Row():
            box = gr.Textbox(label="Your question", placeholder="Type a question about ketamine treatment",
                             elem_id="question", scale=5, max_lines=4)
            send = gr.Button("Ask", variant="primary", elem_id="ask", scale=1)
        with gr.Row():
            starters = [gr.Button(s, size="sm", elem_classes=["starter"]) for s in STARTERS]
        with gr.Row():
            comment = gr.Textbox(label="Comment on the answer you rated (optional)", elem_id="comment", scale=5)
            send_comment = gr.Button("Send comment", elem_id="send-comment", scale=1)
        status = gr.Markdown("", elem_id="feedback-status")
        new = gr.Button("New conversation", elem_id="new-conversation")

        def respond(question, messages, st):
            answer, exchange = chat.ask(question or "", list(st["asked"]), st["conversation"])
            st = {**st, "asked": st["asked"] + [question or ""], "exchanges": st["exchanges"] + [exchange],
                  "crisis": st["crisis"] or answer.kind == "crisis"}
            shown = answer_markdown(answer)
            messages = list(messages or []) + [{"role": "user", "content": esc(question or "")}, {"role": "assistant", "content": ""}]
            words = shown.split(" ")
            for i in range(0, len(words), 6):  # stream the reply in as it is "typed"
                messages[-1] = {"role": "assistant", "content": " ".join(words[: i + 6])}
                yield messages, st, gr.update(visible=st["crisis"] or answer.kind in ALERT), ""
            messages[-1] = {"role": "assistant", "content": shown}
            yield messages, st, gr.update(visible=st["crisis"] or answer.kind in ALERT), ""

        outputs = [chatbot, state, banner, box]
        box.submit(respond, [box, chatbot, state], outputs, api_visibility="private")
        send.click(respond, [box, chatbot, state], outputs, api_visibility="private")
        for button in starters:
            button.click(respond, [button, chatbot, state], outputs, api_visibility="private")

        def rate(data: gr.LikeData, st):
            position = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
            exchange = st["exchanges"][position // 2] if position // 2 < len(st["exchanges"]) else None
            if exchange is None:
                return st, "That answer could not be found."
            chat.feedback(exchange, bool(data.liked))
            return {**st, "rated": (exchange, bool(data.liked))}, "Thank you for your feedback."

        chatbot.like(rate, [state], [state, status])

        def add_comment(text, st):
            if not st.get("rated"):
                return st, "Rate an answer with 👍 or 👎 first.", text
            exchange, liked = st["rated"]
            chat.feedback(exchange, liked, text or "")
            return st, "Thank you, your comment was saved.", ""

        send_comment.click(add_comment, [comment, state], [state, status, comment], api_visibility="private")
        new.click(lambda: ([], new_state(), gr.update(visible=False), ""), None, [chatbot, state, banner, status],
                  api_visibility="private")

        def ask(question: str, history: str = "[]") -> dict:
            """Answer one question as DESIGN.md answer JSON; history is a JSON list of earlier questions."""
            try:
                earlier = [str(h) for h in json.loads(history or "[]")]
            except (json.JSONDecodeError, TypeError):
                earlier = []
            answer, _ = chat.ask(question or "", earlier, "api")
            return answer.to_json()

        gr.api(ask, api_name="ask")
    return page
