"""The PostgreSQL database: the repositories' SQL as it reads it, and writes serialised
across workers as SQLite serialises them within one."""

from __future__ import annotations

import asyncio

import pytest

from storage.db import Database
from storage.postgres import Statement

_BAN = "INSERT INTO bans (telegram_id, banned_by, at) VALUES (:id, 1, 'now')"
_COUNT = "SELECT count(*) FROM bans"


def test_named_parameters_become_numbered_and_quoted_text_is_left_alone() -> None:
    statement = Statement(
        "SELECT ':not' || x::text FROM t INDEXED BY t_i WHERE a = :a AND b = :b OR c = :a"
    )
    assert statement.sql == "SELECT ':not' || x::text FROM t WHERE a = $1 AND b = $2 OR c = $1"
    assert statement.args({"a": True, "b": "x"}) == [1, "x"]  # booleans are 0/1, as stored


async def test_a_workers_write_waits_for_anothers_transaction_but_a_read_does_not(
    workers: tuple[Database, Database],
) -> None:
    first, second = workers
    inside, release = asyncio.Event(), asyncio.Event()

    async def holding() -> None:
        async with first.tx():
            row = await first.fetchone(_COUNT)  # the check a write will rest on
            assert row is not None
            inside.set()
            await release.wait()
            await first.execute(_BAN, {"id": int(row[0]) + 1})

    task = asyncio.create_task(holding())
    await inside.wait()

    async def other_transaction() -> None:
        async with second.tx():
            await second.execute(_BAN, {"id": 100})

    write = asyncio.create_task(other_transaction())
    await asyncio.sleep(0.2)
    assert not write.done()  # held behind the other worker's transaction
    assert (await second.fetchone(_COUNT))[0] == 0  # type: ignore[index]
    release.set()
    await task
    await write
    rows = await second.fetchall("SELECT telegram_id FROM bans ORDER BY telegram_id")
    assert [r[0] for r in rows] == [1, 100]  # the check saw no write slip in after it


async def test_a_lone_write_takes_no_lock_and_is_atomic_by_itself(
    workers: tuple[Database, Database],
) -> None:
    first, second = workers
    async with first.tx():
        async with asyncio.timeout(5):  # another worker's lone write does not wait
            await second.execute(_BAN, {"id": 1})
        await first.execute(_BAN, {"id": 2})
    again = f"{_BAN} ON CONFLICT DO NOTHING"
    assert (await second.execute(again, {"id": 1})).rowcount == 0


async def test_a_rolled_back_transaction_leaves_nothing_and_frees_the_lock(
    workers: tuple[Database, Database],
) -> None:
    first, second = workers
    with pytest.raises(RuntimeError):
        async with first.tx():
            await first.execute(_BAN, {"id": 1})
            raise RuntimeError
    async with asyncio.timeout(5):
        await second.execute(_BAN, {"id": 2})
    assert (await first.fetchone(_COUNT))[0] == 1  # type: ignore[index]
