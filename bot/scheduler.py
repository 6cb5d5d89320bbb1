"""Applies number changes whose holding period is over: at start, then periodically.

The due time lives in SQLite and each change moves scheduled -> applied in one
transaction, so a restart or a week offline applies everything once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError

from bot.i18n import Translator
from bot.phones import mask
from bot.services.recovery import RecoveryService

log = logging.getLogger(__name__)


class Scheduler:
    def __init__(
        self, bot: Bot, recovery: RecoveryService, translator: Translator, interval: float
    ) -> None:
        self._bot, self._recovery, self._translator = bot, recovery, translator
        self._interval = interval
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="scheduler")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def tick(self) -> None:
        for applied in await self._recovery.apply_due():
            t = self._translator(applied.locale)  # type: ignore[arg-type]
            with contextlib.suppress(TelegramAPIError):
                await self._bot.send_message(
                    applied.telegram_id, t("recover-applied", phone=mask(applied.new_phone))
                )

    async def _run(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception:
                log.exception("scheduler pass failed; the next one retries")
            await asyncio.sleep(self._interval)
