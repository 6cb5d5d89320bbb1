"""The stats page: read-only beside the running bot, escaped, nothing but itself."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import ClientSession

from bot.__main__ import main
from bot.domain.clock import FrozenClock
from bot.domain.forums import ForumLane
from bot.services.stats import StatsService
from bot.stats_page import StatsPage
from bot.telegram.i18n import Texts
from storage.db import Database
from storage.readonly import open_for_reading
from storage.stats import StatsRepo
from tests.stats_data import EVE, NOW, A, seed, ticket


async def test_reads_the_file_the_bot_holds_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    bot_db = await Database.open(path)  # holds <db>.lock, as the running bot does
    try:
        await seed(bot_db)
        reader = await open_for_reading(path)
        try:
            assert sum(c.n for c in await StatsRepo(reader).open_now()) == 3
            with pytest.raises(PermissionError):
                await reader.execute("DELETE FROM tickets")
            with pytest.raises(PermissionError):
                async with reader.tx():
                    pass
            # The bot goes on writing, and the page sees what it commits.
            await ticket(bot_db, A, None, "11-10 11:00")
            assert sum(c.n for c in await StatsRepo(reader).open_now()) == 4
        finally:
            await reader.close()
    finally:
        await bot_db.close()


@pytest.fixture
async def page(db: Database) -> AsyncIterator[StatsPage]:
    await seed(db)
    await ticket(db, A, EVE, "11-10 11:00", status="taken")
    stats = StatsService(StatsRepo(db), FrozenClock(NOW), "Europe/Moscow")
    forums = (ForumLane(chat_id=A, name="delivery"),)
    async with StatsPage(stats, Texts("en"), forums, port=0) as running:
        yield running


async def test_the_page_shows_the_figures_escaped_and_runs_no_script(page: StatsPage) -> None:
    async with ClientSession() as http, http.get(page.url) as response:
        assert response.status == 200
        assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
        body = await response.text()
    assert '<tr class="total"><td>All forums</td><td>6</td><td>3</td><td>4</td>' in body
    assert "<td>2 min / 10 min</td>" in body  # Ann's first answers: 2 and 10 minutes
    assert "<td>delivery</td><td>4</td>" in body
    assert "&lt;b&gt;Eve&lt;/b&gt; &amp; &quot;co&quot;" in body
    assert "<b>Eve" not in body
    assert "<script" not in body
    assert body.count("<svg") == 2
    assert '<a href="?period=today" aria-current="page">today</a>' in body


async def test_each_period_has_its_page(page: StatsPage) -> None:
    async with ClientSession() as http:
        async with http.get(page.url, params={"period": "week"}) as response:
            week = await response.text()
        async with http.post(page.url) as refused:
            assert refused.status == 405
    assert 'aria-current="page">the last 7 days</a>' in week
    assert '<tr class="total"><td>All forums</td><td>8</td><td>4</td><td>4</td>' in week


def test_the_command_refuses_a_database_that_is_not_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "none.sqlite3"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert main(["stats", "--port", "0"]) == 2
    assert "does not exist" in capsys.readouterr().err
