"""Load test: 50 simulated patients ask corpus questions through gradio_client for a minute
while an editor publishes an article. Prints requests, errors, p50/p95 and the server's peak memory.

    python -m benchmarks.load_bench [--patients 50] [--seconds 60]
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def patients(url: str, count: int, seconds: float, questions: list[str], out) -> None:
    """Child process: `count` threads, each a gradio_client asking questions until time is up."""
    from gradio_client import Client

    results, lock = [], threading.Lock()

    def one(i: int) -> None:
        client = Client(url, verbose=False)
        end = time.time() + seconds
        k = i
        while time.time() < end:
            started = time.perf_counter()
            try:
                reply = client.predict(questions[k % len(questions)], "[]", api_name="/ask")
                ok = reply.get("kind") in ("answer", "no_answer")
            except Exception:  # counted as an error, the test goes on
                ok = False
            with lock:
                results.append((ok, (time.perf_counter() - started) * 1000))
            k += 7

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put(results)


def main() -> None:
    args = _args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import psutil
    import uvicorn

    from app import create_app, ensure_index
    from bot.engine import build_bot
    from bot.settings import Settings
    from evals.sets import GOLDEN, load_cases
    from tests.test_load import make_pdf

    tmp = Path(tempfile.mkdtemp(prefix="clinicbot-load-"))
    shutil.copytree(REPO / "corpus", tmp / "corpus")
    port = _free_port()
    settings = Settings(corpus_dir=tmp / "corpus", index_dir=tmp / "index", data_dir=tmp / "data", port=port)
    bot = build_bot(settings)
    ensure_index(settings, bot)
    app = create_app(settings, bot)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.2)
    questions = [c.question for c in load_cases(GOLDEN / "answers.jsonl") if c.kind == "answer"]
    out = mp.get_context("spawn").Queue()
    child = mp.get_context("spawn").Process(target=patients, args=(f"http://127.0.0.1:{port}/", args.patients, args.seconds, questions, out))
    me, peak, published = psutil.Process(), 0, ""
    child.start()
    started = time.time()
    while child.is_alive() or out.empty():
        peak = max(peak, me.memory_info().rss)
        if not published and time.time() - started > args.seconds / 3:
            published = _publish(app.state.editor, tmp, make_pdf)
        time.sleep(0.5)
        if not child.is_alive() and not out.empty():
            break
    results = out.get()
    child.join()
    server.should_exit = True
    ms = [m for ok, m in results if ok]
    errors = sum(not ok for ok, _ in results)
    print(f"patients {args.patients}, {args.seconds:.0f} s; editor: {published}")
    print(f"requests served {len(ms)}, errors {errors}, throughput {len(ms) / args.seconds:.1f}/s")
    print(f"time to complete answer: p50 {np.percentile(ms, 50):.0f} ms, p95 {np.percentile(ms, 95):.0f} ms (target p95 < 1000 ms)")
    print(f"server peak RSS {peak / 1e6:.0f} MB")
    shutil.rmtree(tmp, ignore_errors=True)


def _publish(editor, tmp: Path, make_pdf) -> str:
    started = time.perf_counter()
    pdf = make_pdf(tmp / "parking.pdf", title="Parking", text="Free patient parking is available in the garage on Elm Street "
                   "behind the clinic building. The garage is open every day while the clinic is open.")
    editor.receive("parking.pdf", pdf)
    staged = editor.stage(add=["parking.pdf"])
    editor.publish(staged, "load-test", override_reason="load test" if staged.failures else "")
    return f"published parking.pdf in {time.perf_counter() - started:.1f} s during the run"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _args():
    p = argparse.ArgumentParser()
    p.add_argument("--patients", type=int, default=50)
    p.add_argument("--seconds", type=float, default=60)
    return p.parse_args()


if __name__ == "__main__":
    main()
