"""The bot's real peers on loopback: an SMS gateway endpoint and an SMTP server.

The e2e tests and the sandbox both use them; ``on_message`` lets the sandbox show
what arrived the moment it arrives.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from email import message_from_bytes, policy
from email.message import Message
from typing import Any

from aiohttp import web
from aiosmtpd.controller import Controller

SmsListener = Callable[[dict[str, Any]], None]
MailListener = Callable[[Message], None]


class SmsEndpoint:
    """Speaks the SMS gateway contract; `down` makes it answer 500 like a broken one."""

    def __init__(self, token: str, *, on_message: SmsListener | None = None) -> None:
        self.token = token
        self.received: list[dict[str, Any]] = []
        self.attempts = 0
        self.down = False
        self.on_message = on_message
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/send", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/send"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _handle(self, request: web.Request) -> web.Response:
        self.attempts += 1
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return web.json_response({"error": "unauthorized"}, status=401)
        if self.down:
            return web.json_response({"error": "down"}, status=500)
        body = await request.json()
        self.received.append(body)
        if self.on_message is not None:
            self.on_message(body)
        return web.json_response({"ok": True})

    async def next(self, timeout: float = 5) -> dict[str, Any]:  # noqa: ASYNC109
        """The oldest request not returned before (a cursor, so none is missed)."""
        return await _next(self.received, self, timeout)

    async def next_code(self, timeout: float = 5) -> str:  # noqa: ASYNC109
        """The next code, passing over notices (which carry none)."""
        while not (request := await self.next(timeout))["code"]:
            pass
        return str(request["code"])


class _Collector:
    def __init__(self, inbox: SmtpInbox) -> None:
        self._inbox = inbox

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        self._inbox.deliver(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


class SmtpInbox:
    """A real SMTP server (aiosmtpd, in its own thread) collecting what the bot mails.

    ``on_message`` runs in the event loop that called ``start()`` when there is one,
    so a listener never has to care about the server's thread.
    """

    def __init__(self, *, on_message: MailListener | None = None) -> None:
        self.messages: list[Message] = []
        self.on_message = on_message
        self._loop: asyncio.AbstractEventLoop | None = None
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._controller = Controller(_Collector(self), hostname="127.0.0.1", port=self.port)

    def start(self) -> None:
        try:
            self._loop = asyncio.get_running_loop()
        except RuntimeError:
            self._loop = None
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def deliver(self, message: Message) -> None:
        """Called from the SMTP server's thread for every mail received."""
        self.messages.append(message)
        listener = self.on_message
        if listener is None:
            return
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(listener, message)
        else:
            listener(message)

    async def next(self, timeout: float = 5) -> Message:  # noqa: ASYNC109
        return await _next(self.messages, self, timeout)


async def _next(items: list[Any], owner: Any, timeout: float) -> Any:  # noqa: ASYNC109
    read = getattr(owner, "_read", 0)
    async with asyncio.timeout(timeout):
        # Mail lands from the SMTP server's thread, where no asyncio.Event may be set.
        while len(items) <= read:  # noqa: ASYNC110
            await asyncio.sleep(0.02)
    owner._read = read + 1
    return items[read]
