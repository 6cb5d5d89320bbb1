"""REDIS_URL chooses where FSM state, the per-chat lock and the pacing budgets live: in
Redis for every worker of the bot, or (unset) in SQLite and in the process as before."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.memory import SimpleEventIsolation

from bot.app import App, create_app
from bot.delivery.pacing import Pacer, PacingMiddleware
from bot.delivery.shared_pacing import SharedPacer
from bot.settings import Settings
from bot.shared import RedisUnavailable
from storage.db import Database
from storage.fsm import SQLiteStorage
from storage.incoming import IncomingRepo
from tests.conftest import RedisScope

redis_asyncio = pytest.importorskip("redis.asyncio")

import storage.redis_fsm  # noqa: E402 - after the skip above
from storage.redis_fsm import ChatLocks, SharedStorage  # noqa: E402


class Flow(StatesGroup):
    step = State()


def _settings(path: Path, token: str, **more: Any) -> Settings:
    return Settings(_env_file=None, bot_token=token, database_path=path, **more)  # type: ignore[call-arg]


def _pacer(app: App) -> Pacer:
    (middleware,) = (m for m in app.bot.session.middleware if isinstance(m, PacingMiddleware))
    return middleware.pacer


@pytest.fixture
async def workers(tmp_path: Path, redis_scope: RedisScope) -> AsyncIterator[tuple[App, App]]:
    """Two workers of one bot: each its own database file (SQLite allows one process per
    file), one Redis."""
    apps = [
        await create_app(
            _settings(tmp_path / f"{n}.sqlite3", redis_scope.token, redis_url=redis_scope.url)
        )
        for n in range(2)
    ]
    yield apps[0], apps[1]
    for app in apps:
        await app.close()


async def test_without_redis_the_state_stays_in_sqlite_and_the_process(tmp_path: Path) -> None:
    app = await create_app(_settings(tmp_path / "db.sqlite3", "1:x"))
    try:
        assert type(app.dp.storage) is SQLiteStorage
        assert type(app.dp.fsm.events_isolation) is SimpleEventIsolation
        assert type(_pacer(app)) is Pacer
        assert app.redis is None
    finally:
        await app.close()


async def test_with_redis_every_worker_sees_the_state_one_of_them_set(
    workers: tuple[App, App], redis_scope: RedisScope
) -> None:
    first, second = workers
    assert isinstance(first.dp.storage, SharedStorage)
    assert isinstance(first.dp.fsm.events_isolation, ChatLocks)
    assert isinstance(_pacer(first), SharedPacer)
    key = StorageKey(bot_id=redis_scope.bot_id, chat_id=1001, user_id=1001)
    await first.dp.storage.set_state(key, Flow.step)
    await first.dp.storage.set_data(key, {"order": "12345678-0001"})
    assert await second.dp.storage.get_state(key) == "Flow:step"
    assert await second.dp.storage.get_data(key) == {"order": "12345678-0001"}
    # Keyed like the SQLite storage: per bot, with the destiny.
    assert first.redis is not None
    assert await first.redis.exists(f"fsm:{redis_scope.bot_id}:1001:1001:default:state")
    await second.dp.storage.set_state(key, None)
    assert await first.dp.storage.get_state(key) is None


async def test_the_dispatcher_stopping_leaves_redis_to_the_last_sends(
    workers: tuple[App, App], redis_scope: RedisScope
) -> None:
    first, _ = workers
    await first.dp.fsm.close()  # what aiogram does at shutdown, before the app's last sends
    await _pacer(first).acquire(1001)
    assert first.redis is not None
    assert await first.redis.ping()


async def test_one_update_at_a_time_per_chat_across_workers(
    workers: tuple[App, App], redis_scope: RedisScope, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A short lock that its holder keeps renewing: still held after twice its life.
    monkeypatch.setattr(storage.redis_fsm, "LOCK_SECONDS", 0.2)
    first, second = (app.dp.fsm.events_isolation for app in workers)
    key = StorageKey(bot_id=redis_scope.bot_id, chat_id=1001, user_id=1001)
    elsewhere = StorageKey(bot_id=redis_scope.bot_id, chat_id=1002, user_id=1002)
    entered = asyncio.Event()

    async def next_update() -> None:
        async with second.lock(key):
            entered.set()

    async with first.lock(key):
        waiting = asyncio.create_task(next_update())
        async with second.lock(elsewhere):  # another chat does not wait
            pass
        await asyncio.sleep(0.45)
        assert not entered.is_set()
    await asyncio.wait_for(waiting, 2)


async def test_a_chats_updates_take_the_lock_in_the_order_they_came(
    workers: tuple[App, App], redis_scope: RedisScope
) -> None:
    # Redis's lock goes to whichever waiter polls first; within one worker, aiogram's
    # tasks for one chat must still go first come, first served.
    locks = workers[0].dp.fsm.events_isolation
    key = StorageKey(bot_id=redis_scope.bot_id, chat_id=1001, user_id=1001)
    order: list[int] = []

    async def update(number: int) -> None:
        async with locks.lock(key):
            order.append(number)
            await asyncio.sleep(0.01)

    async with locks.lock(key):
        tasks = [asyncio.create_task(update(n)) for n in range(8)]
        await asyncio.sleep(0.1)  # all waiting, polling Redis
    await asyncio.wait_for(asyncio.gather(*tasks), 5)
    assert order == list(range(8))
    assert not locks._turns  # type: ignore[attr-defined] - nothing kept per chat after


async def test_an_updates_state_reaches_redis_only_once_its_transaction_committed(
    workers: tuple[App, App], redis_scope: RedisScope
) -> None:
    """Redis is no part of the database's transaction: a step written there mid-handler
    would outlive a crash before the commit, and the update handled again would find
    its chat one step on. Held in memory and written after the commit, it does not."""
    first, second = workers
    storage = first.dp.storage
    assert isinstance(storage, SharedStorage)
    answers = first.incoming._answers  # type: ignore[union-attr] - the app's own
    key = StorageKey(bot_id=redis_scope.bot_id, chat_id=1001, user_id=1001)
    await storage.set_data(key, {"kept": 1})
    seen: list[tuple[str | None, dict[str, Any]]] = []

    async with answers.transaction(1, {}):
        await storage.set_state(key, Flow.step)
        data = {"order": "12345678-0001"}
        await storage.update_data(key, data)
        data["order"] = "changed after"  # what was written stays as it was then
        # The handler reads back its own writes; another worker sees none yet.
        assert await storage.get_state(key) == "Flow:step"
        assert await storage.get_data(key) == {"kept": 1, "order": "12345678-0001"}
        seen.append((await second.dp.storage.get_state(key), {}))
    assert seen == [(None, {})]
    assert await second.dp.storage.get_state(key) == "Flow:step"
    assert await second.dp.storage.get_data(key) == {"kept": 1, "order": "12345678-0001"}

    with pytest.raises(RuntimeError):  # a handler that fails: rolled back, state too
        async with answers.transaction(2, {}):
            await storage.set_state(key, None)
            await storage.set_data(key, {})
            raise RuntimeError
    assert await second.dp.storage.get_state(key) == "Flow:step"
    assert await second.dp.storage.get_data(key) == {"kept": 1, "order": "12345678-0001"}

    async with answers.transaction(3, {}):  # /cancel: cleared, after its commit
        await storage.set_state(key, None)
        await storage.set_data(key, {})
        assert await storage.get_data(key) == {}
    assert await second.dp.storage.get_state(key) is None
    assert await second.dp.storage.get_data(key) == {}


async def test_a_crash_between_the_commit_and_the_write_is_settled_at_the_next_read(
    workers: tuple[App, App], redis_scope: RedisScope, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The change is staged in the transaction's last step; the process dies before
    writing it. The chat's next read asks the database whether that update committed:
    it did, so the step is taken; one that never committed is dropped."""
    app = workers[0]
    storage = app.dp.storage
    assert isinstance(storage, SharedStorage)
    answers = app.incoming._answers  # type: ignore[union-attr] - the app's own
    key = StorageKey(bot_id=redis_scope.bot_id, chat_id=1001, user_id=1001)

    async def died(pending: object) -> None:
        return None  # the write after the COMMIT never happens

    with monkeypatch.context() as patch:
        patch.setattr(storage, "_write", died)
        async with answers.transaction(1, {}):  # not kept in `incoming`: handled, forgotten
            await storage.set_state(key, Flow.step)
            await storage.set_data(key, {"order": "12345678-0001"})
    assert await storage.get_state(key) == "Flow:step"
    assert await storage.get_data(key) == {"order": "12345678-0001"}
    assert not await storage.redis.exists(f"{storage.key_builder.build(key, 'state')}:staged")

    # Staged by an update still unhandled: its transaction never committed.
    await IncomingRepo(app.db).keep([(2, "{}")])
    staged = json.dumps({"update": 2, "state": None, "data": None})
    await storage.redis.set(f"{storage.key_builder.build(key, 'state')}:staged", staged)
    assert await storage.get_data(key) == {"order": "12345678-0001"}
    assert await storage.get_state(key) == "Flow:step"


async def test_an_unreachable_redis_stops_the_start_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    settings = _settings(path, "1:x", redis_url="redis://:secret@127.0.0.1:1/0")
    with pytest.raises(
        RedisUnavailable, match=r"^REDIS_URL 127\.0\.0\.1:1 cannot be reached"
    ) as e:
        await create_app(settings)
    assert "secret" not in str(e.value)
    assert "\n" not in str(e.value)
    db = await Database.open(path)  # and the database was let go
    await db.close()
