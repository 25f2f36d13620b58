"""Load test: 50 simulated patients ask corpus questions through gradio_client for a minute
while an editor publishes an article. Prints requests, errors, p50/p95 and the server's peak memory.

Two scenarios run one after the other on the same server:
- stress: every patient sends the next question the moment an answer arrives;
- reading: every patient pauses to read each answer (uniformly --think/2 to 3*--think/2 seconds),
  as people in a chat do.
Besides the time to the complete answer as gradio_client sees it, the engine's own time per
answer (timings_ms.total in the answer JSON) is printed, to tell the engine from the transport.

    python -m benchmarks.load_bench [--patients 50] [--seconds 60] [--think 5]
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


def patients(url: str, count: int, seconds: float, think: float, questions: list[str], out) -> None:
    """Child process: `count` threads, each a gradio_client asking questions until time is up,
    pausing about `think` seconds between them. Puts (ok, client ms, engine ms) rows on `out`."""
    import random

    from gradio_client import Client

    results, lock = [], threading.Lock()

    def one(i: int) -> None:
        client = Client(url, verbose=False)
        rng = random.Random(i)
        end = time.time() + seconds
        k = i
        time.sleep(rng.uniform(0, think))  # patients arrive spread out, not in one burst
        while time.time() < end:
            started = time.perf_counter()
            engine = 0.0
            try:
                reply = client.predict(questions[k % len(questions)], "[]", api_name="/ask")
                ok = reply.get("kind") in ("answer", "no_answer")
                engine = float(reply.get("timings_ms", {}).get("total", 0.0))
            except Exception:  # counted as an error, the test goes on
                ok = False
            with lock:
                results.append((ok, (time.perf_counter() - started) * 1000, engine))
            k += 7
            time.sleep(rng.uniform(think / 2, 3 * think / 2))

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
    url = f"http://127.0.0.1:{port}/"
    print(f"{args.patients} patients, {args.seconds:.0f} s per scenario, an editor publishing a third of the way in")
    print("| scenario | served | errors | per s | p50 ms | p95 ms | engine p50 ms | engine p95 ms | peak RSS MB | editor |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, think, words in (("stress (no pause)", 0.0, "Free patient parking is available in the garage on Elm Street."),
                               (f"reading (~{args.think:.0f} s pause)", args.think, "Parking is free in the Elm Street garage.")):
        row = _scenario(url, args, think, questions, lambda: _publish(app.state.editor, tmp, make_pdf, words))
        print(f"| {name} | " + " | ".join(row) + " |")
    print("target: p95 under 1000 ms to the complete answer, 0 errors")
    server.should_exit = True
    shutil.rmtree(tmp, ignore_errors=True)


def _scenario(url: str, args, think: float, questions: list[str], publish) -> list[str]:
    """Run one scenario's patients in a child process while publishing once; the table row."""
    import psutil

    out = mp.get_context("spawn").Queue()
    child = mp.get_context("spawn").Process(target=patients, args=(url, args.patients, args.seconds, think, questions, out))
    me, peak, published = psutil.Process(), 0, ""
    child.start()
    started = time.time()
    while out.empty():  # the child puts its results just before it ends
        peak = max(peak, me.memory_info().rss)
        if not published and time.time() - started > args.seconds / 3:
            published = publish()
        if not child.is_alive() and out.empty():
            raise SystemExit("the patients' process died without results")
        time.sleep(0.5)
    results = out.get()
    child.join()
    ms = [m for ok, m, _ in results if ok]
    engine = [e for ok, _, e in results if ok]
    errors = sum(not ok for ok, _, _ in results)
    return [str(len(ms)), str(errors), f"{len(ms) / args.seconds:.1f}", *(f"{np.percentile(v, q):.0f}" for v in (ms, engine) for q in (50, 95)),
            f"{peak / 1e6:.0f}", published]


def _publish(editor, tmp: Path, make_pdf, words: str) -> str:
    started = time.perf_counter()
    pdf = make_pdf(tmp / "parking.pdf", title="Parking", text=words + " The garage is open every day while the clinic is open.")
    editor.receive("parking.pdf", pdf)
    staged = editor.stage(add=["parking.pdf"])
    editor.publish(staged, "load-test", override_reason="load test" if staged.failures else "")
    return f"published parking.pdf in {time.perf_counter() - started:.1f} s"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _args():
    p = argparse.ArgumentParser()
    p.add_argument("--patients", type=int, default=50)
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--think", type=float, default=5.0, help="mean pause between a patient's questions in the reading scenario")
    return p.parse_args()


if __name__ == "__main__":
    main()
