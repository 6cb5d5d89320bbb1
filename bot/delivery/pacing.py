"""Pacing of everything the bot sends, under Telegram's flood limits.

Sliding windows: a private chat gets a short burst, then OUTBOUND_CHAT_PER_SECOND; a group
(the agents' forum) OUTBOUND_GROUP_PER_MINUTE; the bot as a whole
OUTBOUND_GLOBAL_PER_SECOND. A 429 holds only the chat it came from, for its retry_after.
Senders to one chat wait their turn in arrival order, so per-chat order is kept.
Several workers of one bot share the windows and the holds (``bot.delivery.shared_pacing``).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import itertools
import logging
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramAPIError, TelegramRetryAfter
from aiogram.methods import CopyMessages, ForwardMessages, SendMediaGroup, TelegramMethod
from aiogram.methods.base import Response, TelegramType

from bot.delivery.posts import POSTING
from bot.delivery.retry import RetryPolicy
from bot.delivery.windows import Window

log = logging.getLogger(__name__)

# Telegram lets a private chat burst a little above one a second; three in three seconds
# is what it tolerates without a 429.
PRIVATE_BURST = 3
_GROUP_WINDOW = 60.0
_GLOBAL_WINDOW = 1.0
_SWEEP_ABOVE = 10_000
# A chat that made a sender wait this recently is still behind.
_PRESSURE_MEMORY = 5.0

# The chat whose turn the current task holds (see Pacer.turn).
_holding: contextvars.ContextVar[int | None] = contextvars.ContextVar("pacing_turn", default=None)


@dataclass(slots=True)
class _Slot:
    """A slot taken ahead for one post to a chat (see Pacer.paid). An object, so that
    using it shows in every task that inherited it: a retry must wait for a slot."""

    chat_id: int
    count: int
    used: bool = False


_paid: contextvars.ContextVar[_Slot | None] = contextvars.ContextVar("pacing_paid", default=None)


class Pacer:
    def __init__(
        self,
        chat_per_second: float,
        group_per_minute: float,
        global_per_second: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        group_window: float = _GROUP_WINDOW,
        global_window: float = _GLOBAL_WINDOW,
    ) -> None:
        self._private = (PRIVATE_BURST, PRIVATE_BURST / chat_per_second)
        self._group = (max(1, math.floor(group_per_minute)), group_window)
        global_limit = max(1, math.floor(global_per_second))
        self._global = Window(global_limit, global_window * global_limit / global_per_second)
        self._clock, self._sleep = clock, sleep
        self._chats: dict[int, Window] = {}
        self._held: dict[int, float] = {}
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        self._waited: dict[int, float] = {}
        self._sleeping: set[asyncio.Task[Any] | None] = set()

    def _window(self, chat_id: int) -> Window:
        window = self._chats.get(chat_id)
        if window is None:
            limit, seconds = self._group if chat_id < 0 else self._private
            window = self._chats[chat_id] = Window(limit, seconds)
        return window

    def delay(self, chat_id: int, count: int = 1) -> float:
        """Seconds until ``count`` messages may go to this chat; 0 means now."""
        now = self._clock()
        held = self._held_left(chat_id, now)
        chat = self._window(chat_id).delay(now, count)
        overall = self._global.delay(now, min(count, self._global.limit))
        return max(held, chat, overall, 0.0)

    def _held_left(self, chat_id: int, now: float) -> float:
        held = self._held.get(chat_id, 0.0) - now
        if held <= 0:
            self._held.pop(chat_id, None)
        return held

    def take(self, chat_id: int, count: int = 1) -> None:
        now = self._clock()
        self._window(chat_id).take(now, count)
        self._global.take(now, count)
        if len(self._chats) > _SWEEP_ABOVE:
            self._sweep(now)

    def _sweep(self, now: float) -> None:
        # A sale brings many chats once each; their empty windows need not stay.
        for chat_id, window in list(self._chats.items()):
            window.delay(now, 0)  # drops what left the window
            if not window.sent and chat_id not in self._locks:
                del self._chats[chat_id]
        for chat_id, waited in list(self._waited.items()):
            if now - waited >= _PRESSURE_MEMORY:
                del self._waited[chat_id]

    def hold(self, chat_id: int, seconds: float) -> None:
        """Nothing more to this chat for ``seconds``: Telegram said 429, or a call to it
        waits to be tried again."""
        now = self._clock()
        self._held[chat_id] = max(self._held.get(chat_id, 0.0), now + seconds)
        self._waited[chat_id] = now  # behind: whoever sends next waits for it

    async def flooded(self, chat_id: int, seconds: float) -> None:
        """Telegram said 429 for this chat: held for every sender (in every worker, when
        the budget is shared)."""
        self.hold(chat_id, seconds)

    def pressed(self, chat_id: int) -> bool:
        """The chat is behind or close to it: others wait for it, it cannot take a
        message now, half its window is used, or a sender had to wait for it moments
        ago (a 429, a full window)."""
        if self._waiting.get(chat_id, 0) > 0 or self.delay(chat_id) > 0:
            return True
        if self._window(chat_id).filling(self._clock()):
            return True
        waited = self._waited.get(chat_id)
        return waited is not None and self._clock() - waited < _PRESSURE_MEMORY

    async def ready(self, chat_id: int, count: int = 1, *, slot_taken: bool = False) -> None:
        """Wait until ``count`` messages may go to this chat now (without taking them);
        with ``slot_taken``, only until a 429's hold on the chat is over."""
        while (
            wait := self._held_left(chat_id, self._clock())
            if slot_taken
            else self.delay(chat_id, count)
        ) > 0:
            self._waited[chat_id] = self._clock()
            task = asyncio.current_task()
            self._sleeping.add(task)
            try:
                await self._sleep(wait)
            finally:
                self._sleeping.discard(task)

    def only_waiting(self, task: asyncio.Task[Any]) -> bool:
        """The task is waiting for a slot: nothing of it is on the wire now."""
        return task in self._sleeping

    async def acquire(self, chat_id: int, count: int = 1) -> None:
        """Wait for this chat's turn and a free slot, then take it."""
        slot = _paid.get()
        if slot is not None and (slot.chat_id, slot.count) == (chat_id, count) and not slot.used:
            slot.used = True
            # A 429 since the slot was taken holds this post as well.
            await self.ready(chat_id, slot_taken=True)
            return
        if _holding.get() == chat_id:
            await self.claim(chat_id, count)
            return
        async with self.turn(chat_id):
            await self.claim(chat_id, count)

    async def claim(self, chat_id: int, count: int = 1) -> None:
        """Wait for a free slot for ``count`` messages to this chat and take it; the
        caller holds the chat's turn."""
        await self.ready(chat_id, count)
        self.take(chat_id, count)

    @contextlib.asynccontextmanager
    async def turn(self, chat_id: int) -> AsyncIterator[None]:
        """Hold this chat's turn across several sends (first come, first served)."""
        lock = self._locks.setdefault(chat_id, asyncio.Lock())
        self._waiting[chat_id] = self._waiting.get(chat_id, 0) + 1
        task = asyncio.current_task()
        self._sleeping.add(task)  # nothing of it is on the wire while it waits its turn
        try:
            await lock.acquire()
        finally:
            self._sleeping.discard(task)
            self._waiting[chat_id] -= 1
        token = _holding.set(chat_id)
        try:
            yield
        finally:
            _holding.reset(token)
            lock.release()
            self._forget(chat_id)

    @contextlib.contextmanager
    def paid(self, chat_id: int, count: int = 1) -> Iterator[None]:
        """The next post of ``count`` messages of this task to this chat has its slots:
        the caller took them with ``take`` while it held the chat's turn, and gave the turn
        up before sending."""
        token = _paid.set(_Slot(chat_id, count))
        try:
            yield
        finally:
            _paid.reset(token)

    def _forget(self, chat_id: int) -> None:
        lock = self._locks.get(chat_id)
        if lock is not None and not lock.locked() and not self._waiting.get(chat_id):
            del self._locks[chat_id]
            self._waiting.pop(chat_id, None)


