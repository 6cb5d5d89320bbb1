"""`python -m bot sandbox`: the whole bot on one machine, with no token and no network.

The real app polls the Bot API emulator; the SMS gateway and the mail server are local
peers; a web page plays the customers and the agents.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import signal
import sqlite3
import tempfile
import time
import webbrowser
from pathlib import Path
from types import TracebackType
from typing import Any, Self, cast

from aiohttp import web
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from bot.app import App, create_app
from bot.ports.datafile import DataFileError
from bot.services.customers import CustomerService
from bot.settings import Settings
from emulator import BotApiEmulator, ChatRecord
from sandbox.demo import (
    STRANGER_ID,
    Agent,
    Customer,
    contact_for,
    load_cast,
    write_demo,
)
from sandbox.feed import Feed, Inbox
from sandbox.peers import SmsEndpoint, SmtpInbox
from sandbox.web import build_web
from storage.db import DatabaseUnavailable

# Fixed, so codes hashed with it in one run still check out after a restart on the same db.
SANDBOX_TOKEN = "5000000001:sandbox-not-a-real-token"  # noqa: S105
SMS_TOKEN = "sandbox-sms"  # noqa: S105
MAX_CUSTOMERS = 50
_START_TIMEOUT = 10
# The emulator forgets its chats when it stops, the bot's SQLite does not: numbering each
# run's messages from the seconds since this moment keeps new topic and message ids clear
# of the ones an earlier run left in the database.
_ID_EPOCH = 1_750_000_000


class SandboxError(Exception):
    """The sandbox cannot start; the message is the one line to show."""


class SandboxSettings(Settings):
    """Settings from the arguments only: a real BOT_TOKEN, SMTP_USER or the like in the
    environment or .env must never reach the sandbox."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


