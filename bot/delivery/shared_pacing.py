"""Pacing shared by several workers of one bot: Telegram's limits are the bot's, not a
worker's.

Each worker keeps its own turns and paid slots (``bot.delivery.pacing``); the time-based
part, the windows and the 429 holds, is asked of one budget every worker sees, in one
round trip per post. A worker also keeps its own posts in its local windows, so that it
never asks for what it alone already knows is full, and so that it keeps pacing on its
own share while the shared budget cannot be reached.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Protocol

from bot.delivery.pacing import Pacer
from bot.settings import Settings

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger(__name__)

Limit = tuple[int, float]  # at most so many posts in so many seconds

# How often a worker that cannot reach the shared budget says so.
_COMPLAIN_EVERY = 60.0


class BudgetUnavailable(Exception):
    """The shared budget cannot be reached: this worker paces on its own for now."""


class SharedBudget(Protocol):
    async def take(
        self, chat_id: int, count: int, chat: Limit, overall: Limit
    ) -> tuple[float, int]:
        """Take ``count`` slots of the chat's and the bot's windows when both have room
        and no 429 holds the chat, and return (0, the posts the chat's window now holds);
        otherwise take nothing and return (seconds to wait, the posts it holds)."""

    async def hold(self, chat_id: int, seconds: float) -> None:
        """Telegram said 429: nothing to this chat from any worker for ``seconds``."""


class SharedPacer(Pacer):
    """A pacer whose windows and holds are the bot's, shared through ``budget``."""

    def __init__(self, budget: SharedBudget, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._budget = budget
        self._until: dict[int, float] = {}  # the wait the shared budget last named
        self._complained = -_COMPLAIN_EVERY

    def delay(self, chat_id: int, count: int = 1) -> float:
        local = super().delay(chat_id, count)
        until = self._until.get(chat_id)
        if until is None:
            return local
        left = until - self._clock()
        if left <= 0:
            del self._until[chat_id]
        return max(local, left)

    async def claim(self, chat_id: int, count: int = 1) -> None:
        chat = self._group if chat_id < 0 else self._private
        overall = (self._global.limit, self._global.seconds)
        while True:
            await self.ready(chat_id, count)  # what this worker knows: no round trip
            try:
                wait, used = await self._budget.take(chat_id, count, chat, overall)
            except BudgetUnavailable as error:
                self._alone(error)
                await super().claim(chat_id, count)  # waits anew: time went by
                return
            now = self._clock()
            if wait <= 0:
                self.take(chat_id, count)
                if used * 2 >= chat[0]:
                    self._waited[chat_id] = now  # half the bot's window used: pressed
                return
            self._until[chat_id] = now + wait
            self._waited[chat_id] = now

    async def flooded(self, chat_id: int, seconds: float) -> None:
        self.hold(chat_id, seconds)
        try:
            await self._budget.hold(chat_id, seconds)
        except BudgetUnavailable as error:
            self._alone(error)

    def _sweep(self, now: float) -> None:
        super()._sweep(now)
        for chat_id, until in list(self._until.items()):
            if until <= now:
                del self._until[chat_id]

    def _alone(self, error: BudgetUnavailable) -> None:
        now = self._clock()
        if now - self._complained >= _COMPLAIN_EVERY:
            self._complained = now
            log.warning("shared pacing unavailable (%s): pacing this worker alone", error)


def build_pacer(settings: Settings, redis: Redis | None) -> Pacer:
    """The pacer of this process, or with REDIS_URL one whose budget every worker shares."""
    rates = (
        settings.outbound_chat_per_second,
        settings.outbound_group_per_minute,
        settings.outbound_global_per_second,
    )
    window = settings.outbound_group_window_seconds
    if redis is None:
        return Pacer(*rates, group_window=window)
    # Imported here: redis is an optional extra.
    from bot.delivery.redis_budget import RedisBudget  # noqa: PLC0415

    # Telegram's limits are per bot: two bots on one Redis keep apart.
    bot_id = settings.bot_token.get_secret_value().partition(":")[0]
    return SharedPacer(RedisBudget(redis, f"pacing:{bot_id}"), *rates, group_window=window)
