"""Tickets among the agents' forums: how busy each forum is (what the bot posted into it
in the last window and what waits to be posted there, the two that spend its posts a
minute), and a ticket moved to another."""

from __future__ import annotations

from datetime import datetime

from storage.db import Database

# The customers' lines and the bot's own (a note never leaves the forum, an agent's reply
# goes to the customer), relayed within the window or still waiting; and each ticket
# whose topic and card are still to be posted.
_LOADS = """
SELECT t.forum_id, count(*) AS posts FROM ticket_messages m JOIN tickets t ON t.id = m.ticket_id
WHERE m.direction IN ('in', 'event') AND m.failed IS NULL
  AND (m.relayed_at IS NULL OR m.relayed_at > :since)
GROUP BY t.forum_id
UNION ALL
SELECT forum_id, count(*) AS posts FROM tickets
WHERE status != 'closed' AND (topic_id IS NULL OR card_pending = 1)
GROUP BY forum_id
"""


_MOVE = """
UPDATE tickets SET forum_id = :forum_id, topic_id = NULL, topic_closed = 0, card_pending = 0
WHERE id = :id"""
_PLACE = "UPDATE tickets SET forum_id = :forum_id WHERE forum_id IS NULL"


class LaneRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def loads(self, since: datetime) -> dict[int, int]:
        """Posts spent or owed, by forum, since ``since``."""
        loads: dict[int, int] = {}
        for row in await self._db.fetchall(_LOADS, {"since": since.isoformat()}):
            if row["forum_id"] is not None:
                loads[row["forum_id"]] = loads.get(row["forum_id"], 0) + int(row["posts"])
        return loads

    async def move(self, ticket_id: int, forum_id: int) -> None:
        """Into another forum, without a topic there yet."""
        await self._db.execute(_MOVE, {"id": ticket_id, "forum_id": forum_id})

    async def place_unplaced(self, forum_id: int) -> None:
        """Tickets from before there were several forums: in the one there was."""
        await self._db.execute(_PLACE, {"forum_id": forum_id})
