"""The clinic profile (corpus/_clinic.yml): name, phone, hours, address, booking link, help lines.

Fixed messages take their contact details from it; "how do I reach / book / when are you open" is
answered from it and cited as the clinic's details; and calls to action inside articles ("call us at
...", "request an appointment online") are recognised as site chrome, never quoted as this clinic's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.core.records import Answer, Citation
from bot.core.text import expand_shorthand

FILE = "_clinic.yml"
HEADER = (
    "# The clinic profile: how patients reach this clinic. Edited on the staff desk (Articles tab) and\n"
    "# published through the same check as articles. Every fixed message takes its contact details from here.\n"
)
FIELDS = (
    "name",
    "phone",
    "hours",
    "address",
    "booking",
    "crisis_line",
    "emergency_number",
    "topic",
    "scope",
    "answering",
)
# How readily the assistant answers from the articles (the reader's operating points, models/reader/README.md):
# "more" leaves fewer covered questions unanswered and quotes more often where the articles do not answer.
ANSWERING = ("more", "balanced", "careful")
LABELS = {"phone": "Phone", "hours": "Opening hours", "address": "Address", "booking": "Booking"}

# What a patient asks to reach, book or find the clinic, said outright. Generic clinic words only; the
# contact-intent model reads the rest (bot/clinic/contact.py). Each pattern's last alternative is the detail's
# bare name as the whole message ("hours?", "address", "phone #"): typed into a clinic's chat box, a bare
# "hours?" means the opening hours, and it has no other words to read.
_ASKS = {
    "phone": re.compile(
        r"\b(phone|telephone)( ?(number|no|#))?\b|\bnumber (to|i can) call\b|\bcall (you|the (clinic|office))\b"
        r"|\b(contact|reach|talk to|speak (to|with)) (you|the (clinic|office|staff)|someone|a (person|human))\b"
        r"|\bhow (do|can|should) i (contact|reach|get in touch)\b|\bcontact (details|info\w*)\b"
        r"|^\W*(phone|telephone|number)( ?(number|no|#))?\W*$",
        re.I,
    ),
    "booking": re.compile(
        r"\b(book|schedule|make|request|set up|arrange|get|cancel|reschedule|change)\b(\s+\w+){0,3}\s+"
        r"(appointment|appt|consultation|consult|visit|session)s?\b|\bhow (do|can) i book\b|\bbook(ing)? "
        r"(online|link)\b|^\W*(booking|appointments?|appts?)\W*$",
        re.I,
    ),
    "hours": re.compile(
        r"\b(opening|office|business|clinic) hours\b|\byour hours\b|\bare you open\b|\bopen on (the )?weekends?\b"
        r"|\bwhen (are you|is the (clinic|office)) (open|closed)\b|\bwhat time do you (open|close)\b"
        r"|^\W*((opening|office|clinic) )?(hours|times)\W*$",
        re.I,
    ),
    "address": re.compile(
        r"\b(your|the (clinic|office)'?s?) (address|location)\b|\bwhere (are you|is the (clinic|office))( located)?\b"
        r"|\bdirections to (you|the (clinic|office))\b|^\W*(address|location|directions)\W*$",
        re.I,
    ),
}
# A call to action on the website an article was taken from: another practice's number or booking line.
CHROME = re.compile(
    r"\(?\b\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b|\b(call|contact|email|text) us\b|\bgive us a call\b"
    r"|\b(request|book|schedule)( an| a| your)? (appointment|consultation|visit)( online| today| now)\b"
    r"|\b(book|schedule|request) (online|today|now)\b",
    re.I,
)


class ProfileError(ValueError):
    """The profile file cannot be used; the message says what to fix, in plain words."""


@dataclass(frozen=True)
class ClinicProfile:
    """Who the clinic is and how a patient reaches it."""

    name: str = "the clinic"
    phone: str = ""
    hours: str = ""
    address: str = ""
    booking: str = ""
    crisis_line: str = "988"
    emergency_number: str = "911"
    topic: str = "the clinic's care"
    scope: str = "the clinic's care and what to expect at a visit"
    starters: tuple[str, ...] = field(default_factory=tuple)
    answering: str = "balanced"  # one of ANSWERING
    contact: str = ""  # without a profile file: CLINICBOT_CLINIC_CONTACT, said as it is

    @classmethod
    def fallback(cls, name: str, contact: str) -> "ClinicProfile":
        """The stand-in without corpus/_clinic.yml: the settings' name and contact line, no details to quote."""
        return cls(name=name or cls.name, contact=contact)

    @classmethod
    def load(cls, corpus_dir: Path, fallback_name: str = "", fallback_contact: str = "") -> "ClinicProfile":
        """Read corpus/_clinic.yml; without one, the settings' name and contact line stand in."""
        path = Path(corpus_dir) / FILE
        if not path.exists():
            return cls.fallback(fallback_name, fallback_contact)
        return cls.parse(path.read_text(encoding="utf-8"))

    @classmethod
    def parse(cls, text: str) -> "ClinicProfile":
        """A profile from the file's text, or ProfileError saying what is wrong."""
        try:
            data = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            raise ProfileError(f"the clinic profile is not valid: {str(exc).splitlines()[0]}") from None
        if not isinstance(data, dict):
            raise ProfileError("the clinic profile must be a list of 'name: value' lines")
        unknown = sorted(set(data) - set(FIELDS) - {"starters"})
        if unknown:
            raise ProfileError(f"the clinic profile has entries clinicbot does not know: {', '.join(unknown)}")
        values = {k: " ".join(str(data[k]).split()) for k in FIELDS if data.get(k) not in (None, "")}
        starters = data.get("starters") or []
        if not isinstance(starters, list):
            raise ProfileError("starters must be a list of questions, one per line starting with '-'")
        profile = cls(**values, starters=tuple(" ".join(str(s).split()) for s in starters if str(s).strip()))
        if profile.answering not in ANSWERING:
            raise ProfileError(f'answering must be one of {", ".join(ANSWERING)} (got "{profile.answering}")')
        if not profile.name.strip() or not (profile.phone or profile.booking):
            raise ProfileError("the clinic profile needs at least a name and a phone number or booking link")
        return profile

    def contact_line(self) -> str:
        """How patients reach a person, for the fixed messages."""
        parts = [f"call {self.phone}" if self.phone else "", f"book at {self.booking}" if self.booking else ""]
        return " or ".join(p for p in parts if p) or self.contact

    def asked_for(self, question: str, read: Sequence[str] = ()) -> list[str]:
        """The profile details a question asks for ([] when it is not about reaching the clinic): those its
        phrasing names outright (_ASKS) and those the contact-intent model `read` in it (bot/clinic/contact.py;
        either: models/contact_intent/README.md says why). Chat shorthand is spelled out first ("when r u
        open"); only here, not for how the articles read a question."""
        question = expand_shorthand(question)
        wanted = [name for name, pattern in _ASKS.items() if pattern.search(question)] + list(read)
        if "booking" in wanted and "phone" not in wanted and self.phone:
            wanted.append("phone")  # booking by phone is the one every patient can use
        return [w for w in LABELS if w in wanted and getattr(self, w)]

    def answer(self, question: str, wanted: list[str]) -> Answer:
        """The clinic's own details for a contact question, each cited to the profile."""
        sentences = {
            "phone": f"You can call {self.name} at {self.phone}",
            "hours": f"{self.name} is open {self.hours}",
            "address": f"{self.name} is at {self.address}",
            "booking": f"You can book a visit online at {self.booking}",
        }
        text, citations = [], []
        for n, key in enumerate(wanted, start=1):
            text.append(f"{sentences[key]} [{n}].")
            citations.append(
                Citation(n, FILE, f"{self.name}: contact details", LABELS[key], getattr(self, key), f"{FILE}#{key}")
            )
        return Answer(question, "answer", " ".join(text), citations)


def is_contact_chrome(sentence: str) -> bool:
    """True for an article's call to action (a phone number, "call us", "book online"): site chrome of the
    practice that wrote it, never to be quoted as this clinic's contact."""
    return bool(CHROME.search(sentence))
