"""A set of tickets whose figures are worked out by hand, for the stats tests."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.db import Database

A, B = -1001, -1002
ANN, BOB, EVE = 1, 2, 3
NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)  # 15:00 in Moscow
_INSERT = """
INSERT INTO tickets (customer_id, customer_name, locale, status, subject, context,
    created_at, first_response_at, closed_at, assignee_id, assignee_name, rating, forum_id)
VALUES (1, 'Customer', 'ru', :status, 'help', '{}', :created_at, :first_response_at,
    :closed_at, :assignee_id, :assignee_name, :rating, :forum_id)
RETURNING id
"""
_NAMES = {ANN: "Ann", BOB: "Bob", EVE: '<b>Eve</b> & "co"', None: None}


def _at(text: str | None) -> str | None:
    """'11-10 06:00' in UTC, as the bot stores it."""
    if text is None:
        return None
    return datetime.fromisoformat(f"2026-{text}:00+00:00").isoformat()


async def ticket(
    db: Database,
    forum: int,
    agent: int | None,
    created: str,
    first: str | None = None,
    closed: str | None = None,
    rating: int | None = None,
    status: str | None = None,
) -> None:
    params = {
        "status": status or ("closed" if closed else "taken" if agent else "new"),
        "created_at": _at(created),
        "first_response_at": _at(first),
        "closed_at": _at(closed),
        "assignee_id": agent,
        "assignee_name": _NAMES[agent],
        "rating": rating,
        "forum_id": forum,
    }
    await db.insert(_INSERT, params)


async def seed(db: Database) -> None:
    """Seven tickets; `tests/unit/test_stats.py` spells out what they add up to."""
    await ticket(db, A, ANN, "11-10 06:00", "11-10 06:02", "11-10 07:00", 5)
    await ticket(db, A, ANN, "11-10 08:00", "11-10 08:10", "11-10 10:00", 3)
    await ticket(db, A, BOB, "11-10 09:00", "11-10 09:30", status="waiting")
    await ticket(db, B, None, "11-10 10:00")
    # Opened and first answered yesterday (Moscow time), closed today.
    await ticket(db, B, BOB, "11-09 20:00", "11-09 20:05", "11-10 05:00", 4)
    await ticket(db, A, ANN, "11-05 10:00", "11-05 10:01", "11-05 11:00", 1)
    # Opened at midnight in Moscow to the second: today's.
    await ticket(db, B, None, "11-09 21:00")
