"""Helpers shared by tests: real servers on loopback, and the guard's "every message is this kind" check."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request

import pytest

from services.storage import Storage


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_http(url: str, proc: subprocess.Popen, seconds: float, what: str) -> None:
    """Poll url until it answers; kill proc and fail the test if it never does."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    proc.kill()
    pytest.fail(f"{what} did not start within {seconds:.0f} s")


def stop(proc: subprocess.Popen) -> None:
    """End a server the test started: politely, then for certain."""
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=30)


def kinds(guard, messages) -> dict:
    """What the guard makes of each message."""
    return {m: guard.run(m).kind for m in messages}


def assert_kind(guard, kind: str, *messages: str) -> None:
    """Every message is classified `kind`; a failure lists each message that was not, with what it got."""
    wrong = {m: k for m, k in kinds(guard, messages).items() if k != kind}
    assert not wrong, f"expected {kind}: {wrong}"


def storage_at(path) -> Storage:
    """The app's database as the embedded default keeps it: SQLite at `path`."""
    return Storage(f"sqlite:///{path}")
