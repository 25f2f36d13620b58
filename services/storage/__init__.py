"""The one place the app's shared state is kept: SQLite beside the data folder by default, PostgreSQL when
CLINICBOT_DATABASE_URL names one (two app replicas then share staff sessions, sign-in throttles and the
records staff review). SQLAlchemy Core, no ORM: each service writes its own few statements against the
tables of services/storage/schema.py, and the schema is migrated to the newest version when the app opens it.
"""

from __future__ import annotations

import hashlib
import json
import os
from contextlib import contextmanager
from pathlib import Path

from services.storage import schema
from services.storage.schema import migrate

__all__ = ["Busy", "Storage", "schema"]


class Storage:
    """An open database: `engine` for statements, `transaction()` for a unit of work that must not interleave
    with another process's (a throttle's count, a publish)."""

    def __init__(self, url: str):
        from sqlalchemy import create_engine, event

        self.url = url
        self.sqlite = url.startswith("sqlite")
        if self.sqlite:
            _private_file(Path(url.split(":///", 1)[1]))
        self.engine = create_engine(url, pool_pre_ping=not self.sqlite, connect_args=_connect_args(url))
        if self.sqlite:
            event.listen(self.engine, "connect", _sqlite_connected)
            # a write transaction takes SQLite's write lock at BEGIN: two processes counting the same failure
            # then wait for each other instead of both reading the old count (SQLAlchemy's recipe for pysqlite)
            event.listen(self.engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        migrate(self.engine)

    @classmethod
    def open(cls, settings) -> "Storage":
        """The database the settings name (CLINICBOT_DATABASE_URL), else SQLite in the data folder."""
        return cls(settings.database_url or f"sqlite:///{settings.chat_log_db}")

    @contextmanager
    def transaction(self):
        """A connection in one transaction, committed on success and rolled back on error."""
        with self.engine.begin() as conn:
            yield conn

    def locked(self, conn, table, keys: dict):
        """The row of `table` with these key values, held for this transaction, or None when there is none yet.
        PostgreSQL: a transaction lock on the key first, so two replicas reading a row that does not exist yet
        take turns instead of both starting from nothing (FOR UPDATE locks only rows that exist); SQLite's
        whole-database write lock is already held since BEGIN IMMEDIATE."""
        from sqlalchemy import select, text

        if not self.sqlite:
            name = json.dumps([table.name, sorted((k, str(v)) for k, v in keys.items())])
            key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
            conn.execute(text("select pg_advisory_xact_lock(:k)"), {"k": key})
        query = select(table).where(*(table.c[k] == v for k, v in keys.items()))
        return conn.execute(query).mappings().first()

    @contextmanager
    def exclusive(self, name: str):
        """Hold a named lock across every replica for the block, or raise Busy at once if another holds it
        (PostgreSQL: a session advisory lock; SQLite, one machine: an flock beside the database file). Nothing
        waits on it and no transaction stays open, so patients' writes go on meanwhile."""
        if self.sqlite:
            with _file_lock(Path(self.url.split(":///", 1)[1]).with_name(f".{name}.lock")):
                yield
            return
        from sqlalchemy import text

        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big")
        with self.engine.connect() as conn:
            if not conn.execute(text("select pg_try_advisory_lock(:k)"), {"k": key}).scalar():
                raise Busy(name)
            try:
                yield
            finally:
                conn.execute(text("select pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()

    def upsert(self, conn, table, keys: dict, values: dict) -> None:
        """Insert a row, or update the one with these keys: one statement, so two replicas writing the same
        new key at once cannot both insert it."""
        if self.sqlite:
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        statement = insert(table).values(**keys, **values)
        conn.execute(statement.on_conflict_do_update(index_elements=list(keys), set_=values))

    def close(self) -> None:
        self.engine.dispose()


class Busy(RuntimeError):
    """Another process holds the named lock (Storage.exclusive)."""


@contextmanager
def _file_lock(path: Path):
    import fcntl

    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with open(path, "a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Busy(path.stem.lstrip(".")) from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _connect_args(url: str) -> dict:
    return {"timeout": 10, "check_same_thread": False} if url.startswith("sqlite") else {"connect_timeout": 10}


def _sqlite_connected(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None  # transactions are begun by the "begin" listener, not by the driver
    dbapi_conn.execute("pragma journal_mode=wal")  # staff read while patients' exchanges are written
    # NORMAL with WAL keeps every committed row across a crash of the app; only a power cut can lose the last
    dbapi_conn.execute("pragma synchronous=normal")


def _private_file(path: Path) -> None:
    """Patients' words: the database file is readable by the app's own user only (its -wal file follows)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    os.chmod(path, 0o600)
