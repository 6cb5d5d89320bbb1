"""The team's numbers for a period: tickets opened, closed and open now, how long the
first answer and the close took (p50, p90), and the customers' ratings, in all, by
forum and by holder.

A period is in whole local days (SUPPORT_TIMEZONE): today, the last 7, the last 30.
Counts and ratings are summed by the database; the times are taken from the stored
pairs and their percentiles computed here (SQLite has no percentile function).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain.clock import Clock
from storage.stats import Count, Span, StatsRepo


class Period(StrEnum):
    TODAY = "today"
    WEEK = "week"
    MONTH = "month"

    @property
    def days(self) -> int:
        return {Period.TODAY: 1, Period.WEEK: 7, Period.MONTH: 30}[self]

    @classmethod
    def of(cls, word: str | None) -> Period | None:
        """The period an agent typed (none typed: today); None for anything else."""
        word = (word or "").strip().lower() or cls.TODAY
        return cls(word) if word in cls.__members__.values() else None


@dataclass(frozen=True)
class Window:
    """[start, end) in local time: whole days, the last of them today."""

    period: Period
    start: datetime
    end: datetime

    @property
    def days(self) -> list[date]:
        return [self.start.date() + timedelta(days=n) for n in range(self.period.days)]


def window(period: Period, now: datetime, zone: ZoneInfo) -> Window:
    today = now.astimezone(zone).date()
    first = today - timedelta(days=period.days - 1)
    return Window(period, midnight(first, zone), midnight(today + timedelta(days=1), zone))


def midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def percentile(ordered: list[float], share: float) -> float | None:
    """Nearest rank: the smallest value with at least ``share`` of them at or below it."""
    if not ordered:
        return None
    return ordered[max(math.ceil(share * len(ordered)), 1) - 1]


@dataclass(frozen=True)
class Times:
    """Seconds, p50 and p90; None when nothing was timed."""

    p50: float | None = None
    p90: float | None = None
    n: int = 0

    @classmethod
    def of(cls, seconds: Iterable[float]) -> Times:
        ordered = sorted(seconds)
        return cls(percentile(ordered, 0.5), percentile(ordered, 0.9), len(ordered))


@dataclass(frozen=True)
class Figures:
    opened: int = 0
    closed: int = 0
    waiting: int = 0  # open now, whatever the period
    first_response: Times = Times()
    resolution: Times = Times()
    rated: int = 0
    rating_sum: int = 0

    @property
    def csat(self) -> float | None:
        return self.rating_sum / self.rated if self.rated else None


@dataclass(frozen=True)
class Line:
    """One forum's figures (key: its chat id) or one holder's (their id; None: nobody)."""

    key: int | None
    name: str | None
    figures: Figures


@dataclass(frozen=True)
class Report:
    window: Window
    total: Figures
    forums: tuple[Line, ...]
    agents: tuple[Line, ...]


@dataclass
class _Tally:
    name: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    first: list[float] = field(default_factory=list)
    resolution: list[float] = field(default_factory=list)

    def add(self, count: Count, what: str) -> None:
        self.name = self.name or count.name
        self.counts[what] = self.counts.get(what, 0) + count.n
        if what == "closed":
            self.counts["rated"] = self.counts.get("rated", 0) + count.rated
            self.counts["rating_sum"] = self.counts.get("rating_sum", 0) + count.rating_sum

    def figures(self) -> Figures:
        c = self.counts
        return Figures(
            opened=c.get("opened", 0),
            closed=c.get("closed", 0),
            waiting=c.get("waiting", 0),
            first_response=Times.of(self.first),
            resolution=Times.of(self.resolution),
            rated=c.get("rated", 0),
            rating_sum=c.get("rating_sum", 0),
        )


def seconds(span: Span) -> float:
    waited = datetime.fromisoformat(span.at) - datetime.fromisoformat(span.since)
    return max(waited.total_seconds(), 0.0)


class _Tallies:
    """The total, each forum's and each holder's, filled from the same rows."""

    def __init__(self) -> None:
        self.total = _Tally()
        self.forums: dict[int | None, _Tally] = {}
        self.agents: dict[int | None, _Tally] = {}

    def of(self, forum_id: int | None, assignee_id: int | None) -> tuple[_Tally, ...]:
        forum = self.forums.setdefault(forum_id, _Tally())
        return self.total, forum, self.agents.setdefault(assignee_id, _Tally())

    def count(self, counts: list[Count], what: str) -> None:
        for count in counts:
            for tally in self.of(count.forum_id, count.assignee_id):
                tally.add(count, what)

    def time(self, spans: list[Span], first: bool) -> None:
        for span in spans:
            waited = seconds(span)
            for tally in self.of(span.forum_id, span.assignee_id):
                (tally.first if first else tally.resolution).append(waited)

    def report(self, span: Window) -> Report:
        def lines(tallies: dict[int | None, _Tally], named: bool) -> tuple[Line, ...]:
            made = [Line(k, t.name if named else None, t.figures()) for k, t in tallies.items()]
            # The busiest first; nobody's tickets last among equals.
            return tuple(sorted(made, key=lambda x: (-x.figures.opened, x.key is None, x.key)))

        # A forum's name is its label, which the caller knows; a holder's is stored.
        forums, agents = lines(self.forums, named=False), lines(self.agents, named=True)
        return Report(span, self.total.figures(), forums, agents)


class StatsService:
    def __init__(self, repo: StatsRepo, clock: Clock, zone: str) -> None:
        self.repo, self.clock, self.zone = repo, clock, ZoneInfo(zone)

    def window(self, period: Period) -> Window:
        return window(period, self.clock.now(), self.zone)

    async def report(self, period: Period) -> Report:
        span = self.window(period)
        tallies = _Tallies()
        tallies.count(await self.repo.opened(span.start, span.end), "opened")
        tallies.count(await self.repo.closed(span.start, span.end), "closed")
        tallies.count(await self.repo.open_now(), "waiting")
        tallies.time(await self.repo.first_responses(span.start, span.end), first=True)
        tallies.time(await self.repo.resolutions(span.start, span.end), first=False)
        return tallies.report(span)
