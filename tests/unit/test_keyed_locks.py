"""Write transactions on PostgreSQL are serialised by what they name: a chat's beside
another chat's, in one worker as in two; the same key, or none, one after the other."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest

from storage import keys
from storage.db import Database

_BAN = "INSERT INTO bans (telegram_id, banned_by, at) VALUES (:id, 0, '')"
HELD_SECONDS = 0.3


class Holder:
    """A transaction of ``key`` kept open until ``release``."""

    def __init__(self, db: Database, key: str | None) -> None:
        self.inside, self.release = asyncio.Event(), asyncio.Event()
        self.task = asyncio.create_task(self._hold(db, key))

    async def _hold(self, db: Database, key: str | None) -> None:
        async with db.tx(key):
            self.inside.set()
            await self.release.wait()

    async def __aenter__(self) -> Holder:
        await asyncio.wait_for(self.inside.wait(), 5)
        return self

    async def __aexit__(self, *_: object) -> None:
        self.release.set()
        await self.task


async def _enters(db: Database, key: str | None) -> bool:
    """Whether a transaction of ``key`` begins while the holders hold theirs."""
    entered = asyncio.Event()

    async def attempt() -> None:
        async with db.tx(key):
            entered.set()

    task = asyncio.create_task(attempt())
    try:
        await asyncio.wait_for(entered.wait(), HELD_SECONDS)
    except TimeoutError:
        task.cancel()  # still waiting for its lock: given up
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return False
    await task
    return True


@pytest.mark.parametrize("same_worker", [True, False])
async def test_two_chats_write_side_by_side_and_one_chat_waits_for_itself(
    workers: tuple[Database, Database], same_worker: bool
) -> None:
    first, second = workers
    other = first if same_worker else second
    async with Holder(first, keys.chat(1)):
        assert await _enters(other, keys.chat(2))
        waiting = asyncio.create_task(_enters(other, keys.chat(1)))
        await asyncio.sleep(HELD_SECONDS * 1.5)
        assert waiting.done() and not waiting.result()


async def test_background_work_is_serialised_with_every_chat(
    workers: tuple[Database, Database],
) -> None:
    first, second = workers
    async with Holder(first, keys.chat(1)):
        assert not await _enters(second, None)
    async with Holder(first, None):
        assert not await _enters(second, keys.chat(2))
    assert await _enters(second, None)


async def test_a_lock_taken_inside_waits_for_the_transaction_of_that_key(
    workers: tuple[Database, Database],
) -> None:
    first, second = workers
    order: list[str] = []

    async def agent() -> None:
        async with second.tx(keys.chat(-100, 7)):
            assert await second.lock(keys.chat(1))  # the customer's chat: waited for
            order.append("agent")
            assert not await second.lock(keys.chat(1))  # held already: nothing to wait for
            await second.execute(_BAN, {"id": 1})

    async with Holder(first, keys.chat(1)):
        task = asyncio.create_task(agent())
        await asyncio.sleep(HELD_SECONDS)
        order.append("customer")
    await asyncio.wait_for(task, 5)
    assert order == ["customer", "agent"]


async def test_a_nested_transaction_of_another_key_locks_it(
    workers: tuple[Database, Database],
) -> None:
    first, second = workers
    address = keys.destination("+79123456789")
    async with Holder(first, address):
        with pytest.raises(TimeoutError):
            # The inner one joins the outer, and waits for the address.
            async with asyncio.timeout(HELD_SECONDS), second.tx(keys.chat(2)), second.tx(address):
                pass
    async with second.tx(keys.chat(2)), second.tx(address):
        await second.execute(_BAN, {"id": 1})


async def test_lock_outside_a_transaction_is_a_mistake(
    workers: tuple[Database, Database],
) -> None:
    with pytest.raises(RuntimeError):
        await workers[0].lock(keys.chat(1))


async def test_on_sqlite_keys_change_nothing_one_writer_serialises_all(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "one.sqlite3")
    try:
        async with Holder(db, keys.chat(1)):
            assert not await _enters(db, keys.chat(2))
        async with db.tx(keys.chat(1)):
            assert not await db.lock(keys.chat(2))  # nothing taken: nothing re-read
    finally:
        await db.close()
