"""A tiny OpenAI-compatible endpoint on 127.0.0.1 that fails on purpose, for deterministic robustness tests.

It speaks /v1/chat/completions with streaming (server-sent events in a chunked body, as llama.cpp's server
and vLLM do) and can: answer a given text, wait before the first token, die mid-answer (the connection
closes inside the chunked body), send junk, send empty choices, or answer with an HTTP error.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Behaviour:
    """What the endpoint does with the next request."""

    text: str = ""
    first_token_delay: float = 0.0
    die_after: int | None = None  # chunks sent before the connection is cut
    junk: bytes | None = None  # raw bytes instead of events
    empty_choices: bool = False
    status: int = 200
    pause_after: int | None = None  # words sent before a pause (a model thinking mid-answer)
    pause: float = 0.0
    requests: list = field(default_factory=list)


class FakeOpenAI:
    """Start with `with FakeOpenAI() as fake:`; set fake.behaviour; point CLINICBOT_LLM_BASE_URL at fake.url."""

    def __init__(self):
        self.behaviour = Behaviour()
        handler = _handler(self)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> "FakeOpenAI":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def _event(delta: dict | None) -> bytes:
    choices = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": None}]
    body = {"id": "fake", "object": "chat.completion.chunk", "created": 0, "model": "fake", "choices": choices}
    return f"data: {json.dumps(body)}\n\n".encode()


def _handler(fake: FakeOpenAI):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # quiet
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            b = fake.behaviour
            b.requests.append(json.loads(body or b"{}"))
            if b.status != 200:
                payload = json.dumps({"error": {"message": "server error", "type": "server_error"}}).encode()
                self.send_response(b.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.flush()
            time.sleep(b.first_token_delay)
            self._events(b)

        def _events(self, b: Behaviour) -> None:
            if b.junk is not None:
                events = [b.junk]
            elif b.empty_choices:
                events = [_event(None), _event({"role": "assistant"}), _event({"content": ""})]
            else:
                words = b.text.split(" ")
                events = [_event({"role": "assistant", "content": ""})]
                events += [_event({"content": w if i == 0 else " " + w}) for i, w in enumerate(words)]
            for i, event in enumerate(events + [b"data: [DONE]\n\n"]):
                if b.pause_after is not None and i == b.pause_after + 1:
                    time.sleep(b.pause)
                if b.die_after is not None and i >= b.die_after:
                    self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_RDWR)  # cut inside the chunked body: no terminating chunk
                    self.close_connection = True
                    return
                self._chunk(event)
            self._chunk(b"")

        def _chunk(self, data: bytes) -> None:
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

    return Handler
