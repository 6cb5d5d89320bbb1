from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.domain.clock import FrozenClock
from storage.db import Database


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "test.sqlite3")
    yield database
    await database.close()
