"""The clinic's own files beside the articles, loaded together: profile, fixed messages, approved answers.

One Clinic per corpus folder. The live bot holds the served corpus's; the editor's check builds one from
the candidate folder, so a profile or approved-answer edit is evaluated before any patient sees it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import yaml

from bot.answer.reader.cross import CrossReader
from bot.clinic.approved import FILE as APPROVED_FILE
from bot.clinic.approved import ApprovedAnswers, approved_answer
from bot.clinic.contact import ContactIntent
from bot.clinic.messages import Messages
from bot.clinic.profile import FILE as PROFILE_FILE
from bot.clinic.profile import ClinicProfile
from bot.core.records import Answer
from bot.core.settings import Settings


@dataclass(frozen=True)
class Clinic:
    """What one corpus folder says about the clinic itself."""

    profile: ClinicProfile
    messages: Messages
    approved: ApprovedAnswers = field(default_factory=lambda: ApprovedAnswers([]))
    intent: ContactIntent | None = None  # reads which contact details a question asks for, with `embedder`
    embedder: object = None

    def reply(self, question: str, approved: bool, titles: Callable[[], dict[str, str]]) -> tuple[Answer | None, dict]:
        """The clinic's own answer to a question (its contact details, or, when `approved`, an editor's approved
        answer) and the texts its citations quote, or (None, {}) for the articles to answer. The engine asks
        only for messages the guard let through; `titles` gives article titles by file name."""
        wanted = self.profile.asked_for(question, self.contact_asks(question))
        if wanted:
            answer = self.profile.answer(question, wanted)
        elif approved and (match := self.approved.match(question)):
            answer = approved_answer(question, match, self.profile.name, titles())
        else:
            return None, {}
        return answer, {c.chunk_id: c.quote for c in answer.citations}

    def contact_asks(self, question: str) -> list[str]:
        """The contact details the trained model reads in a question ([] without the model)."""
        if self.intent is None or self.embedder is None:
            return []
        return self.intent.asked(question, self.embedder, self.profile.name)


def load_clinic(settings: Settings, corpus_dir: Path, embedder, judge: CrossReader | None = None) -> Clinic:
    """The clinic files of one corpus folder (a bad file raises ValueError saying what to fix). `judge` reads
    a question with the approved answers (bot.clinic.approved.load_judge); loaded here if the folder has
    approved answers and none is handed in."""
    profile = ClinicProfile.load(corpus_dir, settings.clinic_name, settings.clinic_contact)
    approved = ApprovedAnswers.load(corpus_dir, embedder, judge)
    return Clinic(profile, Messages.load(settings, profile), approved, ContactIntent.load(), embedder)


def clinic_texts(corpus_dir: Path) -> dict[str, str]:
    """Every text value of the clinic's own files (profile, approved answers), by file name: what a citation
    of the clinic's details or of an approved answer may quote."""
    out = {}
    for name in (PROFILE_FILE, APPROVED_FILE):
        path = Path(corpus_dir) / name
        if path.exists():
            try:
                out[name] = "\n".join(_strings(yaml.safe_load(path.read_text(encoding="utf-8"))))
            except yaml.YAMLError:
                continue  # a broken file answers nothing, so nothing can quote it
    return out


def _strings(value) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [" ".join(str(value).split())] if value is not None else []
