"""PostgreSQL: the database several workers share.

The repositories' SQL is SQLite's dialect kept to what both read alike; what differs is
done here, once: ``:name`` parameters become ``$n``, SQLite's index hints (``INDEXED
BY``, where its planner would pick a worse index) go, booleans are stored as the 0/1
integers SQLite keeps, and a write transaction's keys are advisory locks.

A transaction with a key (an update's chat) holds one lock shared with every keyed
transaction, and its keys each alone; one without a key (the background work) holds
that one lock alone, so it is serialised with every other write transaction, as on
SQLite. Transactions of different chats run side by side, in one worker as in several,
each on its own connection. A lone statement takes no lock: it is atomic by itself (its
WHERE decides and writes at once, under the row's lock), and the repositories write a
check-then-write as one statement or inside a transaction. Reads take no lock.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Iterable, Mapping
from typing import Any, TypeVar, cast

from storage.db import Database, DatabaseUnavailable, Params, Row, Written
from storage.migrations import migrate_postgres

# Held by every write transaction until its COMMIT (pg_advisory_xact_lock): shared by
# the keyed ones, alone by the rest.
WRITE_LOCK = 0x5EED
_BEGIN_ALONE = f"BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK})"
_BEGIN_KEYED = f"BEGIN; SELECT pg_advisory_xact_lock_shared({WRITE_LOCK})"
# A quoted string (left alone) or a :name (not a ::cast).
_TOKEN = re.compile(r"'(?:[^']|'')*'|(?<![:\w]):([A-Za-z_]\w*)")
_INDEX_HINT = re.compile(r"\s+INDEXED BY \w+", re.IGNORECASE)
POOL_SIZE = 10
T = TypeVar("T")


class Statement:
    """A statement with ``:name`` parameters as PostgreSQL takes it, and the order in
    which the values go."""

    __slots__ = ("names", "sql")

    def __init__(self, sql: str) -> None:
        names: list[str] = []

        def number(match: re.Match[str]) -> str:
            name = match.group(1)
            if name is None:
                return match.group(0)
            if name not in names:
                names.append(name)
            return f"${names.index(name) + 1}"

        self.sql = _TOKEN.sub(number, _INDEX_HINT.sub("", sql))
        self.names = tuple(names)

    def args(self, params: Params) -> list[object]:
        given = params or {}
        return [_value(given[name]) for name in self.names]


def _value(value: object) -> object:
    return int(value) if isinstance(value, bool) else value


def _rowcount(status: str) -> int:
    # "INSERT 0 1", "UPDATE 3", "DELETE 0": the count is the last word.
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


class PostgresDatabase(Database):
    """A pool of connections; a transaction holds one of them from BEGIN to COMMIT."""

    one_writer = False

    def __init__(self, pool: Any) -> None:  # asyncpg ships no types
        super().__init__()
        self._pool = pool
        self._statements: dict[str, Statement] = {}

    @classmethod
    async def open_at(cls, url: str) -> PostgresDatabase:
        _asyncpg(url)  # before the migration's own import, to say what to install
        migrated = await _opening(url, migrate_postgres(url))
        db = cls(await connect_pool(url))
        db.migrated = migrated
        return db

    def _statement(self, sql: str) -> Statement:
        statement = self._statements.get(sql)
        if statement is None:
            statement = self._statements[sql] = Statement(sql)
        return statement

    async def _begin(self, key: str | None) -> Any:
        conn = await self._pool.acquire()
        try:
            if key is None:
                await conn.execute(_BEGIN_ALONE)
            else:
                await conn.execute(f"{_BEGIN_KEYED}; {_locks([key])}")
        except BaseException:
            await self._pool.release(conn)
            raise
        return conn

    async def _commit(self, conn: Any) -> None:
        await conn.execute("COMMIT")  # a failed one is rolled back, and released, there
        await self._pool.release(conn)

    async def _rollback(self, conn: Any) -> None:
        try:
            await conn.execute("ROLLBACK")
        finally:
            await self._pool.release(conn)

    async def _lock_keys(self, conn: Any, keys: list[str]) -> None:
        await conn.execute(_locks(keys))

    def _conn(self) -> Any:
        """The task's transaction's connection, else the pool (a statement alone)."""
        open_ = self._owned()
        return self._pool if open_ is None else open_.conn

    async def fetchall(self, sql: str, params: Params = None) -> list[Row]:
        statement = self._statement(sql)
        rows = await self._conn().fetch(statement.sql, *statement.args(params))
        return cast(list[Row], rows)

    async def execute(self, sql: str, params: Params = None) -> Written:
        statement = self._statement(sql)
        status = await self._conn().execute(statement.sql, *statement.args(params))
        return Written(_rowcount(status))

    async def write_returning(self, sql: str, params: Params = None) -> list[Row]:
        statement = self._statement(sql)
        return cast(list[Row], await self._conn().fetch(statement.sql, *statement.args(params)))

    async def executemany(self, sql: str, rows: Iterable[Mapping[str, object]]) -> None:
        """All rows or none; alone, it takes no lock, as a lone statement takes none."""
        statement = self._statement(sql)
        args = [statement.args(row) for row in rows]
        if not args:
            return
        open_ = self._owned()
        if open_ is not None:
            await open_.conn.executemany(statement.sql, args)
            return
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.executemany(statement.sql, args)

    async def close(self) -> None:
        await self._pool.close()


async def connect_pool(url: str, size: int = POOL_SIZE) -> Any:
    """A pool of connections to ``url``, as it is: nothing migrated."""
    asyncpg = _asyncpg(url)
    return await _opening(url, asyncpg.create_pool(url, min_size=1, max_size=size))


def _asyncpg(url: str) -> Any:
    try:
        import asyncpg  # noqa: PLC0415 - only a PostgreSQL deployment installs it
    except ImportError:
        raise DatabaseUnavailable(
            _masked(url), "needs asyncpg: pip install -e '.[postgres]'"
        ) from None
    return asyncpg


async def _opening(url: str, step: Awaitable[T]) -> T:
    """``step`` of opening the database; DatabaseUnavailable, in words for the operator."""
    asyncpg = _asyncpg(url)
    try:
        return await step
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        reason = f"cannot be opened: {type(error).__name__}: {error}"
        raise DatabaseUnavailable(_masked(url), reason) from None


def _locks(keys: list[str]) -> str:
    """One statement per key, so that they are taken in the order given. A key is
    hashed to the 64-bit number PostgreSQL locks on: no text of it reaches the SQL."""
    return "; ".join(f"SELECT pg_advisory_xact_lock({_number(k)})" for k in keys)


def _number(key: str) -> int:
    digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _masked(url: str) -> str:
    """The URL without its password, for a message an operator may paste anywhere."""
    return re.sub(r"//([^:/@]+):[^@/]*@", r"//\1:***@", url)
