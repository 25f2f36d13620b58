"""The one settings object, built from the environment in one place and passed in."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping
from urllib.parse import urlparse

LLM_MODES = ("none", "openai", "ollama")
_ORIGIN = re.compile(r"^https?://(\*\.)?[a-z0-9.-]+(:\d{1,5})?$", re.I)


class SettingsError(ValueError):
    """A setting has a value clinicbot cannot use; the message says which and why."""


@dataclass(frozen=True)
class Settings:
    """Everything configurable about clinicbot. Build it with `Settings.from_env()`."""

    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path(".index")
    chroma_url: str | None = None
    collection: str = "clinicbot"
    llm: str = "none"
    llm_model: str | None = None
    llm_base_url: str | None = None
    openai_api_key: str | None = field(default=None, repr=False)
    llm_timeout_s: float = 20.0
    max_file_mb: float = 20.0
    max_question_chars: int = 1000
    data_dir: Path = Path(".data")
    clinic_name: str = "the clinic"
    clinic_contact: str = "call the clinic's front desk during opening hours"
    staff_user: str = "staff"
    staff_password: str | None = field(default=None, repr=False)
    host: str = "127.0.0.1"
    port: int = 7860
    # --- the web app under abuse (README, "Security") ---
    max_request_kb: int = 64  # larger request bodies to the patient page are refused before they are read
    rate_per_minute: float = 30.0  # patient questions per client: refill of the token bucket
    rate_burst: int = 10  # ... and how many may come at once
    login_max_failures: int = 10  # wrong staff passwords from one client before a lockout
    login_user_max_failures: int = 50  # ... for one user name from all clients together
    login_lockout_minutes: float = 15.0
    login_backoff_seconds: float = 1.0  # wait after the third wrong password, doubling with each further one
    staff_session_hours: float = 12.0
    embed_origins: tuple[str, ...] = ()  # sites that may show the patient page in an iframe
    trusted_proxies: tuple[str, ...] = ("127.0.0.1",)  # whose X-Forwarded-For/-Proto are believed
    log_days: int = 30  # chat-log retention

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides) -> "Settings":
        """Read CLINICBOT_* variables (DESIGN.md) and validate them; overrides win."""
        env = os.environ if env is None else env
        values = {name: _parsed(var, parse, env[var]) for name, (var, parse) in _ENV.items() if env.get(var, "") != ""}
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values).validated()

    def validated(self) -> "Settings":
        """Return self, or raise SettingsError naming the bad setting."""
        if self.llm not in LLM_MODES:
            raise SettingsError(f"CLINICBOT_LLM must be one of {', '.join(LLM_MODES)} (got {self.llm!r})")
        if self.chroma_url:
            url = urlparse(self.chroma_url)
            if url.scheme not in ("http", "https") or not url.hostname:
                raise SettingsError(f"CLINICBOT_CHROMA_URL must look like http://127.0.0.1:8000 (got {self.chroma_url!r})")
        if self.max_file_mb <= 0 or self.max_question_chars < 10 or self.llm_timeout_s <= 0:
            raise SettingsError("CLINICBOT_MAX_FILE_MB, CLINICBOT_MAX_QUESTION_CHARS and CLINICBOT_LLM_TIMEOUT must be positive")
        if not self.host.strip() or any(c.isspace() for c in self.host):
            raise SettingsError(f"CLINICBOT_HOST (--host) must be a host name or address like 127.0.0.1 (got {self.host!r})")
        if not 1 <= self.port <= 65535:
            raise SettingsError(f"CLINICBOT_PORT (--port) must be between 1 and 65535 (got {self.port})")
        self._validate_limits()
        bad = [o for o in self.embed_origins if not _ORIGIN.match(o)]
        if bad:
            raise SettingsError(f"CLINICBOT_EMBED_ORIGINS must list origins like https://www.your-clinic.example (got {bad[0]!r})")
        return self

    def _validate_limits(self) -> None:
        """The abuse limits must be positive, and a question of the allowed length must fit in a request."""
        positive = {"CLINICBOT_RATE_PER_MINUTE": self.rate_per_minute, "CLINICBOT_RATE_BURST": self.rate_burst,
                    "CLINICBOT_LOGIN_MAX_FAILURES": self.login_max_failures,
                    "CLINICBOT_LOGIN_USER_MAX_FAILURES": self.login_user_max_failures,
                    "CLINICBOT_LOGIN_LOCKOUT_MINUTES": self.login_lockout_minutes,
                    "CLINICBOT_LOGIN_BACKOFF_SECONDS": self.login_backoff_seconds,
                    "CLINICBOT_STAFF_SESSION_HOURS": self.staff_session_hours, "CLINICBOT_LOG_DAYS": self.log_days}
        for var, value in positive.items():
            if value <= 0:
                raise SettingsError(f"{var} must be positive (got {value})")
        # a question at the limit, every character escaped in JSON (\uXXXX), plus the request around it
        needed_kb = (self.max_question_chars * 6) // 1024 + 4
        if self.max_request_kb < needed_kb:
            raise SettingsError(f"CLINICBOT_MAX_REQUEST_KB must be at least {needed_kb} for CLINICBOT_MAX_QUESTION_CHARS="
                                f"{self.max_question_chars} (got {self.max_request_kb})")

    def with_(self, **changes) -> "Settings":
        """A copy with some fields changed (validated)."""
        return replace(self, **changes).validated()

    @property
    def max_file_bytes(self) -> int:
        """CLINICBOT_MAX_FILE_MB as the byte limit the loaders check."""
        return int(self.max_file_mb * 1e6)

    @property
    def chat_log_db(self) -> Path:
        return self.data_dir / "chatlog.sqlite"


def _parsed(var: str, parse, text: str):
    """One variable's value, or a SettingsError that names the variable."""
    try:
        return parse(text)
    except SettingsError as exc:
        raise SettingsError(f"{var}: {exc}") from None


