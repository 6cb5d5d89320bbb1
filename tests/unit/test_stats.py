"""The team's numbers against a set of tickets worked out by hand (both databases)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from bot.domain.clock import FrozenClock
from bot.services.stats import Figures, Period, StatsService, Times, percentile, window
from bot.services.stats_charts import charts
from storage.db import Database
from storage.stats import StatsRepo
from tests.stats_data import ANN, BOB, NOW, A, B, seed


@pytest.fixture
async def stats(db: Database) -> StatsService:
    await seed(db)
    return StatsService(StatsRepo(db), FrozenClock(NOW), "Europe/Moscow")


def test_percentiles_take_the_nearest_rank() -> None:
    assert percentile([], 0.5) is None
    assert percentile([7.0], 0.9) == 7.0
    assert percentile([1.0, 2.0, 3.0], 0.5) == 2.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.0
    assert percentile([float(n) for n in range(1, 11)], 0.9) == 9.0
    assert percentile([float(n) for n in range(1, 12)], 0.9) == 10.0


def test_periods_are_whole_local_days() -> None:
    today = window(Period.TODAY, NOW, ZoneInfo("Asia/Tokyo"))
    assert today.start.isoformat() == "2026-11-10T00:00:00+09:00"
    assert today.end.isoformat() == "2026-11-11T00:00:00+09:00"
    month = window(Period.MONTH, NOW, ZoneInfo("Asia/Tokyo"))
    assert month.days[0] == date(2026, 10, 12)
    assert len(month.days) == 30
    assert [Period.of(w) for w in ("", None, " Week ", "month", "year")] == [
        Period.TODAY,
        Period.TODAY,
        Period.WEEK,
        Period.MONTH,
        None,
    ]


async def test_today_in_all_by_forum_and_by_agent(stats: StatsService) -> None:
    report = await stats.report(Period.TODAY)
    assert report.total == Figures(
        opened=5,
        closed=3,
        waiting=3,
        first_response=Times(600, 1800, 3),
        resolution=Times(7200, 32400, 3),
        rated=3,
        rating_sum=12,
    )
    assert report.total.csat == 4.0
    forums = {line.key: line.figures for line in report.forums}
    assert [line.key for line in report.forums] == [A, B]
    assert (forums[A].opened, forums[A].closed, forums[A].waiting) == (3, 2, 1)
    assert forums[A].first_response == Times(600, 1800, 3)
    assert (forums[B].opened, forums[B].closed, forums[B].waiting) == (2, 1, 2)
    assert forums[B].resolution == Times(32400, 32400, 1)
    agents = {line.key: line for line in report.agents}
    assert [line.key for line in report.agents] == [ANN, None, BOB]  # nobody last of equals
    assert agents[ANN].name == "Ann"
    assert agents[ANN].figures == Figures(
        opened=2,
        closed=2,
        waiting=0,
        first_response=Times(120, 600, 2),
        resolution=Times(3600, 7200, 2),
        rated=2,
        rating_sum=8,
    )
    bob = agents[BOB].figures
    assert (bob.opened, bob.closed, bob.waiting, bob.csat) == (1, 1, 1, 4.0)
    assert (bob.first_response, bob.resolution) == (Times(1800, 1800, 1), Times(32400, 32400, 1))
    nobody = agents[None].figures
    assert (nobody.opened, nobody.closed, nobody.waiting, nobody.csat) == (2, 0, 2, None)


async def test_the_week_takes_in_the_days_before(stats: StatsService) -> None:
    total = (await stats.report(Period.WEEK)).total
    assert (total.opened, total.closed, total.waiting) == (7, 4, 3)
    assert total.first_response == Times(300, 1800, 5)
    assert total.csat == 3.25


async def test_charts_by_day_and_by_hour(stats: StatsService) -> None:
    drawn = await charts(stats, Period.WEEK)
    by_day = {point.day: point.times for point in drawn.first_response}
    assert len(by_day) == 7
    assert by_day[date(2026, 11, 10)] == Times(600, 1800, 3)
    assert by_day[date(2026, 11, 9)] == Times(300, 300, 1)  # 23:05 in Moscow
    assert by_day[date(2026, 11, 5)] == Times(60, 60, 1)
    assert by_day[date(2026, 11, 6)] == Times()
    today = await charts(stats, Period.TODAY)
    backlog = {p.at.hour: p.open for p in today.backlog}
    assert len(today.backlog) == 16  # 00:00 to 15:00, now
    assert backlog[0] == 2  # the one from yesterday, and the one opened at midnight
    assert backlog[9] == 2  # yesterday's closed at 08:00; one opened at 09:00 sharp
    assert backlog[15] == 3
