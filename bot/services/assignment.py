"""Agents online for auto-assignment in each forum (/online, /away), and whom a new
ticket goes to when AUTO_ASSIGN is on: the online agent of its forum with the fewest
open tickets; on a tie the one online longest, then the lowest id."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.clock import Clock
from bot.services.ticket_terms import Person
from storage import keys
from storage.db import Database
from storage.presence import OnlineAgent, PresenceRepo


def choose_agent(online: Sequence[OnlineAgent]) -> OnlineAgent | None:
    """The least busy of ``online``; None when nobody is."""
    return min(online, key=lambda a: (a.open_tickets, a.online_since, a.agent_id), default=None)


class Presence:
    def __init__(self, db: Database, repo: PresenceRepo, clock: Clock) -> None:
        self._db, self._repo, self._clock = db, repo, clock

    async def online(self, forum_id: int, agent: Person) -> None:
        async with self._db.tx(keys.presence(forum_id)):
            await self._repo.online(forum_id, agent.id, agent.name, self._clock.now())

    async def away(self, forum_id: int, agent_id: int) -> bool:
        """False when the agent was not online there."""
        async with self._db.tx(keys.presence(forum_id)):
            return await self._repo.away(forum_id, agent_id)

    async def pick(self, forum_id: int) -> Person | None:
        """Inside the transaction that assigns the ticket: the agent it goes to. The
        forum's presence is locked first, so the counts read are still true when the
        assignment is written."""
        await self._db.lock(keys.presence(forum_id))
        chosen = choose_agent(await self._repo.online_in(forum_id))
        return None if chosen is None else Person(chosen.agent_id, chosen.name)
