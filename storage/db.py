"""The one SQLite connection of the process, and its transactions."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from storage.migrations import migrate

_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
)


class Database:
    """Serialises transactions on one connection.

    aiosqlite runs every statement on one thread anyway; the lock keeps two
    tasks from interleaving statements inside each other's transaction.
    """

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[object] | None = None

    @classmethod
    async def open(cls, path: Path | str) -> Database:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(path, isolation_level=None)
        conn.row_factory = aiosqlite.Row
        for pragma in _PRAGMAS:
            await conn.execute(pragma)
        db = cls(conn)
        async with db.tx():
            await migrate(conn)
        return db

    @asynccontextmanager
    async def tx(self) -> AsyncIterator[aiosqlite.Connection]:
        task = asyncio.current_task()
        if self._owner is task:  # a service calling another service joins its transaction
            yield self.conn
            return
        async with self._lock:
            self._owner = task
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            else:
                await self.conn.execute("COMMIT")
            finally:
                self._owner = None

    async def close(self) -> None:
        await self.conn.close()
