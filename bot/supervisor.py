"""`python -m bot webhook --workers N`: the parent process.

It sets the webhook once, starts N worker processes (each its own interpreter, event
loop, dispatcher and database connection; ``bot.webhook``) that listen on one port,
and starts again any that dies. It never deletes the webhook: Telegram holds the
updates that come meanwhile, and a deleted webhook would lose them; `python -m bot`
(polling) deletes it when it starts.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from contextlib import suppress

from aiogram import Bot

from bot import speedups
from bot.app import START_TIMEOUT, reach_telegram, used_updates
from bot.delivery.background import wake_or_tick
from bot.settings import Settings

log = logging.getLogger(__name__)

REFUSED = 2  # a worker that cannot start at all says why and exits with this
RESTART_FIRST = 0.5  # seconds before a worker that died is started again
RESTART_MOST = 10.0  # the pause doubles while workers die soon after their start
STEADY = 30.0  # a worker that lived this long died of something new
STOP_GRACE = 60.0  # a stopping worker finishes what it has in hand within this


async def set_webhook(settings: Settings) -> None:
    """Once per start, by the parent: the URL, the secret, the kinds of update the
    handlers take (as polling asks for them); what Telegram holds is kept."""
    assert settings.webhook_url is not None and settings.webhook_secret is not None  # noqa: S101
    # None of the app's parts: the parent only sets the webhook.
    session = speedups.session(settings.speedups, settings.telegram_api_url)
    bot = Bot(settings.bot_token.get_secret_value(), session=session)
    try:
        await reach_telegram(
            settings,
            bot.set_webhook(
                settings.webhook_url,
                secret_token=settings.webhook_secret.get_secret_value(),
                allowed_updates=used_updates(settings),
                drop_pending_updates=False,
                request_timeout=START_TIMEOUT,
            ),
        )
    finally:
        await bot.session.close()


# Told the pid of a worker that died, before another is started in its place.
Obituary = Callable[[int], Awaitable[None]]


async def _nobody_told(pid: int) -> None:
    return None


class Supervisor:
    def __init__(self, workers: int, on_death: Obituary = _nobody_told) -> None:
        self.workers = workers
        self._on_death = on_death
        self.refused = False
        self._stopping = asyncio.Event()
        self._procs: dict[int, asyncio.subprocess.Process] = {}

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with suppress(NotImplementedError):
                loop.add_signal_handler(sig, self._stopping.set)
        slots = [asyncio.create_task(self._keep(n)) for n in range(1, self.workers + 1)]
        await self._stopping.wait()
        for proc in self._procs.values():
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(STOP_GRACE):
                await asyncio.gather(*slots)
        except TimeoutError:
            log.error("workers still busy after %ss: killed", STOP_GRACE)
            for proc in self._procs.values():
                if proc.returncode is None:
                    proc.kill()
            await asyncio.gather(*slots)
        return REFUSED if self.refused else 0

    async def _keep(self, number: int) -> None:
        """One worker's place: started again whenever it dies, until the stop."""
        loop = asyncio.get_running_loop()
        pause = RESTART_FIRST
        while not self._stopping.is_set():
            started = loop.time()
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "webhook", "--serve"
            )
            self._procs[number] = proc
            log.info("webhook worker %d started (pid %d)", number, proc.pid)
            code = await proc.wait()
            if self._stopping.is_set():
                return
            if code == REFUSED:
                # It said why (settings, the database): another try would say the same.
                self.refused = True
                self._stopping.set()
                return
            if loop.time() - started > STEADY:
                pause = RESTART_FIRST
            log.error("webhook worker %d ended (exit %s); starting it again", number, code)
            try:
                await self._on_death(proc.pid)
            except Exception:  # its leases run out on their own
                log.exception("the leases of worker %d (pid %d) not released", number, proc.pid)
            await wake_or_tick(self._stopping, pause)
            pause = min(pause * 2, RESTART_MOST)