def _number(kind):
    def parse(text: str):
        try:
            return kind(text)
        except ValueError:
            raise SettingsError(f"expected a number, got {text!r}") from None
    return parse


def _words(text: str) -> tuple[str, ...]:
    """A list given as words separated by spaces or commas; "none" is the empty list."""
    items = tuple(w.rstrip("/") for w in re.split(r"[\s,]+", text.strip()) if w)
    return () if items == ("none",) else items


_ENV = {
    "corpus_dir": ("CLINICBOT_CORPUS_DIR", Path),
    "index_dir": ("CLINICBOT_INDEX_DIR", Path),
    "chroma_url": ("CLINICBOT_CHROMA_URL", str),
    "collection": ("CLINICBOT_COLLECTION", str),
    "llm": ("CLINICBOT_LLM", lambda s: s.strip().lower()),
    "llm_model": ("CLINICBOT_LLM_MODEL", str),
    "llm_base_url": ("CLINICBOT_LLM_BASE_URL", str),
    "openai_api_key": ("OPENAI_API_KEY", str),
    "llm_timeout_s": ("CLINICBOT_LLM_TIMEOUT", _number(float)),
    "max_file_mb": ("CLINICBOT_MAX_FILE_MB", _number(float)),
    "max_question_chars": ("CLINICBOT_MAX_QUESTION_CHARS", _number(int)),
    "data_dir": ("CLINICBOT_DATA_DIR", Path),
    "clinic_name": ("CLINICBOT_CLINIC_NAME", str),
    "clinic_contact": ("CLINICBOT_CLINIC_CONTACT", str),
    "staff_user": ("CLINICBOT_STAFF_USER", str),
    "staff_password": ("CLINICBOT_STAFF_PASSWORD", str),
    "host": ("CLINICBOT_HOST", str),
    "port": ("CLINICBOT_PORT", _number(int)),
    "max_request_kb": ("CLINICBOT_MAX_REQUEST_KB", _number(int)),
    "rate_per_minute": ("CLINICBOT_RATE_PER_MINUTE", _number(float)),
    "rate_burst": ("CLINICBOT_RATE_BURST", _number(int)),
    "login_max_failures": ("CLINICBOT_LOGIN_MAX_FAILURES", _number(int)),
    "login_user_max_failures": ("CLINICBOT_LOGIN_USER_MAX_FAILURES", _number(int)),
    "login_lockout_minutes": ("CLINICBOT_LOGIN_LOCKOUT_MINUTES", _number(float)),
    "login_backoff_seconds": ("CLINICBOT_LOGIN_BACKOFF_SECONDS", _number(float)),
    "staff_session_hours": ("CLINICBOT_STAFF_SESSION_HOURS", _number(float)),
    "embed_origins": ("CLINICBOT_EMBED_ORIGINS", _words),
    "trusted_proxies": ("CLINICBOT_TRUSTED_PROXIES", _words),
    "log_days": ("CLINICBOT_LOG_DAYS", _number(int)),
}

# The variables and what they mean, for `python app.py --help` (the README's settings table says the same).
HELP = {
    "CLINICBOT_CORPUS_DIR": "folder of articles (default corpus)",
    "CLINICBOT_INDEX_DIR": "embedded Chroma folder (default .index)",
    "CLINICBOT_CHROMA_URL": "use a Chroma server instead, e.g. http://127.0.0.1:8000",
    "CLINICBOT_LLM": "none (extractive, default), openai or ollama",
    "CLINICBOT_MAX_FILE_MB": "largest article file (default 20)",
    "CLINICBOT_MAX_QUESTION_CHARS": "longest patient message (default 1000)",
    "CLINICBOT_DATA_DIR": "chat log, feedback, sign-in log (default .data)",
    "CLINICBOT_STAFF_USER, CLINICBOT_STAFF_PASSWORD": "staff sign-in (no password: /staff is off)",
    "CLINICBOT_HOST, CLINICBOT_PORT": "where to listen (default 127.0.0.1, 7860); --host/--port win",
    "CLINICBOT_MAX_REQUEST_KB": "larger patient-page requests are refused unread (default 64)",
    "CLINICBOT_RATE_PER_MINUTE, CLINICBOT_RATE_BURST": "patient questions per client (default 30 a minute, 10 at once)",
    "CLINICBOT_LOGIN_MAX_FAILURES": "wrong staff passwords from one client before a lockout (default 10)",
    "CLINICBOT_LOGIN_USER_MAX_FAILURES": "... for one user name from all clients (default 50)",
    "CLINICBOT_LOGIN_LOCKOUT_MINUTES": "how long a lockout lasts (default 15)",
    "CLINICBOT_LOGIN_BACKOFF_SECONDS": "wait after the 3rd wrong password, doubling after each more (default 1)",
    "CLINICBOT_STAFF_SESSION_HOURS": "how long a staff sign-in lasts (default 12)",
    "CLINICBOT_EMBED_ORIGINS": "sites that may embed the patient page, e.g. https://www.your-clinic.example",
    "CLINICBOT_TRUSTED_PROXIES": "proxies whose X-Forwarded-For is believed (default 127.0.0.1; none to trust none)",
    "CLINICBOT_LOG_DAYS": "conversations older than this are deleted (default 30)",
}
