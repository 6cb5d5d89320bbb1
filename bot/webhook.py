"""One worker of `python -m bot webhook`: an HTTP server Telegram posts updates to.

Each request is checked for the secret Telegram was given (403, nothing of it read or
logged otherwise), must be a JSON object with an integer update_id (400), and is
answered 200 only once it is committed to the queue (``bot.delivery.queue``): Telegram
sends again whatever it did not get a 200 for. Several workers listen on one port
(SO_REUSEPORT), behind a reverse proxy that terminates TLS.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import os
import signal
from contextlib import suppress
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from bot import speedups
from bot.app import App, create_app
from bot.delivery.queue import Claims
from bot.settings import Settings

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header's name
MAX_BODY = 1024 * 1024  # an update is a few kilobytes; Telegram's largest far below this


class Receiver:
    """The request handler: checks, records, answers."""

    def __init__(self, claims: Claims, secret: str) -> None:
        self._claims, self._secret = claims, secret.encode()

    async def handle(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            log.warning("webhook request from %s without the secret: refused", request.remote)
            return web.Response(status=403)
        try:
            body = await request.text()
            update = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return web.Response(status=400, text="not JSON")
        if not isinstance(update, dict) or type(update.get("update_id")) is not int:
            return web.Response(status=400, text="not an update")
        try:
            await self._claims.record(body, update)
        except Exception:
            log.exception("update %s not recorded; Telegram sends it again", update["update_id"])
            return web.Response(status=500)
        return web.Response()


def web_app(claims: Claims, settings: Settings) -> web.Application:
    assert settings.webhook_url is not None and settings.webhook_secret is not None  # noqa: S101
    app = web.Application(client_max_size=MAX_BODY)
    receiver = Receiver(claims, settings.webhook_secret.get_secret_value())
    # The proxy passes the public URL's path on as it is.
    app.router.add_post(urlsplit(settings.webhook_url).path or "/", receiver.handle)
    return app


async def serve(settings: Settings) -> None:
    """One worker, until SIGTERM or SIGINT: what it has in hand finishes first."""
    app = await create_app(settings, webhook=True)
    claims = app.incoming
    assert isinstance(claims, Claims)  # noqa: S101 - built for a webhook
    runner = web.AppRunner(web_app(claims, settings), access_log=None, handle_signals=False)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    data = _workflow(app)
    orphaned = asyncio.create_task(_parent_gone(stop))
    try:
        await app.dp.emit_startup(bot=app.bot, **data)
        await runner.setup()
        site = web.TCPSite(runner, settings.webhook_host, settings.webhook_port, reuse_port=True)
        await site.start()
        log.info("webhook worker listening on %s:%s", settings.webhook_host, settings.webhook_port)
        speedups.settle_gc(settings.speedups)
        await stop.wait()
    finally:
        orphaned.cancel()
        await runner.cleanup()  # nothing more comes in; Telegram keeps it for the others
        await claims.stop()
        await _stop(app, data)


async def _parent_gone(stop: asyncio.Event) -> None:
    """A worker whose parent died (SIGKILL, out of memory) stops as on SIGTERM: left
    running, it would hold the port and its leases for a parent nobody can stop."""
    parent = os.getppid()
    while os.getppid() == parent:  # noqa: ASYNC110 - nothing signals a parent's death
        await asyncio.sleep(1)
    log.warning("the webhook's parent process is gone; this worker stops")
    stop.set()


def _workflow(app: App) -> dict[str, Any]:
    # What aiogram's polling hands its startup and shutdown hooks.
    return {"dispatcher": app.dp, "bots": [app.bot], **app.dp.workflow_data}


async def _stop(app: App, data: dict[str, Any]) -> None:
    # As after polling: the workers stop, then what is in hand finishes (App.close).
    try:
        await app.dp.emit_shutdown(bot=app.bot, **data)
    finally:
        await app.close()
