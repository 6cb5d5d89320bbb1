"""What the stats page draws: the first answer's time day by day, and how many tickets
were open at each hour of the period."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bot.services.stats import Period, StatsService, Times, Window, seconds


@dataclass(frozen=True)
class DayPoint:
    day: date
    times: Times


@dataclass(frozen=True)
class HourPoint:
    at: datetime  # local
    open: int


@dataclass(frozen=True)
class Charts:
    window: Window
    first_response: tuple[DayPoint, ...]
    backlog: tuple[HourPoint, ...]


async def charts(stats: StatsService, period: Period) -> Charts:
    span = stats.window(period)
    return Charts(span, await first_response_by_day(stats, span), await backlog(stats, span))


async def first_response_by_day(stats: StatsService, span: Window) -> tuple[DayPoint, ...]:
    by_day: dict[date, list[float]] = defaultdict(list)
    for answered in await stats.repo.first_responses(span.start, span.end):
        day = datetime.fromisoformat(answered.at).astimezone(stats.zone).date()
        by_day[day].append(seconds(answered))
    return tuple(DayPoint(day, Times.of(by_day.get(day, ()))) for day in span.days)


async def backlog(stats: StatsService, span: Window) -> tuple[HourPoint, ...]:
    """Open tickets at each hour from the period's start to now: those opened by then
    less those closed by then, counted by bisecting the sorted times (ISO text in UTC
    sorts as time does)."""
    spans = await stats.repo.open_spans(span.start, span.end)
    opened = sorted(since for since, _ in spans)
    closed = sorted(until for _, until in spans if until is not None)
    points = []
    last = min(span.end, stats.clock.now())
    at = span.start
    while at <= last:
        mark = at.astimezone(UTC).isoformat()
        points.append(HourPoint(at, bisect_right(opened, mark) - bisect_right(closed, mark)))
        at = (at.astimezone(UTC) + timedelta(hours=1)).astimezone(stats.zone)
    return tuple(points)
