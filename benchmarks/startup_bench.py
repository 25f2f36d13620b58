"""Start-up: how long a cold process takes to answer, and how much memory it holds.

Three figures, each from fresh processes on an index built beforehand (as after `make run`):
- cold CLI answer: `python -m bot ask QUESTION --json`, wall time and peak RSS of the whole process;
- app to first 200: `python app.py` started, until `/healthz` answers 200;
- app answering: one question through the patient page's API, then the app's peak RSS (VmHWM).

    python -m benchmarks.startup_bench [--runs 3] [--question "How is ketamine given?"]

Targets (issue 22): first answer from a cold process <= 3 s, app serving <= 5 s, peak RSS <= 500 MB.
Run it on a quiet machine: these are wall-clock figures.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(work: Path) -> dict:
    """The settings of a fresh install: the bundled corpus, an index of its own, no telemetry, no hub."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLINICBOT_")}
    env.update(
        CLINICBOT_CORPUS_DIR=str(work / "corpus"),
        CLINICBOT_INDEX_DIR=str(work / "index"),
        CLINICBOT_DATA_DIR=str(work / "data"),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        ANONYMIZED_TELEMETRY="False",
        GRADIO_ANALYTICS_ENABLED="False",
        TOKENIZERS_PARALLELISM="false",
    )
    return env


def timed_run(args: list[str], env: dict) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB and stdout of one process run to its end."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} exited {proc.returncode}")
    return time.perf_counter() - started, usage.ru_maxrss / 1024, out


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory so far (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def app_run(env: dict, question: str) -> tuple[float, float, float]:
    """Seconds until /healthz answers 200, seconds for one answer through the API, and peak RSS in MB after it."""
    from gradio_client import Client

    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "app.py", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=1) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                if proc.poll() is not None:
                    raise SystemExit(f"app.py exited {proc.returncode}") from None
                time.sleep(0.05)
        serving = time.perf_counter() - started
        asked = time.perf_counter()
        answer = Client(url, verbose=False).predict(question, "[]", api_name="/ask")
        answering = time.perf_counter() - asked
        if answer.get("kind") != "answer":
            raise SystemExit(f"the app did not answer: {answer.get('kind')}")
        return serving, answering, peak_rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.startup_bench", description=__doc__.split("\n")[0])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--question", default="How is ketamine given?")
    args = p.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="clinicbot-startup-"))
    try:
        shutil.copytree(REPO / "corpus", work / "corpus")
        env = environment(work)
        timed_run([sys.executable, "-m", "ingest"], env)  # the built index `make run` leaves behind
        cli = [timed_run([sys.executable, "-m", "bot", "ask", "--json", args.question], env) for _ in range(args.runs)]
        kinds = {json.loads(out)["kind"] for _, _, out in cli}
        apps = [app_run(env, args.question) for _ in range(args.runs)]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"startup, median of {args.runs} runs (answer kinds: {', '.join(sorted(kinds))})")
    print(f"{'figure':<34}{'measured':>10}{'target':>10}")
    rows = [
        ("cold CLI answer, s", statistics.median(w for w, _, _ in cli), 3.0),
        ("cold CLI peak RSS, MB", statistics.median(m for _, m, _ in cli), 500.0),
        ("app to first 200, s", statistics.median(s for s, _, _ in apps), 5.0),
        ("app's first answer, s", statistics.median(a for _, a, _ in apps), float("nan")),
        ("app peak RSS after answering, MB", statistics.median(m for _, _, m in apps), 500.0),
    ]
    for name, value, target in rows:
        print(f"{name:<34}{value:>10.2f}{target:>10.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
