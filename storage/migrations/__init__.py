"""Append-only numbered migrations: `NNNN_name.sql`, applied in order, recorded once.

A file that has been released is never edited; a fix is a new file.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from importlib import resources

_CREATE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    name TEXT PRIMARY KEY,
    applied_at TEXT NOT NULL
)"""
_APPLIED = "SELECT name FROM schema_migrations"
_RECORD = "INSERT INTO schema_migrations (name, applied_at) VALUES (:name, :at)"


def available() -> list[tuple[str, str]]:
    files = resources.files(__name__)
    names = sorted(f.name for f in files.iterdir() if f.name.endswith(".sql"))
    return [(name.removesuffix(".sql"), files.joinpath(name).read_text("utf-8")) for name in names]


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply what is missing, inside the caller's transaction; return what ran."""
    conn.execute(_CREATE)
    done = {row[0] for row in conn.execute(_APPLIED)}
    ran = []
    for name, sql in available():
        if name in done:
            continue
        # executescript would COMMIT the caller's transaction; run statement by statement.
        for statement in _statements(sql):
            conn.execute(statement)
        conn.execute(_RECORD, {"name": name, "at": datetime.now(UTC).isoformat()})
        ran.append(name)
    return ran


def _statements(sql: str) -> list[str]:
    # sqlite3 knows where a statement ends, even with ";" inside strings or triggers.
    statements, current = [], ""
    for line in sql.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    if current.strip() and not all(
        part.lstrip().startswith("--") or not part.strip() for part in current.splitlines()
    ):
        statements.append(current.strip())
    return statements
