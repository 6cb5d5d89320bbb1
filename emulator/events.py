"""Event journal, subscribers and change notification.

Every observable change (bot message sent/edited/deleted, update pushed by a
simulated user, callback answer, chat action, topic change) becomes one
JSON-serialisable dict appended to ``EventHub.events`` and handed to
subscribers. Waiters (long polling, ``wait_*`` helpers) are woken on each one.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

Event = dict[str, Any]
Subscriber = Callable[[Event], Awaitable[None] | None]
T = TypeVar("T")
# Sync, or async to watch what the emulator cannot see (the bot's database, say).
Predicate = Callable[[], T | None] | Callable[[], Awaitable[T | None]]

logger = logging.getLogger(__name__)


class EventHub:
    def __init__(self) -> None:
        self.events: list[Event] = []
        self._subscribers: list[Subscriber] = []
        self._waiters: set[asyncio.Future[None]] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._seq = 0

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Register ``callback``; returns a function that unsubscribes it."""
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._subscribers.remove(callback)

        return unsubscribe

    def emit(self, event_type: str, **payload: Any) -> Event:
        self._seq += 1
        event: Event = {"seq": self._seq, "type": event_type, "time": time.time(), **payload}
        self.events.append(event)
        for callback in list(self._subscribers):
            try:
                result = callback(event)
            except Exception:
                # A broken observer must not break the Bot API the bot is talking to.
                logger.exception("emulator subscriber failed")
                continue
            if inspect.isawaitable(result):
                task = asyncio.ensure_future(result)
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
        self.poke()
        return event

    def poke(self) -> None:
        """Wake everything waiting for a change without recording an event."""
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._waiters.clear()

    async def wait_change(self, timeout: float) -> None:  # noqa: ASYNC109 - a deadline, not I/O
        """Return after the next change or after ``timeout`` seconds, whichever is first."""
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.add(waiter)
        try:
            await asyncio.wait_for(waiter, max(timeout, 0))
        except TimeoutError:
            pass
        finally:
            self._waiters.discard(waiter)

    async def wait_for(
        self,
        predicate: Predicate[T],
        timeout: float,  # noqa: ASYNC109 - a deadline, not I/O
        poll: float = 0.05,
    ) -> T:
        """Re-evaluate ``predicate`` on every change (and every ``poll`` seconds, so it
        may also watch things outside the emulator) until it returns a truthy value.
        An async predicate is awaited.

        Raises ``TimeoutError`` when ``timeout`` runs out.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = predicate()
            # Checked only when truthy (a coroutine is): most checks find nothing yet,
            # and the benchmark's customers re-check on every event.
            if value and inspect.isawaitable(value):
                value = await value
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError
            await self.wait_change(min(remaining, poll))
