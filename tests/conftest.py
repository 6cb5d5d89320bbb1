import os
import secrets
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


# PostgreSQL for the tests that need it: a fresh database per test on the server the CI
# machine runs (trust auth). Without one, those tests skip with one line; under CI they
# must not (CI set), as for Chromium.
POSTGRES_SERVER = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432")


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    asyncpg = pytest.importorskip("asyncpg")
    try:
        admin = await asyncpg.connect(f"{POSTGRES_SERVER}/test", timeout=5)
    except (OSError, asyncpg.PostgresError) as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no PostgreSQL at {POSTGRES_SERVER} ({type(error).__name__})")
    name = f"test_{secrets.token_hex(6)}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES_SERVER}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
