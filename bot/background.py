"""Work that must not hold up a reply, finished (not dropped) on shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)


class Background:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background work failed", exc_info=task.exception())

    async def drain(self) -> None:
        # Each piece of work bounds itself (senders have timeouts and few retries).
        if self._tasks:
            await asyncio.wait(set(self._tasks))


async def wake_or_tick(wake: asyncio.Event, seconds: float) -> None:
    """Wait until `wake` is set or `seconds` pass.

    Not asyncio.wait_for: on Python 3.11 it swallows a cancel that lands as the event
    is set, and a worker loop that misses its stop never ends (a shutdown that hangs).
    """
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await wake.wait()
