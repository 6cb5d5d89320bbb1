"""The database opened for reading only, beside a running bot: the stats page.

A SQLite file is opened with ``mode=ro`` and without the bot's ``<db>.lock``: the bot
holds that lock for as long as it runs, and a reader in WAL mode needs no lock to see
what is committed. Nothing is migrated: the page reads what the bot's schema holds.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NoReturn, cast

from storage.db import POSTGRES_SCHEMES, Database, DatabaseUnavailable, Params, Row, Written


class ReadOnlySqlite(Database):
    def __init__(self, conn: sqlite3.Connection) -> None:
        super().__init__()
        self._conn = conn

    @classmethod
    def open_at(cls, path: Path) -> ReadOnlySqlite:
        if not path.is_file():
            raise DatabaseUnavailable(path, "does not exist: start the bot once to create it")
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA query_only = ON")
            conn.execute("SELECT count(*) FROM tickets").fetchone()
        except sqlite3.Error as error:
            raise DatabaseUnavailable(path, f"cannot be read: {error}") from None
        return cls(conn)

    async def fetchall(self, sql: str, params: Params = None) -> list[Row]:
        return cast(list[Row], self._conn.execute(sql, params or {}).fetchall())

    async def close(self) -> None:
        self._conn.close()

    async def _begin(self, key: str | None) -> NoReturn:
        _refuse()

    async def _commit(self, conn: Any) -> None:
        _refuse()

    async def _rollback(self, conn: Any) -> None:
        _refuse()

    async def _lock_keys(self, conn: Any, keys: list[str]) -> None:
        _refuse()

    async def execute(self, sql: str, params: Params = None) -> Written:
        _refuse()

    async def write_returning(self, sql: str, params: Params = None) -> list[Row]:
        _refuse()

    async def executemany(self, sql: str, rows: Iterable[Mapping[str, object]]) -> None:
        _refuse()


def _refuse() -> NoReturn:
    raise PermissionError("this database is open for reading only")


async def open_for_reading(where: Path | str) -> Database:
    """SQLite read-only and unlocked; PostgreSQL as a pool, not migrated."""
    if isinstance(where, str) and str.startswith(where, POSTGRES_SCHEMES):
        from storage.postgres import PostgresDatabase, connect_pool  # noqa: PLC0415

        return PostgresDatabase(await connect_pool(where))
    return ReadOnlySqlite.open_at(Path(where))
