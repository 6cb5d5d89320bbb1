"""What several unit test modules share."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from storage.db import Database


@pytest.fixture
async def workers(postgres_url: str) -> AsyncIterator[tuple[Database, Database]]:
    """Two workers' connections to one PostgreSQL database."""
    first = await Database.open(postgres_url)
    second = await Database.open(postgres_url)
    yield first, second
    await first.close()
    await second.close()
