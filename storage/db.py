"""The database the bot keeps everything in: SQLite (one process) or PostgreSQL (several
workers), behind one interface the repositories use. Their SQL is written once, with
``:name`` parameters, and runs on both (`tests` run the suites on each)."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, NamedTuple, Protocol

Params = Mapping[str, object] | None


class Row(Protocol):
    """A result row, by position or by column name (sqlite3.Row, asyncpg.Record)."""

    def __getitem__(self, key: Any, /) -> Any: ...

    def keys(self) -> Iterable[str]: ...


class DatabaseUnavailable(Exception):
    """The database cannot be opened, or another process has it; says which, in one line."""

    def __init__(self, where: Path | str, reason: str) -> None:
        super().__init__(f"{where} {reason}")


class Written(NamedTuple):
    rowcount: int


POSTGRES_SCHEMES = ("postgresql://", "postgres://")


class Database(ABC):
    """Serialises write transactions; each helper runs in its own, or joins the
    transaction its task already holds (one service call, one transaction). The lock
    keeps two tasks of the process from interleaving statements inside each other's
    transaction; the backend serialises the processes (SQLite's write lock, a PostgreSQL
    advisory lock), so a check and the write it decides are never split by another's.

    Reads outside a transaction see what is committed and never wait for a writer.
    """

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[object] | None = None
        self._on_commit: list[Callable[[], object]] = []
        self.migrated: list[str] = []  # what this open applied

    @staticmethod
    async def open(where: Path | str) -> Database:
        """The database at ``where`` (a SQLite path, or a postgresql:// URL), migrated;
        DatabaseUnavailable, in words for the operator, when it cannot be."""
        if isinstance(where, str) and str.startswith(where, POSTGRES_SCHEMES):
            from storage.postgres import PostgresDatabase  # noqa: PLC0415 - optional extra

            return await PostgresDatabase.open_at(where)
        from storage.sqlite import SqliteDatabase  # noqa: PLC0415 - the two import this

        return await SqliteDatabase.open_at(Path(where))

    @asynccontextmanager
    async def tx(self) -> AsyncIterator[None]:
        """One transaction; nested calls from the same task join it.

        A task spawned inside a transaction must not be awaited there: it would wait
        for the lock its parent holds.
        """
        task = asyncio.current_task()
        if self._owner is task:  # a service calling another service joins its transaction
            yield
            return
        async with self._lock:
            try:
                await self._begin()
                self._owner = task
                yield
                await self._commit()
            except BaseException:
                await self._rollback()
                raise
            finally:
                self._owner = None
                done, self._on_commit = self._on_commit, []
        for callback in done:  # reached only after a COMMIT
            callback()

    def after_commit(self, callback: Callable[[], object]) -> None:
        """Call ``callback`` once the task's transaction is committed (now, outside one):
        whoever it wakes reads outside the transaction and must find the data there."""
        if self._owns():
            self._on_commit.append(callback)
        else:
            callback()

    def _owns(self) -> bool:
        # Most statements run outside any transaction: no need to ask for the task.
        return self._owner is not None and self._owner is asyncio.current_task()

    async def fetchone(self, sql: str, params: Params = None) -> Row | None:
        return next(iter(await self.fetchall(sql, params)), None)

    async def insert(self, sql: str, params: Params = None) -> int:
        """Run an ``INSERT ... RETURNING id``: the new row's id, 0 when none was written
        (``ON CONFLICT DO NOTHING``)."""
        rows = await self.write_returning(sql, params)
        return int(rows[0][0]) if rows else 0

    @abstractmethod
    async def _begin(self) -> None: ...

    @abstractmethod
    async def _commit(self) -> None: ...

    @abstractmethod
    async def _rollback(self) -> None: ...

    @abstractmethod
    async def fetchall(self, sql: str, params: Params = None) -> list[Row]: ...

    @abstractmethod
    async def execute(self, sql: str, params: Params = None) -> Written: ...

    @abstractmethod
    async def write_returning(self, sql: str, params: Params = None) -> list[Row]:
        """A write whose ``RETURNING`` rows are wanted."""

    @abstractmethod
    async def executemany(self, sql: str, rows: Iterable[Mapping[str, object]]) -> None: ...

    @abstractmethod
    async def close(self) -> None: ...
