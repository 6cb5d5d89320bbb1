"""Who may act as an agent: in a forum, its members; the admins anywhere."""

from __future__ import annotations

import time
from collections.abc import Iterable

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError

# Restricted members (observers, muted trainees) may read the forum but not act.
_MEMBER = frozenset({"creator", "administrator", "member"})


class AgentDirectory:
    """getChatMember is asked at most once per person and forum per `ttl` seconds."""

    def __init__(
        self, bot: Bot, forum_ids: Iterable[int], admin_ids: frozenset[int], *, ttl: float = 60
    ) -> None:
        self._bot, self.admin_ids, self._ttl = bot, admin_ids, ttl
        self.forum_ids = tuple(forum_ids)
        self._cache: dict[tuple[int, int], tuple[bool, float]] = {}

    def is_admin(self, user_id: int) -> bool:
        return user_id in self.admin_ids

    async def is_agent(self, user_id: int, forum_id: int) -> bool:
        """Whether the person may act in that forum: a member of it, or an admin."""
        if user_id in self.admin_ids:
            return True
        if forum_id not in self.forum_ids:
            return False
        cached = self._cache.get((user_id, forum_id))
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        try:
            member = await self._bot.get_chat_member(forum_id, user_id)
            allowed = member.status in _MEMBER
        except TelegramAPIError:
            allowed = False  # when in doubt, a stranger: nothing reaches a customer
        self._cache[(user_id, forum_id)] = (allowed, time.monotonic() + self._ttl)
        return allowed

    async def forums_of(self, user_id: int) -> list[int]:
        """The forums the person may act in."""
        return [f for f in self.forum_ids if await self.is_agent(user_id, f)]
