"""The SQLite connections of the process (one writer, one reader) and its transactions."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import NamedTuple, TypeVar

import aiosqlite

from storage.migrations import migrate

Params = Mapping[str, object] | None
T = TypeVar("T")


class Written(NamedTuple):
    rowcount: int
    lastrowid: int | None


_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
)


class Database:
    """Serialises transactions on one writing connection; each helper runs in its own,
    or joins the transaction its task already holds (one service call, one transaction).
    The lock keeps two tasks from interleaving statements inside each other's
    transaction.

    Reads outside a transaction go to a second, read-only connection and take no lock:
    in WAL mode a reader sees every committed write and never one in progress. That
    connection is plain sqlite3, read on the event loop itself: the bot's reads are
    indexed lookups of tens of microseconds, cheaper than the trip to aiosqlite's thread
    and back, and each trip handed the GIL between threads (a quarter of the bot's CPU
    per update went on those trips). Writes stay on aiosqlite's thread: a commit can
    wait on the disk or on another process's lock, and the loop must not.
    """

    def __init__(self, conn: aiosqlite.Connection, reader: sqlite3.Connection | None) -> None:
        self.conn = conn
        self._reader = reader
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[object] | None = None
        self._on_commit: list[Callable[[], object]] = []

    @classmethod
    async def open(cls, path: Path | str) -> Database:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = await _connect(path)
        for pragma in _PRAGMAS:
            await conn.execute(pragma)
        reader = None
        try:
            async with cls(conn, None).tx():
                await migrate(conn)
            if str(path) != ":memory:":  # a second connection to :memory: is another database
                reader = sqlite3.connect(path, isolation_level=None)
                reader.row_factory = sqlite3.Row
                for pragma in (*_PRAGMAS[1:], "PRAGMA query_only = ON"):
                    reader.execute(pragma)
        except BaseException:
            await conn.close()
            raise
        return cls(conn, reader)

    @asynccontextmanager
    async def tx(self) -> AsyncIterator[aiosqlite.Connection]:
        """One transaction; nested calls from the same task join it.

        A task spawned inside a transaction must not be awaited there: it would wait
        for the lock its parent holds.
        """
        task = asyncio.current_task()
        if self._owner is task:  # a service calling another service joins its transaction
            yield self.conn
            return
        async with self._lock:
            try:
                await _settle(self.conn.execute("BEGIN IMMEDIATE"))
                self._owner = task
                yield self.conn
                await _settle(self.conn.execute("COMMIT"))
            except BaseException:
                if self.conn.in_transaction:
                    await _settle(self.conn.execute("ROLLBACK"))
                raise
            finally:
                self._owner = None
                done, self._on_commit = self._on_commit, []
        for callback in done:  # reached only after a COMMIT
            callback()

    def after_commit(self, callback: Callable[[], object]) -> None:
        """Call ``callback`` once the task's transaction is committed (now, outside one):
        whoever it wakes reads on the other connection and must find the data there."""
        if self._owner is asyncio.current_task():
            self._on_commit.append(callback)
        else:
            callback()

    @asynccontextmanager
    async def _statement(self) -> AsyncIterator[aiosqlite.Connection]:
        """Room for one statement: inside the task's transaction, or alone under the lock.
        A statement alone needs no BEGIN/COMMIT: SQLite runs it atomically by itself, and
        the lock means no other task's transaction is open on the connection meanwhile.
        Each BEGIN or COMMIT is one more trip to aiosqlite's thread; reads are most calls."""
        if self._owner is asyncio.current_task():
            yield self.conn
            return
        async with self._lock:
            yield self.conn

    async def fetchone(self, sql: str, params: Params = None) -> aiosqlite.Row | None:
        return next(iter(await self.fetchall(sql, params)), None)

    async def fetchall(self, sql: str, params: Params = None) -> list[aiosqlite.Row]:
        if self._reader is not None and self._owner is not asyncio.current_task():
            return self._reader.execute(sql, params or {}).fetchall()
        async with self._statement() as conn:
            return list(await conn.execute_fetchall(sql, params or {}))  # type: ignore[arg-type]

    async def execute(self, sql: str, params: Params = None) -> Written:
        async with self._statement() as conn:
            cursor = await _settle(conn.execute(sql, params or {}))
        return Written(cursor.rowcount, cursor.lastrowid)

    async def executemany(self, sql: str, rows: Iterable[Mapping[str, object]]) -> None:
        async with self.tx() as conn:
            await conn.executemany(sql, rows)

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
        await self.conn.close()


async def _connect(path: Path | str) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(path, isolation_level=None)
    conn.row_factory = aiosqlite.Row
    return conn


async def _settle(statement: Awaitable[T]) -> T:
    """Run a statement to its end even if the caller is cancelled meanwhile, then pass the
    cancel on. aiosqlite finishes a queued statement anyway; our idea of whether a
    transaction is open must match SQLite's, or the next BEGIN fails and a cancelled
    task's error can hide the cancel itself (a stop that never ends)."""
    future = asyncio.ensure_future(statement)
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        await future
        raise
