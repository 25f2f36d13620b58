"""python -m evals.approved: calibrate and measure the approved-answer match on evals/approved/.

Two kinds of set, each a clinic's approved answers and questions that mean the same as one of them (expect: its
id) or share words with them but ask something else (expect: null):
- the clinic's own set: answers.yml and paraphrases.jsonl (split by question);
- practice clinics written blind from a brief (clinics/, split by clinic in clinics/splits.yml).
It also measures how the clinic's contact details are recognised (the profile's patterns, the trained model of
bot/clinic/contact.py, and either, as served) on profile/: questions written blind for six clinics that ask for
the phone, hours, address or booking (expect: the detail) or only sound like it, and on contact_fresh/: five more
clinics whose questions often name the clinic (read as "you" when it is the clinic's own name). The model never
trains on them.
The threshold is the lowest P(answers) with no wrong match on the dev questions (a wrong approved answer is worse
than an article answer), plus MARGIN; the test questions are measured with it and printed beside it.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from bot.clinic.approved import SAME_MEANING, THRESHOLD, Approved, ApprovedAnswers, check_entry, load_judge, parse
from bot.clinic.contact import ContactIntent
from bot.clinic.profile import ClinicProfile
from bot.retrieve.embedder import Embedder

FOLDER = Path(__file__).with_name("approved")
REPO = Path(__file__).resolve().parents[1]
MARGIN = 0.01
OWN = "the clinic's own set"


@dataclass(frozen=True)
class PracticeClinic:
    """One clinic's approved answers and the questions written for them."""

    name: str
    entries: list[Approved]
    questions: list[dict]  # {"question", "expect": answer id or None, "kind"}


def read_clinic(yml: Path) -> PracticeClinic:
    """A clinic from its `<name>.yml` (approved answers) and `<name>.jsonl` (questions) beside it."""
    data = yaml.safe_load(yml.read_text(encoding="utf-8"))
    entries = [check_entry(row, i) for i, row in enumerate(data["answers"], start=1)]
    lines = yml.with_suffix(".jsonl").read_text(encoding="utf-8").splitlines()
    return PracticeClinic(yml.stem, entries, [json.loads(line) for line in lines if line.strip()])


@dataclass(frozen=True)
class Scored:
    """One question: the clinic, the split, what it should match, what matched best and how sure."""

    clinic: str
    split: str
    question: str
    expect: str | None
    best: str
    score: float
    kind: str = ""
    cosine: float = 1.0

    def matched(self, threshold: float) -> bool:
        """Whether the match (bot.clinic.approved.ApprovedAnswers.match) gives its best answer at `threshold`."""
        return self.score >= threshold and self.cosine >= SAME_MEANING


def score_clinic(answers: ApprovedAnswers, name: str, rows: list[dict], split: str | None) -> list[Scored]:
    """Every question of one clinic scored against its approved answers."""
    out = []
    for row in rows:
        found = answers.best(row["question"])
        kind = row.get("kind") or ("paraphrase" if row["expect"] else "near-miss")
        out.append(
            Scored(
                name,
                split or row["split"],
                row["question"],
                row["expect"],
                found.entry.id,
                found.score,
                kind,
                found.cosine,
            )
        )
    return out


def score_all(embedder, judge, folder: Path = FOLDER) -> list[Scored]:
    """Every question of the clinic's own set and of the dev and test practice clinics."""
    own = ApprovedAnswers(parse((folder / "answers.yml").read_text(encoding="utf-8")), embedder, judge)
    lines = (folder / "paraphrases.jsonl").read_text(encoding="utf-8").splitlines()
    out = score_clinic(own, OWN, [json.loads(line) for line in lines if line.strip()], None)
    splits = yaml.safe_load((folder / "clinics" / "splits.yml").read_text(encoding="utf-8"))
    for split in ("dev", "test"):
        for name in splits[split]:
            clinic = read_clinic(folder / "clinics" / f"{name}.yml")
            answers = ApprovedAnswers(clinic.entries, embedder, judge)
            out += score_clinic(answers, name, clinic.questions, split)
    return out


