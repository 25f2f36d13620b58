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
    llm_first_token_s: float = 10.0  # no first token by then: the extractive answer is served
    llm_max_tokens: int = 300
    llm_sources: int = 5  # retrieved passages the model is given, numbered [1]..[n]
    llm_seed: int | None = None  # sent to endpoints that take one (with temperature 0: repeatable answers)
    max_file_mb: float = 20.0
    max_question_chars: int = 1000
    data_dir: Path = Path(".data")
    evals_dir: Path | None = None  # this clinic's evaluation sets for the staff desk (None: the bundled clinic's)
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
    database_url: str | None = None  # shared state: SQLite in data_dir unless a PostgreSQL URL is given
    trusted_proxies: tuple[str, ...] = ()  # whose X-Forwarded-For/-Proto are believed: none unless configured
    log_days: int = 30  # chat-log retention
    reading_grade_target: float = 8.0  # the staff desk says whether answers read at this grade or plainer

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides) -> "Settings":
        """Read CLINICBOT_* variables (docs/design.md) and validate them; overrides win."""
        env = os.environ if env is None else env
        values = {
            name: _parsed(var, parse, env[var]) for name, (var, parse, _) in _ENV.items() if env.get(var, "") != ""
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values).validated()

    def validated(self) -> "Settings":
        """Return self, or raise SettingsError naming the bad setting."""
        if self.llm not in LLM_MODES:
            raise SettingsError(f"CLINICBOT_LLM must be one of {', '.join(LLM_MODES)} (got {self.llm!r})")
        if self.chroma_url:
            url = urlparse(self.chroma_url)
            if url.scheme not in ("http", "https") or not url.hostname:
                raise SettingsError(
                    f"CLINICBOT_CHROMA_URL must look like http://127.0.0.1:8000 (got {self.chroma_url!r})"
                )
        if self.max_file_mb <= 0 or self.max_question_chars < 10 or self.llm_timeout_s <= 0:
            raise SettingsError(
                "CLINICBOT_MAX_FILE_MB, CLINICBOT_MAX_QUESTION_CHARS and CLINICBOT_LLM_TIMEOUT must be positive"
            )
        if self.llm_first_token_s <= 0 or self.llm_max_tokens < 16 or not 1 <= self.llm_sources <= 10:
            raise SettingsError(
                "CLINICBOT_LLM_FIRST_TOKEN_TIMEOUT must be positive, CLINICBOT_LLM_MAX_TOKENS at least 16 "
                "and CLINICBOT_LLM_SOURCES between 1 and 10"
            )
        if not self.host.strip() or any(c.isspace() for c in self.host):
            raise SettingsError(
                f"CLINICBOT_HOST (--host) must be a host name or address like 127.0.0.1 (got {self.host!r})"
            )
        if not 1 <= self.port <= 65535:
            raise SettingsError(f"CLINICBOT_PORT (--port) must be between 1 and 65535 (got {self.port})")
        if self.evals_dir is not None and not Path(self.evals_dir).is_dir():
            raise SettingsError(f"CLINICBOT_EVALS_DIR must be a folder of evaluation sets (no folder {self.evals_dir})")
        self._validate_limits()
        bad = [o for o in self.embed_origins if not _ORIGIN.match(o)]
        if bad:
            raise SettingsError(
                f"CLINICBOT_EMBED_ORIGINS must list origins like https://www.your-clinic.example (got {bad[0]!r})"
            )
        return self

    def _validate_limits(self) -> None:
        """The abuse limits must be positive, and a question of the allowed length must fit in a request."""
        positive = {
            "CLINICBOT_RATE_PER_MINUTE": self.rate_per_minute,
            "CLINICBOT_RATE_BURST": self.rate_burst,
            "CLINICBOT_LOGIN_MAX_FAILURES": self.login_max_failures,
            "CLINICBOT_LOGIN_USER_MAX_FAILURES": self.login_user_max_failures,
            "CLINICBOT_LOGIN_LOCKOUT_MINUTES": self.login_lockout_minutes,
            "CLINICBOT_LOGIN_BACKOFF_SECONDS": self.login_backoff_seconds,
            "CLINICBOT_STAFF_SESSION_HOURS": self.staff_session_hours,
            "CLINICBOT_LOG_DAYS": self.log_days,
            "CLINICBOT_READING_GRADE_TARGET": self.reading_grade_target,
        }
        for var, value in positive.items():
            if value <= 0:
                raise SettingsError(f"{var} must be positive (got {value})")
        # a question at the limit, every character escaped in JSON (\uXXXX), plus the request around it
        needed_kb = (self.max_question_chars * 6) // 1024 + 4
        if self.max_request_kb < needed_kb:
            raise SettingsError(
                f"CLINICBOT_MAX_REQUEST_KB must be at least {needed_kb} for CLINICBOT_MAX_QUESTION_CHARS="
                f"{self.max_question_chars} (got {self.max_request_kb})"
            )

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


