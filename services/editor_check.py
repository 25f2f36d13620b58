"""What an editor's check means, in words: which evaluation questions gain, which answers changed (likely for the
better, the editor decides), which are real regressions, and which gates fell because of this change.

The grouping uses only what each case's run shows: passed before / passes now, the reply's kind, and whether the
new reply cites an article this change adds or replaces (or the clinic's approved answers, when those changed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from evals.metrics import fact_found
from evals.runner import GATES

GAIN, CHANGED, REGRESSION = "gain", "changed", "regression"
GATE_NAMES = {  # what each gated figure measures, for editors
    "citation_validity": "answers whose quotes are found word for word in the cited article",
    "source_hit": "answers citing the expected article",
    "fact_recall": "expected facts found in the answers",
    "kind_accuracy": "questions answered (or declined) as expected",
    "false_abstention": "answerable questions left unanswered",
    "blocked": "practice clinics' questions blocked",
    "crisis_recall": "crisis messages given help first",
    "emergency_recall": "emergencies sent to emergency help",
    "shows_988": "crisis replies showing the crisis line",
    "refused_accuracy": "harmful requests refused",
    "off_topic_accuracy": "off-topic messages declined",
    "misrouted": "ordinary questions treated as a crisis or refused",
}
SPLITS = {"dev": "practice set", "test": "held-back set"}
GATE_CHECKS = {  # the case check behind each answer gate: a case whose check got worse is behind that gate's drop
    "citation_validity": "citations_valid",
    "source_hit": "source_hit",
    "fact_recall": "fact_recall",
    "kind_accuracy": "kind",
    "false_abstention": "kind",
}


@dataclass(frozen=True)
class Change:
    """One evaluation case whose outcome changed, with the reply before and after and what the new one cites."""

    case: str
    question: str
    before: str
    after: str
    passed_before: bool
    passes_now: bool
    group: str = ""  # GAIN, CHANGED or REGRESSION; empty: decided from passing alone
    split: str = ""
    after_kind: str = ""
    after_sources: tuple[str, ...] = ()
    after_quotes: tuple[str, ...] = ()
    worse_checks: tuple[str, ...] = ()  # the case's checks that got worse (fact_recall, source_hit, kind, ...)

    @property
    def kind_of_change(self) -> str:
        if self.group:
            return self.group
        return REGRESSION if self.passed_before and not self.passes_now else GAIN if self.passes_now else CHANGED

    @property
    def worse(self) -> bool:
        """A real regression: an answer lost or worse with nothing new behind it."""
        return self.kind_of_change == REGRESSION


@dataclass(frozen=True)
class GateMiss:
    """An enforced gate the candidate misses, with the live version's figure for comparison."""

    split: str
    group: str
    name: str
    after: float
    before: float | None  # None: the live version's figures are not known
    limit: float
    ceiling: bool  # True: a 'max' gate (lower is better)

    @property
    def missed_before(self) -> bool:
        if self.before is None:
            return False
        return self.before > self.limit if self.ceiling else self.before < self.limit

    @property
    def blocks(self) -> bool:
        """Blocks the publish unless this change did not make an already-failing gate worse."""
        if not self.missed_before:
            return True
        return self.after > self.before if self.ceiling else self.after < self.before


def gate_misses(after: dict, before: dict | None) -> list[GateMiss]:
    """Every enforced gate the candidate's figures miss (structured; evals.runner.gate says the same in lines)."""
    gates = (yaml.safe_load(GATES.read_text()) or {}).get("enforce") or {}
    out = []
    for split, groups in after.items():
        for group, rules in gates.items():
            values = groups.get(group, {})
            if not values.get("messages" if group == "safety" else "cases"):
                continue
            old = ((before or {}).get(split) or {}).get(group) or {}
            for ceiling, bounds in ((False, rules.get("min") or {}), (True, rules.get("max") or {})):
                for name, limit in bounds.items():
                    value = values.get(name, 0.0)
                    if (value > limit) if ceiling else (value < limit):
                        previous = old.get(name) if before else None
                        out.append(GateMiss(split, group, name, value, previous, limit, ceiling))
    return out