def outcome(rows: list[Scored], threshold: float) -> dict:
    """Right matches of the questions that should match, and wrong matches of any question."""
    should = [r for r in rows if r.expect]
    right = sum(r.matched(threshold) and r.best == r.expect for r in should)
    wrong = sum(r.matched(threshold) and r.best != r.expect for r in rows)
    return {"right": right, "should": len(should), "wrong": wrong, "questions": len(rows)}


def calibrate(rows: list[Scored]) -> float:
    """The lowest threshold (in steps of 0.005) with no wrong match on the dev split, plus MARGIN: the closest
    wrong question sat just under it, and a question worded a little differently must not cross."""
    dev = [r for r in rows if r.split == "dev"]
    for step in range(100, 200):
        if outcome(dev, step / 200)["wrong"] == 0:
            return round(min(step / 200 + MARGIN, 1.0), 3)
    return 1.0


def _rows(folder: Path) -> list[dict]:
    """Every JSON line of a folder's JSONL files, files in name order."""
    return [json.loads(line) for f in sorted(folder.glob("*.jsonl")) for line in f.read_text().splitlines() if line]


def profile_outcome(asked, folder: Path = FOLDER / "profile") -> dict:
    """The contact details recognised in questions that ask for one (right) and given to any that does not ask
    for it (wrong), by `asked` (question -> the details it asks for, with the shipped profile)."""
    rows = _rows(folder)
    got = [(row["expect"], asked(row["question"])) for row in rows]
    return {
        "right": sum(bool(want) and want in given for want, given in got),
        "should": sum(bool(want) for want, _ in got),
        "wrong": sum(bool(given) and want not in given for want, given in got),
        "questions": len(rows),
    }


def named_outcome(asked, folder: Path = FOLDER / "contact_fresh") -> dict:
    """The same on questions that may name their own clinic (rows {"question", "asks", "clinic"}), by `asked`
    (question, clinic name -> details): a question asking for some detail is right when one is given; a
    detail given that it does not ask for is wrong (the phone added to a booking ask aside)."""
    rows = _rows(folder)
    got = [(set(row["asks"]), set(asked(row["question"], row["clinic"]))) for row in rows]
    return {
        "right": sum(bool(want & given) for want, given in got),
        "should": sum(bool(want) for want, _ in got),
        "wrong": sum(bool(given - want - ({"phone"} if "booking" in given else set())) for want, given in got),
        "questions": len(rows),
    }


def main() -> int:
    embedder = Embedder.served()
    rows = score_all(embedder, load_judge())
    fitted = calibrate(rows)
    for name, t in (("calibrated", fitted), ("in use (bot/clinic/approved.py)", THRESHOLD)):
        for split in ("dev", "test"):
            for label, part in (
                (OWN, [r for r in rows if r.clinic == OWN]),
                ("practice clinics", [r for r in rows if r.clinic != OWN]),
            ):
                o = outcome([r for r in part if r.split == split], t)
                print(
                    f"{name:<32} {t:.3f} {split:<5} {label:<22} right {o['right']}/{o['should']}  wrong matches "
                    f"{o['wrong']}/{o['questions']}"
                )
    near = sorted((r for r in rows if r.best != r.expect and r.split == "dev"), key=lambda r: -r.score)[:5]
    profile, intent = ClinicProfile.load(REPO / "corpus"), ContactIntent.load()
    readers = {
        "the profile's patterns": profile.asked_for,
        "the model": lambda q: profile.asked_for("", intent.asked(q, embedder)),
        "served, either": lambda q: profile.asked_for(q, intent.asked(q, embedder)),
    }
    for name, asked in readers.items():
        o = profile_outcome(asked)
        print(
            f"contact details (profile/), {name}: right {o['right']}/{o['should']}  given where not asked "
            f"{o['wrong']}/{o['questions']}"
        )
    named = {
        "the profile's patterns": lambda q, c: replace(profile, name=c).asked_for(q),
        "served, either": lambda q, c: replace(profile, name=c).asked_for(q, intent.asked(q, embedder, c)),
    }
    for name, asked in named.items():
        o = named_outcome(asked)
        print(
            f"contact details (contact_fresh/, own name read), {name}: right {o['right']}/{o['should']}  given "
            f"where not asked {o['wrong']}/{o['questions']}"
        )
    print("closest dev questions that must not match:")
    for r in near:
        print(f"  {r.score:.3f} {r.clinic}: {r.question!r} -> {r.best}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
