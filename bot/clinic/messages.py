"""The clinic's fixed patient-facing texts (bot/clinic/data/messages.yml), filled from the clinic profile."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.clinic.profile import ClinicProfile
from bot.core.settings import Settings

DEFAULT = Path(__file__).with_name("data") / "messages.yml"
REQUIRED = (
    "notice",
    "crisis",
    "crisis_eating",
    "crisis_reminder",
    "emergency",
    "refused",
    "refused_role",
    "support",
    "off_topic",
    "invalid_empty",
    "invalid_long",
    "slow_down",
    "no_answer",
    "personal",
    "suicide_info",
    "fallback",
)


class Messages:
    """Lookup of fixed texts: `messages.text("crisis")`."""

    def __init__(self, texts: dict[str, str]):
        missing = [k for k in REQUIRED if not texts.get(k)]
        if missing:
            raise ValueError(f"messages file is missing: {', '.join(missing)}")
        self.texts = texts

    @classmethod
    def load(cls, settings: Settings, profile: ClinicProfile | None = None, path: Path = DEFAULT) -> "Messages":
        """The texts with the clinic's name, contact details, help lines and scope filled in (from the
        profile; without one, from CLINICBOT_CLINIC_NAME and CLINICBOT_CLINIC_CONTACT)."""
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        profile = profile or ClinicProfile.fallback(settings.clinic_name, settings.clinic_contact)
        fill = {
            "clinic": profile.name,
            "contact": profile.contact_line() or settings.clinic_contact,
            "limit": settings.max_question_chars,
            "crisis_line": profile.crisis_line,
            "emergency": profile.emergency_number,
            "topic": profile.topic,
            "scope": profile.scope,
        }
        return cls({k: " ".join(str(v).split()).format(**fill) for k, v in raw.items()})

    def text(self, key: str) -> str:
        return self.texts[key]
