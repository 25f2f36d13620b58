"""A real PostgreSQL server for the tests: Debian's package (`make test` installs it), a cluster made by
initdb in a temporary folder, listening on a free port of 127.0.0.1 only, stopped and removed afterwards.
As root (CI), the server runs as the package's `postgres` user: PostgreSQL refuses to run as root."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.helpers import free_port


def _tool(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), "")
    if not found:
        pytest.fail(f"PostgreSQL's {name} is missing: `make test` installs it (apt-get install postgresql)")
    return found


def _as_server_user(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@contextmanager
def postgres_server():
    """Yield a SQLAlchemy URL of a fresh database on a server of its own."""
    folder = Path(tempfile.mkdtemp(prefix="clinicbot-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data, port = folder / "data", free_port()
    run = lambda cmd: subprocess.run(_as_server_user(cmd), check=True, capture_output=True, text=True)  # noqa: E731
    try:
        run([_tool("initdb"), "-D", str(data), "-U", "clinicbot", "--auth=trust", "-E", "UTF8", "--no-sync"])
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        run([_tool("pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start"])
        yield f"postgresql+psycopg://clinicbot@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_server_user([_tool("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]), capture_output=True
        )
        shutil.rmtree(folder, ignore_errors=True)


def create_database(server: str, prefix: str = "t") -> str:
    """A new, empty database on the server `postgres_server` yielded; its SQLAlchemy URL."""
    import uuid

    from sqlalchemy import create_engine, text

    name = f"{prefix}{uuid.uuid4().hex[:12]}"
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'create database "{name}"'))
    engine.dispose()
    return server.rsplit("/", 1)[0] + "/" + name
