"""Tickets past the first-response target, and whom they were told to: their forum at
the target, the admins at twice it; each once, marked in the transaction that tells it."""

from __future__ import annotations

from datetime import datetime

from storage.db import Database
from storage.tickets import Ticket, tickets_of

# Not answered yet, held or not: an auto-assigned ticket is taken before any answer.
_TO_ANNOUNCE = """
SELECT * FROM tickets INDEXED BY tickets_to_announce
WHERE status IN ('new', 'taken') AND first_response_at IS NULL AND overdue_announced_at IS NULL
  AND created_at <= :before
ORDER BY created_at, id
"""
_TO_ESCALATE = """
SELECT * FROM tickets INDEXED BY tickets_to_escalate
WHERE status IN ('new', 'taken') AND first_response_at IS NULL AND overdue_escalated_at IS NULL
  AND created_at <= :before
ORDER BY created_at, id
"""
_ANNOUNCED = "UPDATE tickets SET overdue_announced_at = :now WHERE id = :id"
_ESCALATED = "UPDATE tickets SET overdue_escalated_at = :now WHERE id = :id"


class OverdueRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def to_announce(self, before: datetime) -> list[Ticket]:
        """Created by ``before`` and not told to their forum yet."""
        return tickets_of(await self._db.fetchall(_TO_ANNOUNCE, {"before": before.isoformat()}))

    async def to_escalate(self, before: datetime) -> list[Ticket]:
        """Created by ``before`` and not told to the admins yet."""
        return tickets_of(await self._db.fetchall(_TO_ESCALATE, {"before": before.isoformat()}))

    async def announced(self, ticket_id: int, now: datetime) -> None:
        await self._db.execute(_ANNOUNCED, {"id": ticket_id, "now": now.isoformat()})

    async def escalated(self, ticket_id: int, now: datetime) -> None:
        await self._db.execute(_ESCALATED, {"id": ticket_id, "now": now.isoformat()})
