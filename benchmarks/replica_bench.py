"""`python -m benchmarks.load_bench --replicas N`: the same patients as load_bench's reading scenario, through
the proxy of tests/cluster.py to app processes on a real PostgreSQL and a real Chroma server. Three rows: one
replica, N replicas, and N replicas with the first killed (kill -9) a third of the way in and started again at
once. Each question carries a short mark, so every answer a patient was given is looked up in the shared chat
log afterwards: rows written (answers given) against rows found."""

from __future__ import annotations

import collections
import multiprocessing as mp
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from evals.sets import GOLDEN, load_cases


def run(args, patients) -> None:
    """Print the table; `patients` is load_bench's child-process client."""
    import shutil

    from services.chatlog import ChatLog
    from services.storage import Storage
    from tests.cluster import cluster
    from tests.postgres import create_database, postgres_server

    questions = [c.question for c in load_cases(GOLDEN / "answers.jsonl") if c.kind == "answer"]
    print(f"{args.patients} patients, {args.seconds:.0f} s per row, ~{args.think:.0f} s pause between questions")
    print("| setup | served | errors | per s | p50 ms | p95 ms | rows written | rows found | peak RSS MB (all) |")
    print("|---|---|---|---|---|---|---|---|---|")
    wrong = collections.Counter()
    with postgres_server() as server:
        for n, kill in ((1, False), (args.replicas, False), (args.replicas, True)):
            folder = Path(tempfile.mkdtemp(prefix="clinicbot-replicas-"))
            url = create_database(server, f"bench{n}")
            with cluster(folder, url, n) as (proxy, replicas):
                results, peak, events = _load(proxy.url, args, questions, patients, replicas, kill)
            log = " ".join(r["question"] for r in ChatLog(Storage(url)).recent(1_000_000))
            given = [r[3] for r in results if r[0]]
            ms = [r[1] for r in results if r[0]]
            wrong.update(f"{label_of(n, kill)}: {r[4]}" for r in results if not r[0])
            label = f"{n} replica{'s' if n > 1 else ''}" + (f", {events}" if events else "")
            cells = [
                str(len(ms)),
                str(sum(not r[0] for r in results)),
                f"{len(ms) / args.seconds:.1f}",
                f"{np.percentile(ms, 50):.0f}",
                f"{np.percentile(ms, 95):.0f}",
                str(len(given)),
                str(sum(mark in log for mark in given)),
                f"{peak / 1e6:.0f}",
            ]
            print(f"| {label} | " + " | ".join(cells) + " |")
            shutil.rmtree(folder, ignore_errors=True)
    print("rows written: answers patients were given; rows found: those answers in the shared chat log afterwards")
    for what, n in sorted(wrong.items()):
        print(f"errors, {what}: {n}")


def label_of(n: int, kill: bool) -> str:
    return f"{n} replica{'s' if n > 1 else ''}" + (" (one killed)" if kill else "")


def _load(url: str, args, questions, patients, replicas, kill: bool):
    """Run the patients' child process; with `kill`, kill -9 the first replica a third of the way in and start
    it again at once (in a thread: its start-up overlaps the load). (results, peak RSS of the replicas, words)."""
    import psutil

    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    child = ctx.Process(target=patients, args=(url, args.patients, args.seconds, args.think, questions, out, True))
    child.start()
    started, peak, events, restart = time.time(), 0, "", None
    while out.empty():
        peak = max(peak, sum(_rss(psutil, r.proc.pid) for r in replicas if r.proc and r.proc.poll() is None))
        if kill and restart is None and time.time() - started > args.seconds / 3:
            killed = time.time() - started
            replicas[0].kill()
            restart = threading.Thread(target=replicas[0].start)
            restart.start()
            events = f"the first killed -9 at {killed:.0f} s"
        if restart is not None and not restart.is_alive() and "serving" not in events:
            events += f", serving again at {time.time() - started:.0f} s"
        if not child.is_alive() and out.empty():
            raise SystemExit("the patients' process died without results")
        time.sleep(0.5)
    results = out.get()
    child.join()
    if restart is not None:
        restart.join()
    return results, peak, events


def _rss(psutil, pid: int) -> int:
    try:
        return psutil.Process(pid).memory_info().rss
    except psutil.Error:
        return 0
