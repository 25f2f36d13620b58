"""clinicbot web app: one process serving patients (/) and staff (/staff) on build_bot(settings).

No engine logic lives here: this file only wires FastAPI and the Gradio pages to the services.
"""
from __future__ import annotations

import os
import sys


def create_app(settings, bot=None):
    """The FastAPI app with both Gradio pages mounted; models are loaded once and shared."""
    import gradio as gr
    from fastapi import FastAPI, HTTPException
    from fastapi.responses import PlainTextResponse

    from bot.chatlog import ChatLog
    from bot.desk import ChatService, StaffDesk
    from bot.editor import EditorDesk
    from bot.engine import build_bot
    from ingest.load import LoadError
    from ingest.sync import clean_article
    from webui.patient import CSS, patient_page
    from webui.staff import staff_page

    bot = bot or build_bot(settings)
    log = ChatLog(settings.chat_log_db)
    chat, desk = ChatService(bot, log, settings), StaffDesk(settings, bot, log)
    editor = EditorDesk(settings, bot, desk.evaluate)
    app = FastAPI(title="clinicbot")
    app.state.chat, app.state.desk, app.state.editor = chat, desk, editor  # for in-process tools (benchmarks)

    @app.get("/articles/{name}", response_class=PlainTextResponse)
    def article(name: str) -> str:
        """The whole article a citation comes from, as plain text (only articles being served)."""
        if name not in bot.retriever.store.manifest(bot.retriever.store.live()):
            raise HTTPException(404, "no such article")
        try:
            article = clean_article(settings.corpus_dir / name, settings.max_file_bytes)
            return f"{article.title}\n\n{article.text}"  # cleaned: site chrome never reaches a patient
        except LoadError as exc:
            raise HTTPException(404, str(exc)) from None

    @app.get("/healthz")
    def health() -> dict:
        return {"ok": True, "index": bot.retriever.store.live()}

    if settings.staff_password:
        staff = staff_page(desk, editor).queue(default_concurrency_limit=2)
        gr.mount_gradio_app(app, staff, path="/staff", auth=(settings.staff_user, settings.staff_password),
                            auth_message="clinicbot staff sign-in")
    else:
        gr.mount_gradio_app(app, _staff_disabled(), path="/staff")
    patients = patient_page(chat, bot.messages.text("notice"), bot.messages.text("crisis")).queue(default_concurrency_limit=8)
    gr.mount_gradio_app(app, patients, path="/", css=CSS)
    return app


def _staff_disabled():
    import gradio as gr

    with gr.Blocks(title="clinicbot staff") as page:
        gr.Markdown("## Staff sign-in is turned off\nNo staff password is set, so the staff desk will not start its "
                    "login. Set `CLINICBOT_STAFF_PASSWORD` (and optionally `CLINICBOT_STAFF_USER`) and restart.",
                    elem_id="staff-disabled")
    return page


def ensure_index(settings, bot) -> None:
    """A fresh machine has no index yet: build it from the corpus before serving."""
    from ingest.sync import sync_corpus

    sync_corpus(settings, bot.retriever.store, bot.retriever.embedder)


def main() -> int:
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    import uvicorn

    from bot.engine import build_bot
    from bot.settings import Settings, SettingsError

    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"clinicbot: {exc}", file=sys.stderr)
        return 2
    bot = build_bot(settings)
    ensure_index(settings, bot)
    if not settings.staff_password:
        print("clinicbot: /staff is disabled: set CLINICBOT_STAFF_PASSWORD to enable staff sign-in", file=sys.stderr)
    uvicorn.run(create_app(settings, bot), host=settings.host, port=settings.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
