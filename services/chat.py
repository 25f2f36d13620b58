"""The patient chat service the web app is handed: asks the engine, logs the exchange, takes feedback."""

from __future__ import annotations

import time
from typing import Iterator

from bot.core.records import Answer, last
from bot.core.settings import Settings
from bot.core.text import as_text
from services.chatlog import ChatLog
from services.priority import PatientsFirst
from services.throttle import RateLimiter

PURGE_EVERY_S = 3600  # retention is in days: deleting old conversations once an hour is soon enough


class ChatService:
    """Patient chat: asks the bot (within a per-client rate limit), stores the exchange (redacted),
    takes thumbs up/down, and deletes conversations past their retention."""

    def __init__(
        self, bot, log: ChatLog, settings: Settings, limiter: RateLimiter, priority: PatientsFirst | None = None
    ):
        self.bot = bot
        self.log = log
        self.settings = settings
        self.limiter = limiter
        self.priority = priority or PatientsFirst()  # shared with the staff desk: its checks step aside
        self._purged_at = float("-inf")

    def ask(self, question: str, history: list[str], conversation: str, client: str = "") -> tuple[Answer, int | None]:
        """The answer and its logged id; a client over the rate limit is told to slow down, unread and
        unlogged (None), so a flood costs neither the engine nor the disk anything."""
        return last(self.stream(question, history, conversation, client)) or (None, None)

    def stream(
        self, question: str, history: list[str], conversation: str, client: str = ""
    ) -> Iterator[tuple[Answer, int | None]]:
        """As `ask`, with the verified partial answers of LLM mode first (answer.final False, not logged)."""
        if self.limiter.take(client):
            yield (
                self.bot.reply_unread(as_text(question), "slow_down", "rate limited"),
                None,
            )
            return
        with self.priority.serving():
            yield from self._answered(question, history, conversation)

    def _answered(self, question: str, history: list[str], conversation: str) -> Iterator[tuple[Answer, int | None]]:
        for answer in self.bot.stream(question, history):
            if not answer.final:
                yield answer, None
                continue
            exchange = self.log.record(
                conversation, answer, {"llm": self.settings.llm, "collection": self.settings.collection}
            )
            self.tidy()
            yield answer, exchange

    def tidy(self) -> int:
        """Delete conversations older than CLINICBOT_LOG_DAYS, at most once an hour; how many exchanges went."""
        now = time.monotonic()
        if now - self._purged_at < PURGE_EVERY_S:
            return 0
        self._purged_at = now
        return self.log.purge(self.settings.log_days)

    def feedback(self, exchange_id: int, liked: bool, comment: str = "") -> bool:
        return self.log.feedback(exchange_id, 1 if liked else -1, comment)
