"""Which agents are online for auto-assignment in each agents' forum (/online, /away)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Database

# Online again while online: the name follows, the time online keeps counting.
_ONLINE = """
INSERT INTO agent_presence (forum_id, agent_id, agent_name, online_since)
VALUES (:forum_id, :agent_id, :agent_name, :now)
ON CONFLICT (forum_id, agent_id) DO UPDATE SET agent_name = excluded.agent_name
"""
_AWAY = "DELETE FROM agent_presence WHERE forum_id = :forum_id AND agent_id = :agent_id"
# Open tickets in every forum: an agent's work is theirs wherever it came from.
_ONLINE_IN = """
SELECT p.agent_id, p.agent_name, p.online_since,
    (SELECT count(*) FROM tickets t
     WHERE t.assignee_id = p.agent_id AND t.status != 'closed') AS open_tickets
FROM agent_presence p WHERE p.forum_id = :forum_id
"""


@dataclass(frozen=True)
class OnlineAgent:
    agent_id: int
    name: str
    online_since: datetime
    open_tickets: int


class PresenceRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def online(self, forum_id: int, agent_id: int, name: str, now: datetime) -> None:
        params = {"forum_id": forum_id, "agent_id": agent_id, "agent_name": name}
        await self._db.execute(_ONLINE, {**params, "now": now.isoformat()})

    async def away(self, forum_id: int, agent_id: int) -> bool:
        """False when the agent was not online there."""
        written = await self._db.execute(_AWAY, {"forum_id": forum_id, "agent_id": agent_id})
        return written.rowcount > 0

    async def online_in(self, forum_id: int) -> list[OnlineAgent]:
        return [
            OnlineAgent(
                int(row["agent_id"]),
                row["agent_name"],
                datetime.fromisoformat(row["online_since"]),
                int(row["open_tickets"]),
            )
            for row in await self._db.fetchall(_ONLINE_IN, {"forum_id": forum_id})
        ]
