import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.domain.clock import FrozenClock
from storage.db import Database
from storage.migrations import migrate_postgres


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


# PostgreSQL for the tests that need it: a fresh database per test on the server the CI
# machine runs (trust auth). Without one, those tests skip with one line; under CI they
# must not (CI set), as for Chromium.
POSTGRES_SERVER = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432")
# TEST_DATABASE=postgres runs the suites that use `db` or the e2e bot on PostgreSQL.
ON_POSTGRES = os.environ.get("TEST_DATABASE", "sqlite") == "postgres"


# A migrated database copied for each test that wants one: migrating each anew cost
# more than most tests. One per test process, dropped at its end.
_templates: list[str] = []


@asynccontextmanager
async def fresh_postgres(*, migrated: bool = False) -> AsyncIterator[str]:
    asyncpg = pytest.importorskip("asyncpg")
    try:
        admin = await asyncpg.connect(f"{POSTGRES_SERVER}/test", timeout=5)
    except (OSError, asyncpg.PostgresError) as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no PostgreSQL at {POSTGRES_SERVER} ({type(error).__name__})")
    if migrated and not _templates:
        template = f"test_template_{secrets.token_hex(6)}"
        await admin.execute(f'CREATE DATABASE "{template}"')
        _templates.append(template)
        await migrate_postgres(f"{POSTGRES_SERVER}/{template}")
    name = f"test_{secrets.token_hex(6)}"
    copied = f' TEMPLATE "{_templates[0]}"' if migrated else ""
    await admin.execute(f'CREATE DATABASE "{name}"{copied}')
    try:
        yield f"{POSTGRES_SERVER}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture(scope="session", autouse=True)
def _drop_templates() -> Iterator[None]:
    yield
    if _templates:
        import asyncpg  # noqa: PLC0415 - only where PostgreSQL was used

        async def drop() -> None:
            admin = await asyncpg.connect(f"{POSTGRES_SERVER}/test", timeout=5)
            for template in _templates:
                await admin.execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
            await admin.close()

        asyncio.run(drop())


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    async with fresh_postgres() as url:
        yield url


@pytest.fixture
async def database_url(tmp_path: Path) -> AsyncIterator[str]:
    """Where the test's bot keeps its state: a SQLite file, or PostgreSQL when asked."""
    if not ON_POSTGRES:
        yield str(tmp_path / "test.sqlite3")
        return
    async with fresh_postgres(migrated=True) as url:
        yield url


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = await Database.open(database_url)
    yield database
    await database.close()


# Redis for the tests that need it (REDIS_URL), on the server the CI machine runs. Each
# test gets its own bot id: every key the bot writes names it (fsm:<id>:..., {pacing:<id>}),
# and whatever holds it is deleted afterwards. Skipped with one line without a server,
# failed under CI, as for PostgreSQL.
REDIS_SERVER = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# TEST_REDIS=on runs the e2e bot (in process and as a process) with REDIS_URL.
ON_REDIS = os.environ.get("TEST_REDIS", "off") == "on"


@dataclass(frozen=True)
class RedisScope:
    url: str
    bot_id: int

    @property
    def token(self) -> str:
        return f"{self.bot_id}:test"


def random_bot_id() -> int:
    return 10**9 + secrets.randbelow(10**9)


@asynccontextmanager
async def fresh_redis(bot_id: int | None = None) -> AsyncIterator[RedisScope]:
    """A bot id of the test's own (``bot_id``, or a random one) on the Redis server; its
    keys deleted afterwards."""
    redis_asyncio = pytest.importorskip("redis.asyncio")
    from redis.exceptions import RedisError  # noqa: PLC0415 - after the skip above

    client = redis_asyncio.Redis.from_url(REDIS_SERVER, socket_connect_timeout=5)
    try:
        await client.ping()
    except (OSError, RedisError) as error:
        await client.aclose()
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no Redis at {REDIS_SERVER} ({type(error).__name__})")
    scope = RedisScope(REDIS_SERVER, bot_id or random_bot_id())
    try:
        yield scope
    finally:
        keys = [key async for key in client.scan_iter(match=f"*{scope.bot_id}*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()


@pytest.fixture
async def redis_scope() -> AsyncIterator[RedisScope]:
    async with fresh_redis() as scope:
        yield scope
