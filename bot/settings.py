"""The one settings object, built from the environment in one place and passed in."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping
from urllib.parse import urlparse

LLM_MODES = ("none", "openai", "ollama")


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

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides) -> "Settings":
        """Read CLINICBOT_* variables (DESIGN.md) and validate them; overrides win."""
        env = os.environ if env is None else env
        values = {name: parse(env[var]) for name, (var, parse) in _ENV.items() if env.get(var, "") != ""}
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
        return self

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


def _number(kind):
    def parse(text: str):
        try:
            return kind(text)
        except ValueError:
            raise SettingsError(f"expected a number, got {text!r}") from None
    return parse


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
}
