"""Our SQLite storage keeps the same contract as aiogram's MemoryStorage."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from aiogram.fsm.storage.memory import MemoryStorage

from storage.db import Database
from storage.fsm import SQLiteStorage


class Flow(StatesGroup):
    step = State()


KEY = StorageKey(bot_id=42, chat_id=-100, user_id=7)
OTHER = StorageKey(bot_id=42, chat_id=-100, user_id=7, thread_id=5)


@pytest.fixture(params=["memory", "sqlite"])
async def storage(request: pytest.FixtureRequest, db: Database) -> AsyncIterator[BaseStorage]:
    store: BaseStorage = MemoryStorage() if request.param == "memory" else SQLiteStorage(db)
    yield store
    await store.close()


async def test_state_round_trip(storage: BaseStorage) -> None:
    assert await storage.get_state(KEY) is None
    await storage.set_state(KEY, Flow.step)
    assert await storage.get_state(KEY) == "Flow:step"
    await storage.set_state(KEY, "Other:state")
    assert await storage.get_state(KEY) == "Other:state"
    await storage.set_state(KEY, None)
    assert await storage.get_state(KEY) is None


async def test_data_round_trip_and_update(storage: BaseStorage) -> None:
    assert await storage.get_data(KEY) == {}
    await storage.set_data(KEY, {"phone": "+79123456789", "n": 1})
    assert await storage.update_data(KEY, {"n": 2}) == {"phone": "+79123456789", "n": 2}
    assert await storage.get_value(KEY, "n") == 2
    assert await storage.get_value(KEY, "missing", "default") == "default"
    await storage.set_data(KEY, {})
    assert await storage.get_data(KEY) == {}


async def test_keys_are_independent(storage: BaseStorage) -> None:
    await storage.set_state(KEY, Flow.step)
    await storage.set_data(KEY, {"a": 1})
    assert await storage.get_state(OTHER) is None
    assert await storage.get_data(OTHER) == {}


async def test_returned_data_is_a_copy(storage: BaseStorage) -> None:
    await storage.set_data(KEY, {"a": 1})
    data = await storage.get_data(KEY)
    data["a"] = 2
    assert await storage.get_data(KEY) == {"a": 1}


async def test_non_dict_data_is_refused(storage: BaseStorage) -> None:
    with pytest.raises(DataNotDictLikeError):
        await storage.set_data(KEY, [("a", 1)])  # type: ignore[arg-type]


async def test_sqlite_state_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "fsm.sqlite3"
    first = await Database.open(path)
    await SQLiteStorage(first).set_state(KEY, Flow.step)
    await SQLiteStorage(first).set_data(KEY, {"order": "12345678-0001"})
    await first.close()
    second = await Database.open(path)
    storage = SQLiteStorage(second)
    assert await storage.get_state(KEY) == "Flow:step"
    assert await storage.get_data(KEY) == {"order": "12345678-0001"}
    await second.close()
