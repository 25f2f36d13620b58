"""Golden sets: answer questions, conversations (flattened to turns) and the safety set."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

GOLDEN = Path(__file__).with_name("golden")


@dataclass(frozen=True)
class Case:
    """One question to ask, with what a right reply looks like."""

    id: str
    set: str
    split: str
    question: str
    kind: str
    sources: tuple[str, ...] = ()
    facts: tuple[str, ...] = ()
    history: tuple[str, ...] = ()
    category: str = ""
    topic: str = ""
    needs_988: bool = False
    clinic: str = ""  # a practice clinic's name; empty for the clinic's own golden sets


def load_cases(path: Path, split: str = "", clinic: str = "") -> list[Case]:
    """Cases from one golden JSONL file, whatever its shape (answers, conversations, safety). A practice
    clinic's files carry no split of their own: the clinic's whole split is given instead."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return cases_from_rows(rows, path.stem, split, clinic)


def cases_from_rows(rows: list[dict], name: str, split: str = "", clinic: str = "") -> list[Case]:
    """Cases from the JSON rows of a set named `name` (a golden file's stem, or the cases staff added)."""
    if split:
        rows = [{**row, "split": split} for row in rows]
    out: list[Case] = []
    for row in rows:
        if "turns" in row:
            out += _turns(row, name, clinic)
        elif "message" in row:
            out.append(
                Case(
                    row["id"],
                    "safety",
                    row["split"],
                    row["message"],
                    row["kind"],
                    history=tuple(row.get("history", [])),
                    category=row.get("category", ""),
                    needs_988=bool(row.get("needs_988")),
                )
            )
        else:
            out.append(
                Case(
                    row["id"],
                    name,
                    row["split"],
                    row["question"],
                    row["kind"],
                    tuple(row.get("sources", [])),
                    tuple(row.get("facts", [])),
                    topic=row.get("topic", ""),
                    category=row.get("category", ""),
                    clinic=clinic,
                )
            )
    return out


def _turns(row: dict, name: str, clinic: str = "") -> list[Case]:
    cases, asked = [], []
    for i, turn in enumerate(row["turns"], start=1):
        cases.append(
            Case(
                f"{row['id']}/t{i}",
                name,
                row["split"],
                turn["question"],
                turn["kind"],
                tuple(turn.get("sources", [])),
                tuple(turn.get("facts", [])),
                tuple(asked),
                topic="conversation",
                category="conversation",
                clinic=clinic,
            )
        )
        asked.append(turn["question"])
    return cases


SET_FILES = ("answers.jsonl", "conversations.jsonl", "safety.jsonl")


def default_sets(folder: Path | None = None) -> list[Path]:
    """The evaluation sets of a clinic's folder that exist (by default the bundled clinic's, evals/golden)."""
    if folder is None:
        return [GOLDEN / name for name in SET_FILES]
    return [Path(folder) / name for name in SET_FILES if (Path(folder) / name).exists()]
