"""The tables of the shared state, and the migrations that bring any earlier database to the newest schema.

Version 1 is what the app's SQLite file held before this layer (the chat log and the sign-in log), so a
clinic's existing `.data/chatlog.sqlite` migrates in place. Each later version adds what it needs. A migration
runs in one transaction; on PostgreSQL an advisory lock keeps two replicas starting together from both
running it.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, select, text

metadata = MetaData()

schema_version = Table("schema_version", metadata, Column("version", Integer, nullable=False))

# version 1: the chat log and sign-in log as services/chatlog.py has always written them
exchanges = Table(
    "exchanges",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", Text, nullable=False),
    Column("conversation", Text, nullable=False, index=True),
    Column("question", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("answer_json", Text, nullable=False),
    Column("settings_json", Text, nullable=False),
    Column("rating", Integer),
    Column("comment", Text),
)
signins = Table(
    "signins",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", Text, nullable=False),
    Column("event", Text, nullable=False),
    Column("user", Text, nullable=False),
    Column("client", Text, nullable=False),
    Column("detail", Text, nullable=False),
)

# version 2: staff sessions and sign-in throttles, shared by every replica and kept across restarts
staff_sessions = Table(
    "staff_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),  # sha256 of the cookie: a copy of the table signs no one in
    Column("user", Text, nullable=False),
    Column("expires", Float, nullable=False),
)
signin_failures = Table(
    "signin_failures",
    metadata,
    Column("who", String(8), primary_key=True),  # "client" or "user"
    Column("key", String(200), primary_key=True),
    Column("count", Integer, nullable=False),
    Column("until", Float, nullable=False),
    Column("told", Integer, nullable=False),
    Column("touched", Float, nullable=False),
)

# version 3: patients' question buckets (the rate limit), one budget across replicas
rate_buckets = Table(
    "rate_buckets",
    metadata,
    Column("key", String(200), primary_key=True),  # the client's address
    Column("tokens", Float, nullable=False),
    Column("at", Float, nullable=False),
)

# version 4: what staff and editors decide, shared by every replica (these were files in the data folder)
eval_cases = Table(  # evaluation cases staff made from logged answers
    "eval_cases",
    metadata,
    Column("id", String(200), primary_key=True),  # "fb-<exchange>": two replicas adding the same case cannot both
    Column("at", Text, nullable=False),
    Column("case_json", Text, nullable=False),
)
case_reviews = Table(  # a reviewer's new expectation for a case; the newest of a case wins
    "case_reviews",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", String(300), nullable=False, index=True),
    Column("kind", Text, nullable=False),
    Column("facts_json", Text, nullable=False),
    Column("sources_json", Text, nullable=False),
    Column("who", Text, nullable=False),
    Column("at", Text, nullable=False),
    Column("why", Text, nullable=False),
)
gap_actions = Table(  # content-gap groups an editor marked out of scope, by their first question
    "gap_actions",
    metadata,
    Column("key", String(1000), primary_key=True),
    Column("action", Text, nullable=False),
    Column("who", Text, nullable=False),
    Column("at", Text, nullable=False),
)
publish_log = Table(  # every publish: who, when, what changed, and the reason when a gate was overridden
    "publish_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", Text, nullable=False),
    Column("who", Text, nullable=False),
    Column("version", Text, nullable=False),
    Column("entry_json", Text, nullable=False),
)
eval_runs = Table(  # the staff's evaluation runs, for "each metric over the last runs"
    "eval_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", Text, nullable=False),
    Column("run_json", Text, nullable=False),
)

MIGRATIONS = {
    1: [exchanges, signins],
    2: [staff_sessions, signin_failures],
    3: [rate_buckets],
    4: [eval_cases, case_reviews, gap_actions, publish_log, eval_runs],
}
LATEST = max(MIGRATIONS)
_ADVISORY_LOCK = 7_245_113  # any fixed number: the app's one migration lock on a PostgreSQL server


def migrate(engine) -> int:
    """Bring the database to LATEST in one transaction; returns the version it was at. Creating a
    table that is already there (version 1 on a database the chat log made) is a no-op."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("select pg_advisory_xact_lock(:k)"), {"k": _ADVISORY_LOCK})
        schema_version.create(conn, checkfirst=True)
        found = conn.execute(select(schema_version.c.version)).scalar()
        start = found or 0
        for version in range(start + 1, LATEST + 1):
            metadata.create_all(conn, tables=MIGRATIONS[version], checkfirst=True)
        if found is None:
            conn.execute(schema_version.insert().values(version=LATEST))
        elif start < LATEST:
            conn.execute(schema_version.update().values(version=LATEST))
    return start