def _database_url(text: str) -> str:
    """A PostgreSQL (or SQLite) URL for SQLAlchemy, with the psycopg 3 driver the lock installs."""
    url = text.strip()
    if url.startswith(("postgres://", "postgresql://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if not url.startswith(("postgresql+psycopg://", "sqlite:///")):
        raise ValueError("use a URL like postgresql://user@host:5432/dbname")
    return url


def _words(text: str) -> tuple[str, ...]:
    """A list given as words separated by spaces or commas; "none" is the empty list."""
    items = tuple(w.rstrip("/") for w in re.split(r"[\s,]+", text.strip()) if w)
    return () if items == ("none",) else items


# field -> (variable, parser, what it means for `python app.py --help`; the README's settings table says the same)
_ENV = {
    "corpus_dir": ("CLINICBOT_CORPUS_DIR", Path, "folder of articles (default corpus)"),
    "index_dir": ("CLINICBOT_INDEX_DIR", Path, "embedded Chroma folder (default .index)"),
    "chroma_url": ("CLINICBOT_CHROMA_URL", str, "use a Chroma server instead, e.g. http://127.0.0.1:8000"),
    "collection": ("CLINICBOT_COLLECTION", str, "name prefix of the Chroma collections (default clinicbot)"),
    "llm": ("CLINICBOT_LLM", lambda s: s.strip().lower(), "none (extractive, default), openai or ollama"),
    "llm_model": ("CLINICBOT_LLM_MODEL", str, "the model name, for the LLM modes"),
    "llm_base_url": ("CLINICBOT_LLM_BASE_URL", str, "the endpoint, for the LLM modes"),
    "openai_api_key": ("OPENAI_API_KEY", str, "the key, for CLINICBOT_LLM=openai"),
    "llm_timeout_s": ("CLINICBOT_LLM_TIMEOUT", _number(float), "seconds before the LLM is given up on (default 20)"),
    "llm_first_token_s": (
        "CLINICBOT_LLM_FIRST_TOKEN_TIMEOUT",
        _number(float),
        "seconds to wait for the LLM's first token (default 10)",
    ),
    "llm_max_tokens": ("CLINICBOT_LLM_MAX_TOKENS", _number(int), "longest LLM reply, in tokens (default 300)"),
    "llm_sources": ("CLINICBOT_LLM_SOURCES", _number(int), "passages the LLM is given to answer from (default 5)"),
    "llm_seed": ("CLINICBOT_LLM_SEED", _number(int), "seed sent to the LLM endpoint (default none)"),
    "max_file_mb": ("CLINICBOT_MAX_FILE_MB", _number(float), "largest article file (default 20)"),
    "max_question_chars": ("CLINICBOT_MAX_QUESTION_CHARS", _number(int), "longest patient message (default 1000)"),
    "data_dir": ("CLINICBOT_DATA_DIR", Path, "chat log, feedback, sign-in log, uploads (default .data)"),
    "evals_dir": (
        "CLINICBOT_EVALS_DIR",
        Path,
        "this clinic's evaluation sets (answers, conversations, safety .jsonl) for the staff desk's quality runs "
        "(default: the bundled clinic's, evals/golden)",
    ),
    "clinic_name": ("CLINICBOT_CLINIC_NAME", str, "the clinic's name in fixed messages"),
    "clinic_contact": ("CLINICBOT_CLINIC_CONTACT", str, "how patients reach a person"),
    "staff_user": ("CLINICBOT_STAFF_USER", str, "staff user name (default staff)"),
    "staff_password": ("CLINICBOT_STAFF_PASSWORD", str, "staff password; without one /staff is off"),
    "host": ("CLINICBOT_HOST", str, "address to listen on (default 127.0.0.1); --host wins"),
    "port": ("CLINICBOT_PORT", _number(int), "port to listen on (default 7860); --port wins"),
    "max_request_kb": (
        "CLINICBOT_MAX_REQUEST_KB",
        _number(int),
        "larger patient-page requests are refused unread (default 64)",
    ),
    "rate_per_minute": (
        "CLINICBOT_RATE_PER_MINUTE",
        _number(float),
        "patient questions a minute per client (default 30)",
    ),
    "rate_burst": ("CLINICBOT_RATE_BURST", _number(int), "... of which may come at once (default 10)"),
    "login_max_failures": (
        "CLINICBOT_LOGIN_MAX_FAILURES",
        _number(int),
        "wrong staff passwords from one client before a lockout (default 10)",
    ),
    "login_user_max_failures": (
        "CLINICBOT_LOGIN_USER_MAX_FAILURES",
        _number(int),
        "... for one user name from all clients (default 50)",
    ),
    "login_lockout_minutes": (
        "CLINICBOT_LOGIN_LOCKOUT_MINUTES",
        _number(float),
        "how long a lockout lasts (default 15)",
    ),
    "login_backoff_seconds": (
        "CLINICBOT_LOGIN_BACKOFF_SECONDS",
        _number(float),
        "wait after the 3rd wrong password, doubling after each more (default 1)",
    ),
    "staff_session_hours": (
        "CLINICBOT_STAFF_SESSION_HOURS",
        _number(float),
        "how long a staff sign-in lasts (default 12)",
    ),
    "embed_origins": (
        "CLINICBOT_EMBED_ORIGINS",
        _words,
        "sites that may embed the patient page, e.g. https://www.clinic.example",
    ),
    "database_url": (
        "CLINICBOT_DATABASE_URL",
        lambda text: _database_url(text),
        "shared state in PostgreSQL, e.g. postgresql://clinicbot@db/clinicbot (default: SQLite in the data folder)",
    ),
    "trusted_proxies": (
        "CLINICBOT_TRUSTED_PROXIES",
        _words,
        "proxies whose X-Forwarded-For is believed, e.g. 127.0.0.1 (default none)",
    ),
    "reading_grade_target": (
        "CLINICBOT_READING_GRADE_TARGET",
        _number(float),
        "the reading grade answers should meet, shown on the staff desk (default 8)",
    ),
    "log_days": (
        "CLINICBOT_LOG_DAYS",
        _number(int),
        "conversations older than this many days are deleted (default 30)",
    ),
}


def described() -> list[tuple[str, str]]:
    """(variable, meaning) of every setting, in the order above."""
    return [(var, meaning) for var, _, meaning in _ENV.values()]
