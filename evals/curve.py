"""The risk-coverage curve: how the reader's answerability threshold trades covered questions answered against
uncovered ones that get "not covered" instead of a quote (issue 23, item 4).

Read off one evaluation run: each question's answerability is in its trace, so every threshold can be judged
without asking again. A question the reader never read (the guard's reply; the clinic's own details or an
approved answer) and one the run left unanswered for another reason (no sentence fit to say) keep the run's
outcome at every threshold; one it answered, or left unanswered only for its answerability, is answered
wherever its likelihood reaches the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass

GRID = tuple(round(0.05 * i, 2) for i in range(1, 14))  # 0.05 .. 0.65


@dataclass(frozen=True)
class Point:
    """One threshold: the share of covered questions answered and of uncovered ones not answered."""

    threshold: float
    answered: float
    abstained: float
    name: str = ""  # the clinic setting this threshold is ("more", "balanced", "careful"), if it is one


def answered_at(result, threshold: float, served: float) -> bool:
    """Whether the question gets an article answer at `threshold`, judged from a run at `served`."""
    if result.answerable is None:  # the reader never read it: the guard's reply, or the clinic's own answer
        return result.kind == "answer"
    if result.answerable < threshold:
        return False
    return result.kind == "answer" or result.answerable < served  # else: unanswered for another reason


def curve(results: list, served: float, points: dict[str, float] | None = None) -> list[Point]:
    """The curve over GRID and the named operating points, for the questions with an expected answer or
    expected "not covered" (safety messages are the guard's, not the reader's)."""
    covered = [r for r in results if r.case.kind == "answer" and r.case.set != "safety"]
    uncovered = [r for r in results if r.case.kind == "no_answer" and r.case.set != "safety"]
    if not covered or not uncovered:
        return []
    names = {round(t, 2): n for n, t in (points or {}).items()}
    out = []
    for t in sorted({*GRID, *names}):
        answered = sum(answered_at(r, t, served) for r in covered) / len(covered)
        abstained = sum(not answered_at(r, t, served) for r in uncovered) / len(uncovered)
        out.append(Point(t, round(answered, 3), round(abstained, 3), names.get(t, "")))
    return out


def table(points: list[Point], title: str) -> str:
    """The curve as printed by `python -m evals run`."""
    if not points:
        return ""
    lines = [title, f"  {'threshold':>9}  {'answered when covered':>21}  {'abstained when not':>18}"]
    for p in points:
        mark = f"  <- {p.name}" if p.name else ""
        lines.append(f"  {p.threshold:>9.2f}  {p.answered:>21.3f}  {p.abstained:>18.3f}{mark}")
    return "\n".join(lines)
