"""The evaluation run in plain words for staff: a one-line summary, failing cases with what was missing, pass
rates per topic, the run history for charts, and the answers' reading grade and length."""

from __future__ import annotations

from dataclasses import dataclass

from evals.metrics import fact_found

KIND_WORDS = {
    "answer": "an answer from the articles",
    "no_answer": '"the articles don\'t cover that"',
    "crisis": "crisis help",
    "support": "a kind word and the care team",
    "emergency": "emergency help",
    "refused": "a refusal",
    "off_topic": '"I can only help with..."',
    "invalid": '"please type a question"',
}
# The two splits in the words staff read them: dev is what the team tuned the assistant on, test is kept back
SPLIT_NAMES = {"dev": "Questions the system was tuned on", "test": "Questions kept back"}
KEPT_BACK_WHY = (
    "The questions kept back were never used to tune the assistant, so they show best how it does on questions "
    "patients will ask next."
)


@dataclass(frozen=True)
class Failing:
    """One failing case as staff read it: the reply a patient would get, what was wrong in words (articles by
    their titles), and the articles the case expects (file names, for the link to open one)."""

    question: str
    expected: str
    answer: str
    problem: str
    topic: str
    sources: tuple[str, ...] = ()


def headline(figures: dict) -> str:
    """One set of headline figures, each split named in plain words; the charts and their text say the same."""
    lines = []
    for split in ("test", "dev"):
        answers, safety = figures.get(split, {}).get("answers", {}), figures.get(split, {}).get("safety", {})
        if not answers.get("cases") and not safety.get("messages"):
            continue
        parts = []
        if answers.get("cases"):
            parts.append(
                f"{answers['cases']} questions: {_pct(answers['kind_accuracy'])} got the right kind of reply, "
                f"{_pct(answers['fact_recall'])} of the expected facts were in the answers, the right article was "
                f"cited in {_pct(answers['source_hit'])}"
            )
        if safety.get("messages"):
            parts.append(
                f"{safety['messages']} safety messages: {_pct(safety['crisis_recall'])} of crises and "
                f"{_pct(safety['emergency_recall'])} of emergencies got the help reply"
            )
        lines.append(f"**{SPLIT_NAMES[split]}**: " + "; ".join(parts) + ".")
    return "\n\n".join(lines + [KEPT_BACK_WHY])


def reading_verdict(reading: dict, target: float) -> tuple[bool, str]:
    """(met, sentence): whether the answers' median reading grade meets the clinic's target, in words."""
    grade = reading.get("median_grade", 0.0)
    met = bool(reading.get("answers")) and grade <= target
    mark = "✅ met" if met else "❌ not met"
    return met, (
        f"Answers read at grade {grade} (median of {reading.get('answers', 0)} answers; Flesch-Kincaid, lower is "
        f"plainer) and are {reading.get('median_words', 0)} words long. The clinic's target is grade {target:g} "
        f"or lower: {mark}."
    )


def _pct(value: float) -> str:
    return f"{round(100 * value)}%"


def failing(results: list, titles: dict[str, str] | None = None) -> list[Failing]:
    """The failing cases (safety first), each with the answer given and what was wrong, in words; `titles`
    names the served articles (file name -> title), so staff read titles, not file names."""
    titles = titles or {}
    bad = sorted((r for r in results if not r.passed), key=lambda r: (r.case.set != "safety", r.case.id))
    return [
        Failing(
            r.case.question,
            KIND_WORDS.get(r.case.kind, r.case.kind),
            r.answer,
            _problem(r, titles),
            r.case.topic or r.case.set,
            tuple(s for s in r.case.sources if s in titles),
        )
        for r in bad
    ]


def _problem(r, titles: dict[str, str]) -> str:
    c = r.checks
    if c.get("routed") is False or c.get("kind") is False:
        return f"gave {KIND_WORDS.get(r.kind, r.kind)} instead"
    parts = []
    if c.get("source_hit") is False:
        named = [f'"{titles[s]}"' if s in titles else "the clinic's own answers" for s in r.case.sources]
        parts.append(f"did not cite {' or '.join(dict.fromkeys(named))}")
    if "fact_recall" in c and c["fact_recall"] < 1:
        missing = [f.split("|")[0] for f in r.case.facts if not fact_found(f, r.answer)]
        parts.append("missing: " + "; ".join(f'"{m}"' for m in missing))
    if c.get("citations_valid") is False:
        parts.append("a quote did not match its article")
    if c.get("shows_988") is False:
        parts.append("no 988 line")
    return ", ".join(parts) or "failed a check"


def by_topic(results: list) -> dict[str, float]:
    """Share of cases passing per topic (answer questions and conversations), for a chart."""
    topics: dict[str, list[bool]] = {}
    for r in results:
        if r.case.set != "safety":
            topics.setdefault(r.case.topic or r.case.set, []).append(r.passed)
    return {t: sum(v) / len(v) for t, v in sorted(topics.items())}


def confusion_grid(figures: dict) -> dict[str, dict[str, int]]:
    """The safety confusion matrix over both splits (rows: expected, columns: what the guard said)."""
    total: dict[str, dict[str, int]] = {}
    for groups in figures.values():
        for expected, row in groups["safety"].get("confusion", {}).items():
            for got, n in row.items():
                total.setdefault(expected, {}).setdefault(got, 0)
                total[expected][got] += n
    return total


# The clinic's choices of how readily to answer (bot/clinic/profile.py ANSWERING), as staff read them
ANSWERING_NAMES = {"more": "Answer more", "balanced": "Balanced", "careful": "Be more careful"}


def answering_words(points: list, setting: str) -> str:
    """What each choice of how readily to answer gives on the clinic's own questions, in a sentence each."""
    named = [p for p in points if p.name in ANSWERING_NAMES]
    if not named:
        return ""
    lines = [
        f"- **{ANSWERING_NAMES[p.name]}**{' (your setting)' if p.name == setting else ''}: answers "
        f'{_pct(p.answered)} of the questions the articles cover, and says "not covered" to '
        f"{_pct(p.abstained)} of the ones they don't."
        for p in sorted(named, key=lambda p: list(ANSWERING_NAMES).index(p.name))
    ]
    return (
        "**How readily the assistant answers**, on your evaluation questions (change it in the clinic profile, "
        "Articles tab):\n" + "\n".join(lines)
    )
