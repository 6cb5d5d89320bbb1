"""The database the bot keeps everything in: SQLite (one process) or PostgreSQL (several
workers), behind one interface the repositories use. Their SQL is written once, with
``:name`` parameters, and runs on both (`tests` run the suites on each)."""

from __future__ import annotations

import asyncio
import contextvars
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager, nullcontext
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


class _Open:
    """A task's open transaction: its connection, whether it locks by key, the keys it
    holds and what waits for its commit."""

    __slots__ = ("conn", "held", "keyed", "on_commit", "task")

    def __init__(self, task: asyncio.Task[object] | None, conn: Any, key: str | None) -> None:
        self.task, self.conn, self.keyed = task, conn, key is not None
        self.held = {key} if key is not None else set()
        self.on_commit: list[Callable[[], object]] = []


class Database(ABC):
    """Write transactions and the statements they run; each helper runs in its own, or
    joins the transaction its task already holds (one service call, one transaction).

    A transaction names what it writes for (``tx(key)``, ``lock(key)``: a chat, a
    customer, an account, an address) and is serialised with every other that names the
    same; one that names nothing is serialised with all. A check and the write it decides
    are never split by another's write to what they share. SQLite has one writer and
    needs no names; PostgreSQL holds them as advisory locks. A key names the thing, not
    its rows, so a service locks what it checks across chats before it reads it.

    Reads outside a transaction see what is committed and never wait for a writer.
    """

    # One connection writes, so one transaction at a time in the process (SQLite).
    one_writer = True

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._current: contextvars.ContextVar[_Open | None] = contextvars.ContextVar(
            f"tx-{id(self)}", default=None
        )
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
    async def tx(self, key: str | None = None) -> AsyncIterator[None]:
        """One transaction, serialised with those of the same ``key`` (all, without one);
        a nested call from the same task joins it, and locks its key too.

        A task spawned inside a transaction must not be awaited there: on SQLite it
        would wait for the lock its parent holds.
        """
        task = asyncio.current_task()
        joined = self._current.get()
        if joined is not None and joined.task is task:
            if key is not None:
                await self.lock(key)
            yield
            return
        async with self._lock if self.one_writer else nullcontext():
            # One writer: every transaction is serialised with all, whatever it names.
            key = None if self.one_writer else key
            open_ = _Open(task, await self._begin(key), key)
            token = self._current.set(open_)
            try:
                yield
                await self._commit(open_.conn)
            except BaseException:
                await self._rollback(open_.conn)
                raise
            finally:
                self._current.reset(token)
        for callback in open_.on_commit:  # reached only after a COMMIT
            callback()

    async def lock(self, *keys: str) -> bool:
        """Inside a transaction: serialise it also with those of ``keys``, taken in the
        order given (`storage.keys`: from the narrowest holder to the widest, so that two
        transactions never wait for each other). True when it took one it did not hold:
        what was read before may have changed since."""
        open_ = self._current.get()
        if open_ is None or open_.task is not asyncio.current_task():
            raise RuntimeError("lock() outside a transaction")
        wanted = [k for k in keys if k not in open_.held]
        if not open_.keyed or not wanted:
            return False
        await self._lock_keys(open_.conn, wanted)
        open_.held.update(wanted)
        return True

    def after_commit(self, callback: Callable[[], object]) -> None:
        """Call ``callback`` once the task's transaction is committed (now, outside one):
        whoever it wakes reads outside the transaction and must find the data there."""
        open_ = self._owned()
        if open_ is not None:
            open_.on_commit.append(callback)
        else:
            callback()

    def _owned(self) -> _Open | None:
        # Most statements run outside any transaction: no need to ask for the task.
        open_ = self._current.get()
        if open_ is not None and open_.task is asyncio.current_task():
            return open_
        return None

    def _owns(self) -> bool:
        return self._owned() is not None

    async def fetchone(self, sql: str, params: Params = None) -> Row | None:
        return next(iter(await self.fetchall(sql, params)), None)

    async def insert(self, sql: str, params: Params = None) -> int:
        """Run an ``INSERT ... RETURNING id``: the new row's id, 0 when none was written
        (``ON CONFLICT DO NOTHING``)."""
        rows = await self.write_returning(sql, params)
        return int(rows[0][0]) if rows else 0

    @abstractmethod
    async def _begin(self, key: str | None) -> object:
        """BEGIN, locked for ``key`` (for all, without one); the connection it holds."""

    @abstractmethod
    async def _commit(self, conn: Any) -> None: ...

    @abstractmethod
    async def _rollback(self, conn: Any) -> None: ...

    @abstractmethod
    async def _lock_keys(self, conn: Any, keys: list[str]) -> None:
        """Serialise the open transaction with those of ``keys``."""

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
