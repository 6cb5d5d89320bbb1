"""PostgreSQL: the database several workers share.

The repositories' SQL is SQLite's dialect kept to what both read alike; what differs is
done here, once: ``:name`` parameters become ``$n``, SQLite's index hints (``INDEXED
BY``, where its planner would pick a worse index) go, booleans are stored as the 0/1
integers SQLite keeps, and every write transaction takes one advisory lock, so write
transactions are serialised across workers as SQLite serialises them: a transaction's
check and the write it decides are never split by another worker's. A lone statement
takes no lock: it is atomic by itself (its WHERE decides and writes at once, under the
row's lock), and the repositories write a check-then-write as one statement or inside
a transaction. Reads take no lock.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, cast

from storage.db import Database, DatabaseUnavailable, Params, Row, Written
from storage.migrations import migrate_postgres

# The one lock every write transaction holds until its COMMIT (pg_advisory_xact_lock).
WRITE_LOCK = 0x5EED
_BEGIN = f"BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK})"
# A quoted string (left alone) or a :name (not a ::cast).
_TOKEN = re.compile(r"'(?:[^']|'')*'|(?<![:\w]):([A-Za-z_]\w*)")
_INDEX_HINT = re.compile(r"\s+INDEXED BY \w+", re.IGNORECASE)
POOL_SIZE = 10


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

    def __init__(self, pool: Any) -> None:  # asyncpg ships no types
        super().__init__()
        self._pool = pool
        self._conn: Any = None  # the open transaction's connection
        self._statements: dict[str, Statement] = {}

    @classmethod
    async def open_at(cls, url: str) -> PostgresDatabase:
        try:
            import asyncpg  # noqa: PLC0415 - only a PostgreSQL deployment installs it
        except ImportError:
            raise DatabaseUnavailable(
                _masked(url), "needs asyncpg: pip install -e '.[postgres]'"
            ) from None
        try:
            migrated = await migrate_postgres(url)
            pool = await asyncpg.create_pool(url, min_size=1, max_size=POOL_SIZE)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            reason = f"cannot be opened: {type(error).__name__}: {error}"
            raise DatabaseUnavailable(_masked(url), reason) from None
        db = cls(pool)
        db.migrated = migrated
        return db

    def _statement(self, sql: str) -> Statement:
        statement = self._statements.get(sql)
        if statement is None:
            statement = self._statements[sql] = Statement(sql)
        return statement

    async def _begin(self) -> None:
        conn = await self._pool.acquire()
        try:
            await conn.execute(_BEGIN)
        except BaseException:
            await self._pool.release(conn)
            raise
        self._conn = conn

    async def _commit(self) -> None:
        conn, self._conn = self._conn, None
        try:
            await conn.execute("COMMIT")
        finally:
            await self._pool.release(conn)

    async def _rollback(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:  # BEGIN failed, or COMMIT did (and released it)
            return
        try:
            await conn.execute("ROLLBACK")
        finally:
            await self._pool.release(conn)

    async def fetchall(self, sql: str, params: Params = None) -> list[Row]:
        statement = self._statement(sql)
        if self._owns():
            rows = await self._conn.fetch(statement.sql, *statement.args(params))
        else:
            rows = await self._pool.fetch(statement.sql, *statement.args(params))
        return cast(list[Row], rows)

    async def execute(self, sql: str, params: Params = None) -> Written:
        statement = self._statement(sql)
        conn = self._conn if self._owns() else self._pool
        status = await conn.execute(statement.sql, *statement.args(params))
        return Written(_rowcount(status))

    async def write_returning(self, sql: str, params: Params = None) -> list[Row]:
        statement = self._statement(sql)
        conn = self._conn if self._owns() else self._pool
        return cast(list[Row], await conn.fetch(statement.sql, *statement.args(params)))

    async def executemany(self, sql: str, rows: Iterable[Mapping[str, object]]) -> None:
        statement = self._statement(sql)
        args = [statement.args(row) for row in rows]
        if not args:
            return
        async with self.tx():
            await self._conn.executemany(statement.sql, args)

    async def close(self) -> None:
        await self._pool.close()


def _masked(url: str) -> str:
    """The URL without its password, for a message an operator may paste anywhere."""
    return re.sub(r"//([^:/@]+):[^@/]*@", r"//\1:***@", url)
