"""The team's numbers as the tickets hold them: counts and ratings by forum and holder,
and the times the percentiles and charts are drawn from. Bounds are ISO text in UTC,
as the times are stored, so a range is an index range."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from storage.db import Database, Row

_OPENED = """
SELECT forum_id, assignee_id, max(assignee_name) AS name, count(*) AS n,
    0 AS rated, 0 AS rating_sum
FROM tickets WHERE created_at >= :start AND created_at < :end
GROUP BY forum_id, assignee_id
"""
_CLOSED = """
SELECT forum_id, assignee_id, max(assignee_name) AS name, count(*) AS n,
    count(rating) AS rated, coalesce(sum(rating), 0) AS rating_sum
FROM tickets WHERE closed_at >= :start AND closed_at < :end
GROUP BY forum_id, assignee_id
"""
# Few tickets are open; by statistics four statuses look alike to SQLite's planner,
# which then read the whole table in forum order to save a sort.
_OPEN_NOW = """
SELECT forum_id, assignee_id, max(assignee_name) AS name, count(*) AS n,
    0 AS rated, 0 AS rating_sum
FROM tickets INDEXED BY tickets_open WHERE status IN ('new', 'taken', 'waiting')
GROUP BY forum_id, assignee_id
"""
_FIRST_RESPONSES = """
SELECT forum_id, assignee_id, created_at AS since, first_response_at AS at FROM tickets
WHERE first_response_at >= :start AND first_response_at < :end
"""
_RESOLUTIONS = """
SELECT forum_id, assignee_id, created_at AS since, closed_at AS at FROM tickets
WHERE closed_at >= :start AND closed_at < :end
"""
# Every ticket open at some time of [start, end): closed since start, or not closed.
_SPANS = """
SELECT created_at, closed_at FROM tickets
WHERE closed_at >= :start AND created_at < :end
UNION ALL
SELECT created_at, closed_at FROM tickets INDEXED BY tickets_open
WHERE status IN ('new', 'taken', 'waiting') AND created_at < :end
"""


@dataclass(frozen=True)
class Count:
    """Tickets of one forum and holder (None: nobody took them)."""

    forum_id: int | None
    assignee_id: int | None
    name: str | None
    n: int
    rated: int = 0
    rating_sum: int = 0


@dataclass(frozen=True)
class Span:
    """One ticket's wait: from ``since`` to ``at`` (a first answer, a close)."""

    forum_id: int | None
    assignee_id: int | None
    since: str
    at: str


class StatsRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def opened(self, start: datetime, end: datetime) -> list[Count]:
        return await self._counts(_OPENED, start, end)

    async def closed(self, start: datetime, end: datetime) -> list[Count]:
        """Closed in the range, with the ratings those tickets got."""
        return await self._counts(_CLOSED, start, end)

    async def open_now(self) -> list[Count]:
        return _counted(await self._db.fetchall(_OPEN_NOW))

    async def first_responses(self, start: datetime, end: datetime) -> list[Span]:
        return await self._spans(_FIRST_RESPONSES, start, end)

    async def resolutions(self, start: datetime, end: datetime) -> list[Span]:
        return await self._spans(_RESOLUTIONS, start, end)

    async def open_spans(self, start: datetime, end: datetime) -> list[tuple[str, str | None]]:
        """(opened, closed or None) of every ticket open at some time in the range."""
        rows = await self._db.fetchall(_SPANS, _bounds(start, end))
        return [(r[0], r[1]) for r in rows]

    async def _counts(self, sql: str, start: datetime, end: datetime) -> list[Count]:
        return _counted(await self._db.fetchall(sql, _bounds(start, end)))

    async def _spans(self, sql: str, start: datetime, end: datetime) -> list[Span]:
        rows = await self._db.fetchall(sql, _bounds(start, end))
        return [Span(r["forum_id"], r["assignee_id"], r["since"], r["at"]) for r in rows]


def _counted(rows: list[Row]) -> list[Count]:
    return [
        Count(
            r["forum_id"],
            r["assignee_id"],
            r["name"],
            int(r["n"]),
            int(r["rated"]),
            int(r["rating_sum"]),
        )
        for r in rows
    ]


def _bounds(start: datetime, end: datetime) -> dict[str, object]:
    # As the times are stored: ISO text in UTC, compared as text.
    return {"start": start.astimezone(UTC).isoformat(), "end": end.astimezone(UTC).isoformat()}
