"""Telegram's side of a webhook: each pending update POSTed to the bot's URL.

As Telegram does: the secret token set with setWebhook goes in the
``X-Telegram-Bot-Api-Secret-Token`` header; an update is forgotten only once the bot
answered it 200, and sent again after any other status, a broken connection or a
timeout; up to ``max_connections`` updates are in flight at once, taken in order from
the front of the queue (with 1, strictly one after another), so that updates of one
chat may reach different workers of the bot at the same time.

The URL must be https, as Telegram's must; ``proxy`` stands for the reverse proxy
that terminates TLS in front of the bot: its origin (``http://127.0.0.1:8081``)
replaces the URL's, and the path is kept.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import aiohttp

from .state import World

logger = logging.getLogger(__name__)

IDLE_SECONDS = 0.1  # how soon a webhook just set is noticed
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name


class Delivery(NamedTuple):
    """One POST of an update: its id and the bot's status (0: no answer)."""

    update_id: int
    status: int


class WebhookSender:
    def __init__(self, world: World) -> None:
        self.world = world
        self.proxy: str | None = None
        self.timeout = 10.0  # seconds the bot has to answer one POST
        self.retry_seconds = 0.2  # pause before an update that failed is sent again
        # False: a new connection for every POST. Workers sharing a port (SO_REUSEPORT)
        # are then each given a share of the updates, as behind a proxy that spreads its
        # connections; kept alive, one connection may carry them all to one worker.
        self.keep_alive = True
        self.deliveries: list[Delivery] = []
        # Sees each POST once answered (crash tests kill the bot right after a 200).
        self.on_delivered: Callable[[Delivery], None] | None = None
        self._in_flight: set[int] = set()
        self._retry_at: dict[int, float] = {}
        self._task: asyncio.Task[None] | None = None
        self._posts: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        tasks = [t for t in (self._task, *self._posts) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._task = None

    def target(self) -> str:
        url = self.world.webhook_url
        if self.proxy is None:
            return url
        parts = urlsplit(url)
        return (
            self.proxy.rstrip("/") + (parts.path or "/") + (f"?{parts.query}" * bool(parts.query))
        )

    async def _run(self) -> None:
        connector = aiohttp.TCPConnector(force_close=not self.keep_alive)
        async with aiohttp.ClientSession(connector=connector) as session:
            while not self.world.closing:
                if not self.world.webhook_url:
                    # Not woken by every event meanwhile: polling bots (the benchmark's
                    # among them) pay nothing for this.
                    await asyncio.sleep(IDLE_SECONDS)
                    continue
                for update in self._due():
                    task = asyncio.create_task(self._post(session, update))
                    self._posts.add(task)
                    task.add_done_callback(self._posts.discard)
                await self.world.hub.wait_change(self._next_retry())

    def _due(self) -> list[dict[str, Any]]:
        world = self.world
        if not world.webhook_url:
            return []
        world.updates = [u for u in world.updates if _kind(u) in world.allowed_updates]
        now = time.monotonic()
        window = world.updates[: world.webhook_max_connections]
        return [
            u
            for u in window
            if u["update_id"] not in self._in_flight
            and self._retry_at.get(u["update_id"], 0) <= now
        ]

    def _next_retry(self) -> float:
        now = time.monotonic()
        waits = [at - now for at in self._retry_at.values() if at > now]
        return min([0.5, *waits])

    async def _post(self, session: aiohttp.ClientSession, update: dict[str, Any]) -> None:
        update_id = update["update_id"]
        self._in_flight.add(update_id)
        status = 0
        headers = {SECRET_HEADER: self.world.webhook_secret} if self.world.webhook_secret else {}
        try:
            timeout = aiohttp.ClientTimeout(total=self.timeout)
            async with session.post(
                self.target(), json=update, headers=headers, timeout=timeout
            ) as response:
                status = response.status
                await response.read()
        except (aiohttp.ClientError, TimeoutError) as error:
            self.world.webhook_error = f"{type(error).__name__}: {error}"
        finally:
            self._in_flight.discard(update_id)
        delivery = Delivery(update_id, status)
        self.deliveries.append(delivery)
        if self.on_delivered is not None:
            self.on_delivered(delivery)
        if status == 200:  # noqa: PLR2004
            self._retry_at.pop(update_id, None)
            self.world.updates = [u for u in self.world.updates if u["update_id"] != update_id]
        else:
            if status:
                self.world.webhook_error = f"Wrong response from the webhook: {status}"
            self._retry_at[update_id] = time.monotonic() + self.retry_seconds
        self.world.hub.poke()


def _kind(update: dict[str, Any]) -> str:
    return next(key for key in update if key != "update_id")
