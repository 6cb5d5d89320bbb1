"""The real app, polling a Bot API emulator on loopback, on a real SQLite file."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.app import App, create_app
from bot.domain.clock import FrozenClock
from bot.settings import Settings
from emulator import BotApiEmulator
from sandbox.peers import SmsEndpoint, SmtpInbox
from tests.conftest import ON_POSTGRES, ON_REDIS, RedisScope, fresh_redis
from tests.market import MARKET


class RunningBot:
    """The bot process as the tests see it: start, stop, restart, same database."""

    def __init__(self, settings: Settings, clock: FrozenClock, emu: BotApiEmulator) -> None:
        self.settings = settings
        self.clock = clock
        self.emu = emu
        self.app: App | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        polls = len(self.emu.calls_to("getUpdates"))
        self.app = await create_app(self.settings, clock=self.clock)
        self._task = asyncio.create_task(
            self.app.dp.start_polling(
                self.app.bot, handle_signals=False, close_bot_session=False, polling_timeout=1
            )
        )
        await self.emu.wait_for(lambda: len(self.emu.calls_to("getUpdates")) > polls, 5)

    async def stop(self) -> None:
        if self.app is None or self._task is None:
            return
        await self.app.dp.stop_polling()
        await self._task
        await self.app.close()
        self.app, self._task = None, None

    async def restart(self) -> None:
        await self.stop()
        await self.start()


FORUM = -1001000000001
ADMIN = 9001  # an admin who works in the forum
AGENT = 9002  # a forum member
STRANGER = 9009  # in the forum, but not an agent: ignored


@pytest.fixture
async def shared_redis() -> AsyncIterator[RedisScope | None]:
    """With TEST_REDIS=on, the bot's Redis and a bot id of this test's own (its keys are
    named by it, and deleted afterwards); otherwise none."""
    if not ON_REDIS:
        yield None
        return
    async with fresh_redis() as scope:
        yield scope


@pytest.fixture
async def emu(shared_redis: RedisScope | None) -> AsyncIterator[BotApiEmulator]:
    token = {"token": shared_redis.token} if shared_redis else {}
    async with BotApiEmulator(**token) as emulator:
        for user_id, name in (
            (ADMIN, "Olga Admin"),
            (AGENT, "Ivan Agent"),
            (STRANGER, "Some Stranger"),
        ):
            emulator.add_user(user_id, name, language_code="en")
        emulator.add_forum(
            FORUM,
            "Support desk",
            members={ADMIN: "administrator", AGENT: "member", STRANGER: "restricted"},
        )
        yield emulator


@pytest.fixture
async def sms() -> AsyncIterator[SmsEndpoint]:
    endpoint = SmsEndpoint(token="sms-secret")
    await endpoint.start()
    yield endpoint
    await endpoint.stop()


@pytest.fixture
def smtp() -> Iterator[SmtpInbox]:
    inbox = SmtpInbox()
    inbox.start()
    yield inbox
    inbox.stop()


@pytest.fixture
def market_file(tmp_path: Path) -> Path:
    path = tmp_path / "market.json"
    path.write_text(json.dumps(MARKET, ensure_ascii=False), "utf-8")
    return path


@pytest.fixture
def settings(
    emu: BotApiEmulator,
    database_url: str,
    sms: SmsEndpoint,
    smtp: SmtpInbox,
    market_file: Path,
    shared_redis: RedisScope | None,
) -> Settings:
    where = {"database_url": database_url} if ON_POSTGRES else {"database_path": database_url}
    if shared_redis is not None:
        where["redis_url"] = shared_redis.url
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        bot_token=emu.token,
        telegram_api_url=emu.base_url,
        **where,
        default_locale="ru",
        sms_gateway_url=sms.url,
        sms_gateway_token="sms-secret",
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_from="support@example.com",
        smtp_starttls=False,
        marketplace_data=market_file,
        support_chat_id=FORUM,
        admin_ids=frozenset({ADMIN}),
        support_hours="",
        # Flows are tested at full speed; pacing has its own tests at Telegram's pace.
        outbound_chat_per_second=1000,
        outbound_group_per_minute=60000,
        outbound_global_per_second=1000,
    )


@pytest.fixture
async def running(
    settings: Settings, clock: FrozenClock, emu: BotApiEmulator
) -> AsyncIterator[RunningBot]:
    bot = RunningBot(settings, clock, emu)
    await bot.start()
    yield bot
    await bot.stop()