def gate_words(miss: GateMiss, changes: list[Change]) -> str:
    """One gate in plain words: the figure before and after, the limit, and the questions behind a drop."""
    what = GATE_NAMES.get(miss.name, miss.name.replace("_", " "))
    where = SPLITS.get(miss.split, miss.split) + (" of the practice clinics" if miss.group == "clinics" else "")
    bound = "at most" if miss.ceiling else "at least"
    was = f"{_pct(miss.before)} with the articles served now" if miss.before is not None else "not known before"
    line = f"{what.capitalize()} ({where}): {_pct(miss.after)} after this change, {was}; the gate needs {bound} "
    line += f"{_pct(miss.limit)}."
    if miss.missed_before and not miss.blocks:
        return line + " It already failed before this change and this change does not make it worse."
    moved = [c for c in changes if c.split == miss.split and c.kind_of_change != GAIN]
    check = GATE_CHECKS.get(miss.name)
    behind = [c.question for c in moved if check in c.worse_checks] or [c.question for c in moved]
    if behind:
        line += " The questions behind the drop: " + "; ".join(f'"{q}"' for q in behind[:8])
        line += f" and {len(behind) - 8} more." if len(behind) > 8 else "."
    return line


def group_changes(before: list, after: list, changed_sources: set[str]) -> list[Change]:
    """Every case whose outcome or answer moved, grouped: regressions first, then changed answers, then gains."""
    was = {r.case.id: r for r in before}
    out = []
    for r in after:
        old = was.get(r.case.id)
        cites_new = r.kind == "answer" and any(c["source"] in changed_sources for c in r.citations)
        if old is None:
            group = GAIN if r.passed else CHANGED if cites_new else ""
        elif old.passed and not r.passed:
            group = CHANGED if cites_new else REGRESSION
        elif not old.passed and r.passed:
            group = GAIN
        elif cites_new and reply(old) != reply(r):  # an answer from the new article (passing or not)
            group = GAIN if r.passed else CHANGED
        else:
            continue
        out.append(
            Change(
                r.case.id,
                r.case.question,
                reply(old) if old is not None else "(a new question)",
                reply(r),
                bool(old and old.passed),
                r.passed,
                group,
                r.case.split,
                r.kind,
                tuple(dict.fromkeys(c["source"] for c in r.citations)),
                tuple(c.get("quote", "") for c in r.citations if c.get("quote")),
                _worse_checks(old, r),
            )
        )
    order = {REGRESSION: 0, CHANGED: 1, GAIN: 2}
    return sorted(out, key=lambda c: (order[c.kind_of_change], c.case))


def _worse_checks(old, new) -> tuple[str, ...]:
    """The checks of a case that scored lower now (a check missing now, e.g. no answer to cite, counts as 0)."""
    if old is None:
        return ()
    return tuple(k for k, v in old.checks.items() if float(new.checks.get(k, 0.0)) < float(v))


def accepted_facts(change: Change) -> list[str]:
    """The facts a reviewed case expects from now on: the new answer's quoted sentences (found in the answer),
    else the answer's own text without its citation markers."""
    quotes = [q for q in change.after_quotes if q.strip() and fact_found(q, change.after)]
    pieces = [p.strip() for p in re.split(r"\s*\[\d+\]\s*", change.after) if p.strip()]
    return quotes or pieces


def reply(result) -> str:
    """A reply as an editor reads it: the answer, or its kind in words before the text."""
    return result.answer if result.kind == "answer" else f"[{result.kind.replace('_', ' ')}] {result.answer}"


def _pct(value: float | None) -> str:
    return "?" if value is None else f"{value * 100:.1f}%"
