"""Who may act as an agent: members of the agents' forum and the admins."""

from __future__ import annotations

import time

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError

# Restricted members (observers, muted trainees) may read the forum but not act.
_MEMBER = frozenset({"creator", "administrator", "member"})


class AgentDirectory:
    """getChatMember is asked at most once per person per `ttl` seconds."""

    def __init__(
        self, bot: Bot, forum_id: int | None, admin_ids: frozenset[int], *, ttl: float = 60
    ) -> None:
        self._bot, self._forum, self.admin_ids, self._ttl = bot, forum_id, admin_ids, ttl
        self._cache: dict[int, tuple[bool, float]] = {}

    def is_admin(self, user_id: int) -> bool:
        return user_id in self.admin_ids

    async def is_agent(self, user_id: int) -> bool:
        if user_id in self.admin_ids:
            return True
        if self._forum is None:
            return False
        cached = self._cache.get(user_id)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        try:
            member = await self._bot.get_chat_member(self._forum, user_id)
            allowed = member.status in _MEMBER
        except TelegramAPIError:
            allowed = False  # when in doubt, a stranger: nothing reaches a customer
        self._cache[user_id] = (allowed, time.monotonic() + self._ttl)
        return allowed
