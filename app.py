"""clinicbot web app: Gradio wired to build_bot(settings). No engine logic lives here."""
from __future__ import annotations

import os
import sys


def search_rows(bot, query: str) -> list[list]:
    """Rows for the results table: score, article, section, passage (plain text, never markup)."""
    if not query or not query.strip():
        return []
    return [[round(e.fused, 4), e.chunk.title, e.chunk.section, e.chunk.text] for e in bot.search(query[:1000])]


def build_ui(bot):
    """The search page: type a question, see the best passages with their article and section."""
    import gradio as gr

    with gr.Blocks(title="clinicbot") as demo:
        gr.Markdown("## clinicbot: search the clinic's articles\nAn automated assistant, not a clinician.")
        query = gr.Textbox(label="Search", placeholder="e.g. how is ketamine given?", elem_id="search-box")
        button = gr.Button("Search", variant="primary")
        results = gr.Dataframe(headers=["score", "article", "section", "passage"], wrap=True, interactive=False,
                               elem_id="results")
        query.submit(lambda q: search_rows(bot, q), query, results)
        button.click(lambda q: search_rows(bot, q), query, results)
    return demo


def main() -> int:
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    from bot.engine import build_bot
    from bot.settings import Settings, SettingsError

    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"clinicbot: {exc}", file=sys.stderr)
        return 2
    bot = build_bot(settings)
    build_ui(bot).queue(default_concurrency_limit=8).launch(server_name=settings.host, server_port=settings.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
