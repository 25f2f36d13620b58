"""The web app: one process serving patients (/) and staff (/staff) on build_bot(settings).

No engine logic lives here: this module only wires FastAPI, the Gradio pages and the shield (webui/shield)
to the services, and reads the command line (`python app.py --help`, or `clinicbot serve --help` from an
installed copy).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from bot.core.settings import Settings, SettingsError, described
from bot.engine import build_bot
from ingest.load import LoadError
from ingest.sync import clean_article, sync_corpus
from services.chat import ChatService
from services.chatlog import ChatLog, SignInLog
from services.desk_records import adopt_files
from services.editor import EditorDesk
from services.priority import PatientsFirst
from services.staff import StaffDesk
from services.storage import Storage
from services.throttle import RateLimiter, SignInThrottle
from webui.article_page import article_html, missing_html
from webui.patient import CSS, HEAD, SCRIPT, patient_page
from webui.shield import StaffSessions, add_signin_routes, install
from webui.staff import CSS as STAFF_CSS
from webui.staff import staff_page


def create_app(settings, bot=None):
    """The FastAPI app with both Gradio pages mounted behind the shield; models are loaded once and shared."""
    import gradio as gr
    from fastapi import FastAPI
    from fastapi.responses import FileResponse, HTMLResponse

    bot = bot or build_bot(settings)
    storage = Storage.open(settings)
    log, signins = ChatLog(storage, settings.max_question_chars), SignInLog(storage)
    limiter = RateLimiter(storage, settings.rate_per_minute, settings.rate_burst)
    priority = PatientsFirst()  # an editor's check and a staff evaluation run step aside for patients' questions
    chat = ChatService(bot, log, settings, limiter, priority)
    adopt_files(storage, settings.data_dir)  # an earlier version's files in the data folder move in once
    desk = StaffDesk(settings, bot, log, signins, priority, storage)
    editor = EditorDesk(settings, bot, desk.evaluate, storage)
    chat.tidy()  # conversations past CLINICBOT_LOG_DAYS go at start-up, not only when the next patient asks
    app = FastAPI(title="clinicbot", docs_url=None, redoc_url=None, openapi_url=None)
    sessions = StaffSessions(storage, settings.staff_session_hours)
    throttle = SignInThrottle(
        storage,
        settings.login_max_failures,
        settings.login_user_max_failures,
        settings.login_lockout_minutes * 60,
        settings.login_backoff_seconds,
    )
    app.state.chat, app.state.desk, app.state.editor = chat, desk, editor  # for in-process tools (benchmarks)

    @app.get("/articles/{name}", response_class=HTMLResponse)
    def article(name: str) -> HTMLResponse:
        """The whole article a citation comes from, as a readable page (only articles being served)."""
        clinic = bot.clinic.profile.name
        if name not in bot.retriever.store.manifest(bot.retriever.store.live()):
            return HTMLResponse(missing_html(clinic), status_code=404)
        try:
            article = clean_article(settings.corpus_dir / name, settings.max_file_bytes)
        except LoadError:
            return HTMLResponse(missing_html(clinic), status_code=404)
        return HTMLResponse(article_html(clinic, article.title, article.text))  # cleaned: no site chrome

    @app.get("/static/clinicbot.js")
    def patient_script() -> FileResponse:
        """The patient page's one script of our own (a file: the CSP allows no inline script)."""
        return FileResponse(SCRIPT, media_type="text/javascript")

    @app.get("/healthz")
    def health() -> dict:
        return {"ok": True, "index": bot.retriever.store.live()}

    add_signin_routes(app, settings, sessions, throttle, signins)  # ahead of the /staff mount, so they win
    quiet = {"run_history": False, "enable_monitoring": False, "mcp_server": False, "pwa": False}
    if settings.staff_password:
        uploads = _own_folder("staff")
        staff = staff_page(desk, editor, uploads).queue(default_concurrency_limit=2)
        gr.mount_gradio_app(
            app,
            staff,
            path="/staff",
            auth_dependency=sessions.user_of_request,
            css=STAFF_CSS,
            # a hard ceiling above the setting: a file just over the limit reaches the desk, which says so in the
            # upload status in the setting's unit (Gradio's own toast counts MiB and fades)
            max_file_size=2 * settings.max_file_bytes + 10**7,
            **quiet,
        )
        _mounted(app, "/staff").uploaded_file_dir = str(uploads)
    patients = patient_page(chat, settings.max_question_chars).queue(default_concurrency_limit=8)
    # show_error=False: a failing event tells the patient only that it failed, never the exception's text;
    # no "Use via API" link in the footer: the API docs are for developers (the /ask API itself stays, see README)
    gr.mount_gradio_app(
        app, patients, path="/", css=CSS, head=HEAD, show_error=False, footer_links=["gradio", "settings"], **quiet
    )
    _mounted(app, "").uploaded_file_dir = str(_own_folder("public"))
    install(app, settings, sessions)
    return app


def _own_folder(which: str) -> Path:
    """A folder of this app's own inside Gradio's upload folder. Each Gradio app serves files only from its
    own upload folder, so what one app caches (an editor's draft) is never served by the other."""
    from gradio.utils import get_upload_folder

    Path(get_upload_folder()).mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"clinicbot-{which}-", dir=get_upload_folder())).resolve()


def _mounted(app, path: str):
    """The Gradio app mounted at `path` ("" for the root)."""
    from starlette.routing import Mount

    return next(route.app for route in app.routes if isinstance(route, Mount) and route.path == path)


def ensure_index(settings, bot) -> None:
    """A fresh machine has no index yet: build it from the corpus before serving."""

    sync_corpus(settings, bot.retriever.store, bot.retriever.embedder, bot.retriever.matcher)


def parser() -> argparse.ArgumentParser:
    """The command line: flags win over the environment; --help lists both."""

    p = argparse.ArgumentParser(
        prog="python app.py",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Serve clinicbot: the patient chat at /, the staff desk at /staff.",
        epilog="settings from the environment (a flag wins over its variable):\n"
        + "\n".join(f"  {var:<34} {meaning}" for var, meaning in described()),
    )
    p.add_argument("--host", help="address to listen on (CLINICBOT_HOST, default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port to listen on (CLINICBOT_PORT, default 7860)")
    p.add_argument("--corpus", type=Path, help="folder of articles (CLINICBOT_CORPUS_DIR)")
    p.add_argument("--index", type=Path, help="embedded Chroma folder (CLINICBOT_INDEX_DIR)")
    p.add_argument("--chroma-url", help="Chroma server URL (CLINICBOT_CHROMA_URL)")
    p.add_argument("--llm", help="none, openai or ollama (CLINICBOT_LLM)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)  # --help and malformed flags end here, before anything loads
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

    try:
        settings = Settings.from_env(
            host=args.host,
            port=args.port,
            corpus_dir=args.corpus,
            index_dir=args.index,
            chroma_url=args.chroma_url,
            llm=args.llm,
        )
    except SettingsError as exc:
        print(f"clinicbot: {exc}", file=sys.stderr)
        return 2
    import uvicorn

    bot = build_bot(settings)
    ensure_index(settings, bot)
    if not settings.staff_password:
        print("clinicbot: /staff is disabled: set CLINICBOT_STAFF_PASSWORD to enable staff sign-in", file=sys.stderr)
    proxies = ",".join(settings.trusted_proxies)
    # a bounded graceful shutdown: open event streams (a gradio_client's heartbeat) would otherwise hold it forever
    uvicorn.run(
        create_app(settings, bot),
        host=settings.host,
        port=settings.port,
        log_level="warning",
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or None,
        timeout_graceful_shutdown=10,
    )
    return 0
