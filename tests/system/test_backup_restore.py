"""The README's backup and restore, tried as a clinic's IT would (issue 25): `pg_dump` of the shared database
and a copy of the corpus folder, restored into a new database and a new folder, after which the app's desk
shows the same chat log, feedback and sign-ins, and the restored corpus syncs into an index that answers."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core.records import Answer
from services.chatlog import ChatLog, SignInEvent, SignInLog
from services.storage import Storage
from tests.postgres import _tool, create_database, postgres_server

pytestmark = [pytest.mark.integration, pytest.mark.slow]
REPO = Path(__file__).resolve().parents[2]


def _libpq(url: str) -> str:
    """The SQLAlchemy URL as pg_dump and pg_restore take it."""
    return url.replace("postgresql+psycopg://", "postgresql://")


def test_a_dump_and_the_corpus_folder_restore_the_clinic(tmp_path):
    with postgres_server() as server:
        live = create_database(server, "restore")
        log = ChatLog(Storage(live))
        first = log.record("c0ffee1234", Answer("how long is the visit?", "answer", "About an hour [1]"), {})
        log.feedback(first, -1, "too vague")
        SignInLog(Storage(live)).add(SignInEvent("signed in", "staff", "10.0.0.4"))
        dump = tmp_path / "clinicbot.dump"
        # the README's backup: one pg_dump of the database and a copy of the corpus folder
        subprocess.run([_tool("pg_dump"), "--format=custom", "--file", str(dump), _libpq(live)], check=True)
        shutil.copytree(REPO / "corpus", tmp_path / "backup" / "corpus")

        restored = create_database(server, "restore")
        subprocess.run([_tool("pg_restore"), "--no-owner", "--dbname", _libpq(restored), str(dump)], check=True)
        rows = ChatLog(Storage(restored)).recent()
        assert [(r["question"], r["rating"], r["comment"]) for r in rows] == [
            ("how long is the visit?", -1, "too vague")
        ]
        assert [e.event for e in SignInLog(Storage(restored)).recent()] == ["signed in"]

    # the README's restore of the articles: copy the folder back and sync it into a new index
    site = tmp_path / "site"
    shutil.copytree(tmp_path / "backup" / "corpus", site / "corpus")
    env = {
        **os.environ,
        "CLINICBOT_CORPUS_DIR": str(site / "corpus"),
        "CLINICBOT_INDEX_DIR": str(site / ".index"),
        "CLINICBOT_DATA_DIR": str(site / ".data"),
    }
    synced = subprocess.run(
        [sys.executable, "-m", "ingest"], env=env, cwd=site, capture_output=True, text=True, timeout=600
    )
    assert synced.returncode == 0, synced.stderr[-2000:]
    listing = subprocess.run(
        [sys.executable, "-m", "ingest", "--list"], env=env, cwd=site, capture_output=True, text=True, timeout=300
    )
    served = {p.name for p in (REPO / "corpus").iterdir() if not p.name.startswith("_")}
    assert all(name in listing.stdout for name in served), listing.stdout
