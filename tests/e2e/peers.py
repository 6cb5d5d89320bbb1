"""The bot's real peers, on loopback: an SMS gateway and an SMTP server."""

from __future__ import annotations

import asyncio
import socket
from email import message_from_bytes, policy
from email.message import Message
from typing import Any

from aiohttp import web
from aiosmtpd.controller import Controller


class SmsEndpoint:
    """Speaks the SMS gateway contract; `down` makes it answer 500 like a broken one."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.received: list[dict[str, Any]] = []
        self.attempts = 0
        self.down = False
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/send", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/send"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        self.attempts += 1
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return web.json_response({"error": "unauthorized"}, status=401)
        if self.down:
            return web.json_response({"error": "down"}, status=500)
        self.received.append(await request.json())
        return web.json_response({"ok": True})

    async def next(self, timeout: float = 5) -> dict[str, Any]:
        """The oldest request not returned before (a cursor, so none is missed)."""
        return await _next(self.received, self, timeout)

    async def next_code(self, timeout: float = 5) -> str:
        """The next code, passing over notices (which carry none)."""
        while not (request := await self.next(timeout))["code"]:
            pass
        return str(request["code"])


class _Collector:
    def __init__(self, inbox: SmtpInbox) -> None:
        self._inbox = inbox

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        self._inbox.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


class SmtpInbox:
    """A real SMTP server (aiosmtpd) collecting what the bot mails."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._controller = Controller(_Collector(self), hostname="127.0.0.1", port=self.port)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    async def next(self, timeout: float = 5) -> Message:
        return await _next(self.messages, self, timeout)


async def _next(items: list[Any], owner: Any, timeout: float) -> Any:
    read = getattr(owner, "_read", 0)
    async with asyncio.timeout(timeout):
        while len(items) <= read:
            await asyncio.sleep(0.02)
    owner._read = read + 1
    return items[read]