def _destination(method: TelegramMethod[Any]) -> tuple[int, int] | None:
    """The chat and the number of messages a call posts, for calls that post messages."""
    if not isinstance(method, POSTING):
        return None
    chat_id = getattr(method, "chat_id", None)
    if not isinstance(chat_id, int):
        return None  # @channelname: not a chat this bot talks to
    if isinstance(method, SendMediaGroup):
        return chat_id, len(method.media)
    if isinstance(method, CopyMessages | ForwardMessages):
        return chat_id, len(method.message_ids)
    return chat_id, 1


class PacingMiddleware(BaseRequestMiddleware):
    """Every message the bot posts waits for its slot; a failed call is tried again as
    the retry policy says (``bot.delivery.retry``), and a 429 holds its chat for all."""

    def __init__(self, pacer: Pacer, policy: RetryPolicy) -> None:
        self.pacer = pacer
        self.policy = policy

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        target = _destination(method)
        if target is None:
            # Not a post: not paced, and not tried again. A failed edit, reaction or tap's
            # answer leaves what was there; polling backs off on its own.
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                await self._hold(method, error)
                raise
        chat_id, count = target
        tries = self.policy.tries_in_place()
        for failures in itertools.count(1):
            await self.pacer.acquire(chat_id, count)
            try:
                return await make_request(bot, method)
            except TelegramAPIError as error:
                await self._hold(method, error)
                pause = self.policy.pause(error, failures)
                if pause is None or failures >= tries:
                    raise
                log.warning(
                    "%s from %s; again in %ss", type(error).__name__, method.__api_method__, pause
                )
                # Nothing to this chat overtakes the call while it waits.
                self.pacer.hold(chat_id, pause)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _hold(self, method: TelegramMethod[Any], error: TelegramAPIError) -> None:
        """A 429 holds its chat for every post to it, whoever tries this call again."""
        chat_id = getattr(method, "chat_id", None)
        if isinstance(error, TelegramRetryAfter) and isinstance(chat_id, int):
            log.warning("429 for a chat: holding it %ss", error.retry_after)
            await self.pacer.flooded(chat_id, error.retry_after)
