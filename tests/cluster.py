"""Several app replicas as a clinic's IT would run them, for the replica test and `load_bench --replicas`:
a real Chroma server, a real PostgreSQL (tests/postgres.py), app processes on their own ports sharing the
corpus and data folders, and a small proxy in front that keeps a client on one replica (nginx's ip_hash: a
Gradio queue lives in one process) and moves it to the next one when its replica stops answering."""

from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import subprocess
import sys
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.helpers import free_port, stop, wait_for_http

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "replica test staff password"
HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "host"}


@contextmanager
def chroma_server(path: Path):
    """A real Chroma server (`chroma run`) on a free loopback port; its URL. Stopped afterwards."""
    port = free_port()
    exe = Path(sys.executable).with_name("chroma")
    proc = subprocess.Popen(
        [str(exe), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    url = f"http://127.0.0.1:{port}"
    wait_for_http(f"{url}/api/v2/heartbeat", proc, 60, "chroma server")
    try:
        yield url
    finally:
        stop(proc)


class Replica:
    """One app process (`python app.py`) on its own port; `kill()` is kill -9, `start()` starts it again."""

    def __init__(self, env: dict, folder: Path):
        self.env, self.folder = env, folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self, seconds: float = 240) -> "Replica":
        env = {**self.env, "CLINICBOT_PORT": str(self.port)}
        with open(self.folder / f"replica-{self.port}.log", "ab") as out:
            self.proc = subprocess.Popen([sys.executable, "app.py"], cwd=REPO, env=env, stdout=out, stderr=out)
        wait_for_http(f"{self.url}/healthz", self.proc, seconds, f"the replica on port {self.port}")
        return self

    def kill(self) -> None:
        self.proc.kill()  # SIGKILL: no shutdown handler runs, as when a machine or a supervisor kills it
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            stop(self.proc)


class Proxy:
    """A client's requests go to the replica its address hashes to (X-Forwarded-For, as the clinic's edge
    proxy sets it), or to the next one while that replica refuses connections. Responses stream through
    (Gradio's event streams), one bounded thread per request."""

    def __init__(self, backends: list[int], max_requests: int = 256):
        self.backends = backends
        self.slots = threading.BoundedSemaphore(max_requests)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def order(self, client: str) -> list[int]:
        first = int(hashlib.sha256(client.encode()).hexdigest(), 16) % len(self.backends)
        return self.backends[first:] + self.backends[:first]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet: the test prints what matters
                pass

            def _forward(self):
                with proxy.slots:
                    body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                    client = self.headers.get("X-Forwarded-For") or self.client_address[0]
                    headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
                    headers["X-Forwarded-For"] = client
                    for port in proxy.order(client):
                        upstream = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                        try:
                            upstream.request(self.command, self.path, body=body or None, headers=headers)
                            reply = upstream.getresponse()
                        except (ConnectionRefusedError, ConnectionResetError):
                            upstream.close()
                            continue  # that replica is down: the next one
                        self._relay(reply)
                        upstream.close()
                        return
                    self.send_error(502, "no replica answered")

            def _relay(self, reply):
                self.send_response(reply.status)
                for k, v in reply.getheaders():
                    if k.lower() not in HOP and k.lower() != "content-length":
                        self.send_header(k, v)
                self.send_header("Connection", "close")  # the body ends when the connection does
                self.end_headers()
                try:
                    while chunk := reply.read1(65536):
                        self.wfile.write(chunk)
                        self.wfile.flush()
                except (OSError, http.client.HTTPException):
                    pass  # the replica died mid-answer: the client sees a cut-off reply, as behind nginx

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = _forward

        return Handler


def replica_env(folder: Path, database_url: str, chroma_url: str) -> dict:
    """The settings every replica shares: one corpus and data folder, one database, one Chroma server."""
    shutil.copytree(REPO / "corpus", folder / "corpus", dirs_exist_ok=True)
    return {
        **os.environ,
        "CLINICBOT_DATABASE_URL": database_url,
        "CLINICBOT_CHROMA_URL": chroma_url,
        "CLINICBOT_CORPUS_DIR": str(folder / "corpus"),
        "CLINICBOT_DATA_DIR": str(folder / "data"),
        "CLINICBOT_INDEX_DIR": str(folder / "index-unused"),
        "CLINICBOT_STAFF_PASSWORD": PASSWORD,
        "CLINICBOT_TRUSTED_PROXIES": "127.0.0.1",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "ANONYMIZED_TELEMETRY": "False",
        "HF_HUB_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "OMP_NUM_THREADS": "1",  # two replicas on two cores: one BLAS thread each
    }


@contextmanager
def cluster(folder: Path, database_url: str, replicas: int = 2, extra_env: dict | None = None):
    """Chroma server + `replicas` app processes + the proxy; yields (proxy, [Replica])."""
    with chroma_server(folder / "chroma") as chroma_url:
        env = {**replica_env(folder, database_url, chroma_url), **(extra_env or {})}
        started: list[Replica] = []
        try:
            for _ in range(replicas):  # one after the other: the first indexes the corpus, the others find it
                started.append(Replica(env, folder).start())
            proxy = Proxy([r.port for r in started])
            try:
                yield proxy, started
            finally:
                proxy.close()
        finally:
            for replica in started:
                replica.stop()
