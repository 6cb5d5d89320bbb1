"""The stats page in a real headless Chromium, beside a bot that holds its database.

Needs Debian's ``chromium``, as the sandbox page's tests: skipped without it on a
developer's machine, failed under CI. Any console error (a blocked script or style
would be one) fails the test.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from bot.domain.clock import FrozenClock
from bot.domain.forums import ForumLane
from bot.services.stats import StatsService
from bot.stats_page import StatsPage
from bot.telegram.i18n import Texts
from storage.db import Database
from storage.readonly import open_for_reading
from storage.stats import StatsRepo
from tests.browser.conftest import WAIT_MS
from tests.stats_data import EVE, NOW, A, B, seed, ticket


@pytest.fixture
async def stats_page(tmp_path: Path) -> AsyncIterator[StatsPage]:
    path = tmp_path / "bot.sqlite3"
    bot_db = await Database.open(path)  # the bot, holding its lock throughout
    await seed(bot_db)
    await ticket(bot_db, A, EVE, "11-10 11:00", status="taken")
    reader = await open_for_reading(path)
    stats = StatsService(StatsRepo(reader), FrozenClock(NOW), "Europe/Moscow")
    forums = (ForumLane(chat_id=A, name="delivery"), ForumLane(chat_id=B, name="refunds"))
    try:
        async with StatsPage(stats, Texts("en"), forums, port=0) as running:
            yield running
    finally:
        await reader.close()
        await bot_db.close()


@pytest.fixture
async def page(browser: Browser, stats_page: StatsPage) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport={"width": 1200, "height": 900})
    opened = await context.new_page()
    problems: list[str] = []
    opened.on("pageerror", lambda error: problems.append(f"page: {error}"))
    opened.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    await opened.goto(stats_page.url)
    yield opened
    await context.close()
    assert problems == []


async def test_the_lead_reads_the_figures_and_the_charts(page: Page, tmp_path: Path) -> None:
    await expect(page).to_have_title("The team's numbers", timeout=WAIT_MS)
    total = page.locator("#forums tbody tr").first
    await expect(total.locator("td")).to_have_text(
        ["All forums", "6", "3", "4", "10 min / 30 min", "2 h 0 min / 9 h 0 min", "4.00 (3)"]
    )
    await expect(page.locator("#forums tbody tr")).to_have_count(3)
    await expect(page.locator("#forums")).to_contain_text("refunds")
    await expect(page.locator("#agents")).to_contain_text('<b>Eve</b> & "co"')
    for chart in ("#chart-first", "#chart-backlog"):
        svg = page.locator(f"{chart} svg")
        await expect(svg).to_be_visible()
        assert (await svg.bounding_box() or {}).get("height", 0) > 100
    await expect(page.locator("#chart-backlog polyline")).to_have_count(1)
    await page.screenshot(path=tmp_path / "today.png", full_page=True)

    await page.get_by_role("link", name="the last 7 days").click()
    await expect(page.locator("nav [aria-current=page]")).to_have_text("the last 7 days")
    await expect(page.locator("#forums tbody tr").first.locator("td").nth(1)).to_have_text("8")
    await expect(page.locator("#chart-first text", has_text="05.11")).to_have_count(1)
