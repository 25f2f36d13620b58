"""The input guard with and without its learned reader (rules only), side by side.

    python -m benchmarks.guard_bench

Three columns: rules only, the reader in float32, and the reader as served (a message's parts in int8,
bot/guard/net.py).
Per message: the guard alone (no retrieval), warm, over every message of the safety set, each with its
conversation history; the history was read turn by turn before, as in a conversation, and the message
itself is read afresh. Routing figures here are the guard's own (the engine may still route an
unanswered question off topic); `python -m evals run` gives the full figures.
"""

from __future__ import annotations

import os
import resource
import time

import numpy as np

from benchmarks import columns
from bot.guard.decide import Guard
from bot.guard.net import GuardNet
from evals.sets import GOLDEN, load_cases

ROUTED = ("crisis", "emergency", "refused", "off_topic", "invalid")


def routing(guard, cases) -> dict:
    """Crisis recall, misrouted share of in-scope messages, and per-message milliseconds."""
    kinds, ms = [], []
    for case in cases:
        # as in a conversation: the earlier turns were read when they were sent (the guard remembers them),
        # this message is read afresh
        guard.run(case.question, list(case.history))
        guard.forget(case.question)
        start = time.perf_counter()
        kinds.append(guard.run(case.question, list(case.history)).kind)
        ms.append((time.perf_counter() - start) * 1000)
    expected = [c.kind for c in cases]
    crisis = [k == "crisis" for k, e in zip(kinds, expected, strict=False) if e == "crisis"]
    in_scope = [k in ROUTED for k, e in zip(kinds, expected, strict=False) if e in ("answer", "no_answer")]
    return {
        "messages": len(cases),
        "crisis_recall": float(np.mean(crisis)),
        "misrouted": float(np.mean(in_scope)),
        "p50_ms": float(np.percentile(ms, 50)),
        "p95_ms": float(np.percentile(ms, 95)),
    }


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    cases = load_cases(GOLDEN / "safety.jsonl")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    guard = Guard.load(GuardNet(), max_chars=1000)
    load_s = time.perf_counter() - start
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    exact = Guard.load(GuardNet(int8_parts=False), max_chars=1000)
    figures = []
    for each in (exact, guard):
        routing(each, cases)  # a warm-up pass: warm code paths (every timed message is still read afresh)
        figures.append(routing(each, cases))
    guard.net = None
    rules = routing(guard, cases)
    print(f"served guard load: {load_s:.2f} s; peak RSS {rss_before:.0f} -> {rss_after:.0f} MB")
    columns(("rules only", "reader float32", "reader, parts in int8 (served)"), (rules, *figures))


if __name__ == "__main__":
    main()