class Sandbox:
    """Everything the sandbox runs; ``start()``/``stop()`` or ``async with``."""

    def __init__(
        self, db_path: Path | None = None, *, host: str = "127.0.0.1", port: int = 8080
    ) -> None:
        self.db_path = db_path
        self.host, self.port = host, port
        self.feed = Feed()
        self.inbox = Inbox(self.feed)
        self.emu = BotApiEmulator(token=SANDBOX_TOKEN, bot_name="Marketplace Support")
        self.sms = SmsEndpoint(SMS_TOKEN, on_message=self.inbox.add_sms)
        self.cast = load_cast()
        self.forum_id = self.cast.forum_id
        self.agents: dict[int, Agent] = {agent.id: agent for agent in self.cast.agents}
        self.customers: dict[int, Customer] = {}
        self.app: App | None = None
        self.url = ""
        self._stack: contextlib.AsyncExitStack | None = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        stack = contextlib.AsyncExitStack()
        try:
            await self._start(stack)
        except BaseException:
            await stack.aclose()
            raise
        self._stack = stack

    async def stop(self) -> None:
        """Stop in the reverse order of start: the bot, its peers, the emulator, the page."""
        stack, self._stack = self._stack, None
        if stack is not None:
            await stack.aclose()

    async def _start(self, stack: contextlib.AsyncExitStack) -> None:
        # The port first: when it is taken, nothing else has started or logged yet.
        await self._serve_page(stack)
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bot-sandbox-")))
        await self.emu.start()
        stack.push_async_callback(self.emu.stop)
        stack.callback(self.emu.subscribe(self.feed.publish))
        self._populate()
        await self.sms.start()
        stack.push_async_callback(self.sms.stop)
        smtp = SmtpInbox(on_message=self.inbox.add_mail)
        smtp.start()
        stack.callback(smtp.stop)
        db_path = self.db_path or folder / "sandbox.sqlite3"
        await self._start_bot(stack, self._settings(db_path, write_demo(folder), smtp.port))

    async def _serve_page(self, stack: contextlib.AsyncExitStack) -> None:
        runner = web.AppRunner(build_web(self), access_log=None, shutdown_timeout=2)
        await runner.setup()
        stack.push_async_callback(runner.cleanup)
        # Open event streams end before the server, which would otherwise wait for them.
        stack.callback(self.feed.close)
        try:
            await web.TCPSite(runner, self.host, self.port).start()
        except OSError as error:
            reason = "the port is in use" if error.errno == errno.EADDRINUSE else str(error)
            raise SandboxError(f"cannot listen on {self.host}:{self.port}: {reason}") from None
        self.url = _url(runner.addresses[0], self.host)

    async def _start_bot(self, stack: contextlib.AsyncExitStack, settings: Settings) -> None:
        try:
            settings.database_path.parent.mkdir(parents=True, exist_ok=True)
            app = await create_app(settings)
        except DatabaseUnavailable as error:
            raise SandboxError(f"the database {error}") from None
        except (sqlite3.Error, OSError) as error:
            raise SandboxError(
                f"cannot open the database {settings.database_path}: {error}"
            ) from None
        except DataFileError as error:
            raise SandboxError(f"the demo data is broken: {error}") from None
        stack.push_async_callback(app.close)
        await self._restore_customers(app)
        self.app = app
        polling = asyncio.create_task(
            app.dp.start_polling(app.bot, handle_signals=False, close_bot_session=False)
        )
        stack.push_async_callback(_stop_polling, app, polling)
        await self._wait_polling(polling)

    def _settings(self, db_path: Path, data_file: Path, smtp_port: int) -> Settings:
        return SandboxSettings(
            bot_token=SANDBOX_TOKEN,
            telegram_api_url=self.emu.base_url,
            database_path=db_path,
            default_locale="ru",
            sms_gateway_url=self.sms.url,
            sms_gateway_token=SMS_TOKEN,
            smtp_host="127.0.0.1",
            smtp_port=smtp_port,
            smtp_from="support@sandbox.localhost",
            smtp_starttls=False,
            marketplace_data=data_file,
            support_chat_id=self.forum_id,
            admin_ids=frozenset(a.id for a in self.agents.values() if a.role == "administrator"),
            support_hours="",
        )

    async def _wait_polling(self, polling: asyncio.Task[None]) -> None:
        try:
            await self.emu.wait_for(
                lambda: polling.done() or self.emu.calls_to("getUpdates"), _START_TIMEOUT
            )
        except AssertionError:
            raise SandboxError("the bot did not start polling the emulator") from None
        if polling.done():
            await polling  # its own error says best why it stopped
            raise SandboxError("the bot stopped polling at once")

    def _populate(self) -> None:
        for agent in self.agents.values():
            self.emu.add_user(agent.id, agent.name, language_code="ru")
        members = {agent.id: agent.role for agent in self.agents.values()}
        forum = self.emu.add_forum(self.forum_id, self.cast.forum_title, members=members)
        _number_from_now(forum)
        for user_id, name, language in self.cast.customers:
            self.add_customer(name, language, user_id=user_id)

    async def _restore_customers(self, app: App) -> None:
        """Customers added in an earlier run on this database come back under their ids:
        a new one must never inherit somebody's login, ticket or conversation state."""
        service = cast(CustomerService, app.services["customers"])
        taken = {*self.customers, *self.agents, STRANGER_ID}
        for known in await service.everyone():
            if known.telegram_id in taken or len(self.customers) >= MAX_CUSTOMERS:
                continue
            self.add_customer(
                known.first_name, known.language_code or "ru", user_id=known.telegram_id
            )

    def add_customer(self, name: str, language: str, *, user_id: int | None = None) -> Customer:
        """A new simulated person with a private chat; the page learns of it by an event."""
        if len(self.customers) >= MAX_CUSTOMERS:
            raise ValueError(f"the sandbox holds at most {MAX_CUSTOMERS} customers")
        user_id = user_id or max(self.customers, default=1000) + 1
        phone, email = contact_for(len(self.customers), self.cast.accounts)
        self.emu.add_user(user_id, name, language_code=language)
        _number_from_now(self.emu.chat(user_id))
        customer = Customer(user_id, name, language, phone, email)
        self.customers[user_id] = customer
        self.feed.publish({"type": "customer", "customer": customer.to_json()})
        return customer


def _number_from_now(chat: ChatRecord) -> None:
    chat.last_message_id = max(chat.last_message_id, int(time.time()) - _ID_EPOCH)


async def _stop_polling(app: App, polling: asyncio.Task[None]) -> None:
    if not polling.done():
        with contextlib.suppress(RuntimeError):  # not started yet: nothing to signal
            await app.dp.stop_polling()
    if not polling.done():
        polling.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await polling


def _url(address: Any, host: str) -> str:
    port = address[1]
    shown = "127.0.0.1" if host in {"", "0.0.0.0", "::"} else host  # noqa: S104
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


async def run_sandbox(
    db_path: Path | None, host: str = "127.0.0.1", port: int = 8080, open_browser: bool = True
) -> None:
    """Run until Ctrl+C or SIGTERM, then stop everything it started."""
    async with Sandbox(db_path, host=host, port=port) as sandbox:
        print(f"Sandbox: {sandbox.url}  (Ctrl+C stops it)", flush=True)  # noqa: T201
        if open_browser:
            # Some browsers block the caller until they are up; the bot must not wait.
            await asyncio.to_thread(webbrowser.open, sandbox.url)
        await _until_signal()


async def _until_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    handled: list[signal.Signals] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        # Where the loop cannot (Windows), Ctrl+C still cancels us as KeyboardInterrupt.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
            handled.append(sig)
    try:
        await stop.wait()
    finally:
        for sig in handled:
            loop.remove_signal_handler(sig)
