"""Applies number changes whose holding period is over: at start, then periodically.

The due time lives in SQLite and each change moves scheduled -> applied in one
transaction, with the customer's notice in the outbox, so a restart or a week offline
applies everything once and tells of it once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.delivery.background import wake_or_tick
from bot.services.recovery import RecoveryService

log = logging.getLogger(__name__)


class Scheduler:
    def __init__(self, recovery: RecoveryService, interval: float) -> None:
        self._recovery = recovery
        self._interval = interval
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    def poke(self) -> None:
        """Something a change waited for is done (its notices): look now, not at the tick."""
        self._wake.set()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="scheduler")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def tick(self) -> None:
        await self._recovery.apply_due()

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.tick()
            except Exception:
                log.exception("scheduler pass failed; the next one retries")
            await wake_or_tick(self._wake, self._interval)
