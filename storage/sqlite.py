"""SQLite: the embedded database, one process's connections and its transactions."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import cast

import aiosqlite

from storage.db import Database, DatabaseUnavailable, Params, Row, Written
from storage.migrations import migrate

try:
    import fcntl
except ImportError:  # Windows has no flock: there, one process per database is the operator's
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

# How often the WAL is copied back into the database file, when anything was written.
CHECKPOINT_EVERY = 1.0
_CHECKPOINT = "PRAGMA wal_checkpoint(PASSIVE)"  # copies what no reader still needs


_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
)


class SqliteDatabase(Database):
    """Transactions on one writing connection, the file held by this process alone.

    Statements run on the event loop itself, on plain sqlite3 connections. The bot's
    statements are indexed lookups and single-row writes of tens of microseconds; a trip
    to a database thread and back cost more than that, handed the GIL between threads,
    and held the write lock for the whole trip, so under load every update queued for
    the lock (a login made about 25 trips). On the loop a transaction whose body awaits
    nothing else runs start to COMMIT without yielding, and nobody waits for the lock.

    The loop hardly waits on the disk: in WAL mode with ``synchronous = NORMAL`` a COMMIT
    appends to the WAL without fsync, and the checkpoint, which does fsync, is taken off
    the writer and run every ``CHECKPOINT_EVERY`` seconds on aiosqlite's thread; only the
    pages written while it ran are copied on the loop (two fsyncs, 1-5 ms on a VM disk),
    so that the WAL can start again from the top, and the first COMMIT after that syncs
    the new WAL header. The file belongs to this process: another process
    holding its write lock would stall the loop for up to the busy timeout.

    Reads outside a transaction go to a second, read-only connection: in WAL mode a
    reader sees every committed write and never one in progress, even while another
    task's transaction waits on something else.
    """

    def __init__(self, writer: sqlite3.Connection, reader: sqlite3.Connection) -> None:
        super().__init__()
        self._writer = writer
        self._reader = reader
        self._keeper: aiosqlite.Connection | None = None
        self._checkpoints: asyncio.Task[None] | None = None
        self._flock: int | None = None

    @classmethod
    async def open_at(cls, path: Path | str) -> SqliteDatabase:
        """The database at ``path``, migrated, and held by this process alone until
        ``close()``; DatabaseUnavailable, in words for the operator, when it cannot be."""
        try:
            return await cls._open(Path(path))
        except (OSError, sqlite3.Error) as error:
            reason = str(error)
            if isinstance(error, OSError) and error.strerror:
                reason = (
                    f"{error.strerror}: {error.filename}" if error.filename else error.strerror
                )
            raise DatabaseUnavailable(path, f"cannot be opened: {reason}") from None

    @classmethod
    async def _open(cls, path: Path) -> SqliteDatabase:
        flock = _hold(path)
        try:
            writer = _connect(path, *_PRAGMAS, "PRAGMA wal_autocheckpoint = 0")
        except BaseException:
            _release(flock)
            raise
        db = cls(writer, writer)
        db._flock = flock
        try:
            async with db.tx():
                db.migrated = migrate(writer)
            db._reader = _connect(path, *_PRAGMAS[1:], "PRAGMA query_only = ON")
            db._keeper = await aiosqlite.connect(path)
            db._checkpoints = asyncio.create_task(db._checkpoint_now_and_then())
        except BaseException:
            await db.close()
            raise
        return db

    async def _begin(self, key: str | None) -> sqlite3.Connection:
        self._writer.execute("BEGIN IMMEDIATE")
        return self._writer

    async def _lock_keys(self, conn: sqlite3.Connection, keys: list[str]) -> None:
        return None  # one writer: already serialised with every other

    async def _commit(self, conn: sqlite3.Connection) -> None:
        conn.execute("COMMIT")

    async def _rollback(self, conn: sqlite3.Connection) -> None:
        if conn.in_transaction:
            conn.execute("ROLLBACK")

    @asynccontextmanager
    async def _statement(self) -> AsyncIterator[sqlite3.Connection]:
        """Room for one statement: inside the task's transaction, or alone under the lock
        (another task's transaction may be open, waiting on something else). A statement
        alone needs no BEGIN/COMMIT: SQLite runs it atomically by itself."""
        if self._owns():
            yield self._writer
            return
        async with self._lock:
            yield self._writer

    async def fetchall(self, sql: str, params: Params = None) -> list[Row]:
        conn = self._writer if self._owns() else self._reader
        return cast(list[Row], conn.execute(sql, params or {}).fetchall())

    async def execute(self, sql: str, params: Params = None) -> Written:
        async with self._statement() as conn:
            cursor = conn.execute(sql, params or {})
        return Written(cursor.rowcount)

    async def write_returning(self, sql: str, params: Params = None) -> list[Row]:
        async with self._statement() as conn:
            return cast(list[Row], conn.execute(sql, params or {}).fetchall())

    async def executemany(self, sql: str, rows: Iterable[Mapping[str, object]]) -> None:
        async with self.tx():
            self._writer.executemany(sql, rows)

    async def close(self) -> None:
        try:
            if self._checkpoints is not None:
                self._checkpoints.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._checkpoints
            if self._keeper is not None:
                await self._keeper.close()
        finally:
            if self._reader is not self._writer:
                self._reader.close()
            self._writer.close()  # the last one out checkpoints the rest, removes the WAL
            if self._flock is not None:
                _release(self._flock)
                self._flock = None

    async def _checkpoint_now_and_then(self) -> None:
        written = -1  # the first round folds in whatever start-up wrote
        while True:
            await asyncio.sleep(CHECKPOINT_EVERY)
            if self._writer.total_changes == written or self._keeper is None:
                continue
            changes = self._writer.total_changes
            try:
                await self._keeper.execute_fetchall(_CHECKPOINT)
                # The WAL starts again from the top only once everything in it is copied,
                # and a checkpoint beside writes never catches up with them: the few
                # pages written meanwhile are copied here, between two transactions.
                # Holding the lock across a trip to the thread instead queued every
                # writer behind it, each handed the lock one loop turn after another.
                if not self._lock.locked():
                    self._writer.execute(_CHECKPOINT)
            except Exception as error:  # this task must outlive any one failed round
                log.warning("WAL checkpoint failed (%s); the next round tries again", error)
            else:
                written = changes


def _hold(path: Path) -> int | None:
    """An exclusive lock on ``<db>.lock`` for as long as the database is open. Two bots
    on one database would both poll Telegram (each getting 409s) and stall each other's
    writes. A flock belongs to the open file: the kernel drops it when the process dies,
    even by SIGKILL, where a pid file would outlive it and lock the next start out."""
    for folder in reversed(path.parents):
        if folder.exists() and not folder.is_dir():
            raise DatabaseUnavailable(path, f"is under {folder}, which is a file, not a folder")
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_dir():
        raise DatabaseUnavailable(path, "is a directory: give a file path, like data/bot.sqlite3")
    if fcntl is None:
        return None
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise DatabaseUnavailable(
            path, "is in use by another bot process: one process per database, stop that one"
        ) from None
    except BaseException:
        os.close(fd)
        raise
    return fd


def _release(fd: int | None) -> None:
    if fd is not None:
        os.close(fd)  # closing the only descriptor of the file drops its flock


def _connect(path: Path | str, *pragmas: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    try:
        for pragma in pragmas:
            conn.execute(pragma)
    except BaseException:
        conn.close()
        raise
    return conn
