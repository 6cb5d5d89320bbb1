"""The outbox's notices to chats when Telegram holds back, is down, or refuses: the real
outbox on a real database, sending through the bot's own session to the emulator."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiohttp import web

from bot.delivery.outbox import Outbox
from bot.delivery.pacing import Pacer, PacingMiddleware
from bot.delivery.retry import Backoff, RetryPolicy
from bot.domain.clock import FrozenClock
from bot.ports.senders import DeliveryFailed, DeliveryRefused, SmsGateway
from emulator import BotApiEmulator
from emulator.server import ApiCall
from sandbox.peers import SmsEndpoint
from storage.db import Database
from storage.outbox import OutboxRepo

ANNA, BORIS = 1001, 1002
_MINUTES = timedelta(minutes=5)
_ROWS = "SELECT text, sent_at IS NOT NULL, failed FROM outbox WHERE chat_id = :chat_id ORDER BY id"


@dataclass
class Wired:
    emu: BotApiEmulator
    db: Database
    bot: Bot
    pacer: Pacer
    outbox: Outbox

    def tries(self, chat_id: int) -> int:
        return sum(1 for c in self.emu.calls_to("sendMessage") if c.get("chat_id") == chat_id)

    async def rows(self, chat_id: int) -> list[tuple[str, bool, str | None]]:
        """What became of each notice to the chat: its text, sent, why it failed."""
        # Read outside any transaction: only what the outbox committed.
        rows = await self.db.fetchall(_ROWS, {"chat_id": chat_id})
        return [(text, bool(sent), failed) for text, sent, failed in rows]

    async def until_settled(self, chat_id: int) -> list[tuple[str, bool, str | None]]:
        async def settled() -> list[tuple[str, bool, str | None]] | None:
            rows = await self.rows(chat_id)
            return rows if all(sent or failed for _, sent, failed in rows) else None

        return await self.emu.wait_for(settled, timeout=10)


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emulator:
        emulator.add_user(ANNA, "Анна")
        emulator.add_user(BORIS, "Борис")
        yield emulator


@pytest.fixture
async def wired(
    emu: BotApiEmulator, db: Database, clock: FrozenClock, tmp_path: Path
) -> AsyncIterator[Wired]:
    # Short pauses: an outage is over in a fraction of a second.
    policy = RetryPolicy(tries=5, backoff=Backoff(first=0.05, longest=0.2))
    pacer = Pacer(1000, 60000, 1000)
    session = AiohttpSession(api=TelegramAPIServer.from_base(emu.base_url))
    bot = Bot(emu.token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))
    session.middleware(PacingMiddleware(pacer, policy))
    outbox = Outbox(bot, db, OutboxRepo(db), pacer, clock, policy=policy, tick=0.05)
    await outbox.start()
    yield Wired(emu, db, bot, pacer, outbox)
    await outbox.stop()
    await bot.session.close()


def _retry_lines(caplog: pytest.LogCaptureFixture) -> list[tuple[str, str]]:
    return [(r.name, r.getMessage()) for r in caplog.records if "again in" in r.getMessage()]


async def test_a_429_holds_the_chat_for_every_post_and_the_notice_goes_once_after_it(
    wired: Wired, caplog: pytest.LogCaptureFixture
) -> None:
    emu = wired.emu
    held_at_call: list[float] = []

    def on_call(call: ApiCall) -> bool:
        if call.method == "sendMessage":
            held_at_call.append(wired.pacer.delay(ANNA))
        return False  # answered as usual

    emu.server.on_call = on_call
    emu.fail_next("sendMessage", 429, retry_after=1, chat_id=ANNA)
    with caplog.at_level(logging.WARNING):
        await wired.outbox.put(ANNA, "notice")
        await emu.wait_for(lambda: wired.pacer.delay(ANNA) > 0)  # the 429 came
        # An answer to the same chat, sent meanwhile as a handler sends one.
        answer = asyncio.ensure_future(wired.bot.send_message(ANNA, "answer"))
        assert await wired.until_settled(ANNA) == [("notice", True, None)]
        await answer
    assert sorted(m.text for m in emu.messages(ANNA)) == ["answer", "notice"]
    assert wired.tries(ANNA) == 3  # the notice refused once, then each sent once
    assert held_at_call == [0, 0, 0]  # none reached Telegram while the chat was held
    assert _retry_lines(caplog) == [
        ("bot.delivery.outbox", "notice 1: TelegramRetryAfter; again in 1.0s")
    ]


async def test_an_outage_is_retried_by_the_outbox_alone_with_doubling_pauses(
    wired: Wired, caplog: pytest.LogCaptureFixture
) -> None:
    wired.emu.fail_next("sendMessage", 500, times=3, chat_id=ANNA)
    with caplog.at_level(logging.WARNING):
        await wired.outbox.put(ANNA, "notice")
        assert await wired.until_settled(ANNA) == [("notice", True, None)]
    assert [m.text for m in wired.emu.messages(ANNA)] == ["notice"]
    assert wired.tries(ANNA) == 4
    # Once per pass, by the outbox: the session tried nothing again in place.
    assert _retry_lines(caplog) == [
        ("bot.delivery.outbox", f"notice 1: TelegramServerError; again in {pause}s")
        for pause in (0.05, 0.1, 0.2)
    ]


async def test_a_refused_notice_is_given_up_with_the_reason_and_the_next_one_goes(
    wired: Wired,
) -> None:
    reason = "Bad Request: can't parse entities"
    wired.emu.fail_next("sendMessage", 400, description=reason, chat_id=ANNA)
    await wired.outbox.put(ANNA, "first")
    await wired.outbox.put(ANNA, "second")
    rows = await wired.until_settled(ANNA)
    assert rows == [("first", False, reason), ("second", True, None)]
    assert [m.text for m in wired.emu.messages(ANNA)] == ["second"]
    assert wired.tries(ANNA) == 2  # the refused one was not tried again


async def test_a_chat_that_blocked_the_bot_is_not_tried_again_and_holds_up_no_other(
    wired: Wired,
) -> None:
    wired.emu.block_bot(ANNA)
    await wired.outbox.put(ANNA, "to a blocked chat")
    await wired.outbox.put(BORIS, "to another")
    assert await wired.until_settled(ANNA) == [
        ("to a blocked chat", False, "Forbidden: bot was blocked by the user")
    ]
    assert await wired.until_settled(BORIS) == [("to another", True, None)]
    assert wired.tries(ANNA) == 1


@pytest.fixture
async def gateway() -> AsyncIterator[SmsEndpoint]:
    endpoint = SmsEndpoint("gateway-token")
    await endpoint.start()
    yield endpoint
    await endpoint.stop()


async def _codes_outbox(
    db: Database, clock: FrozenClock, emu: BotApiEmulator, endpoint: SmsEndpoint, token: str
) -> tuple[Outbox, SmsGateway]:
    sender = SmsGateway(endpoint.url, token)
    outbox = Outbox(
        Bot(emu.token, session=AiohttpSession(api=TelegramAPIServer.from_base(emu.base_url))),
        db,
        OutboxRepo(db),
        Pacer(1000, 60000, 1000),
        clock,
        policy=RetryPolicy(backoff=Backoff(first=0.05, longest=0.2)),
        phone=sender,
        attempts=2,
        tick=0.05,
    )
    return outbox, sender


async def test_a_code_is_tried_again_by_the_outbox_alone_until_the_gateway_is_back(
    emu: BotApiEmulator, db: Database, clock: FrozenClock, gateway: SmsEndpoint
) -> None:
    outbox, sender = await _codes_outbox(db, clock, emu, gateway, "gateway-token")
    gateway.down = True
    await outbox.start()
    try:
        await outbox.put_contact(
            "+79123456789", "", "code 123456", code="123456", expires_at=clock.now() + _MINUTES
        )
        # More failures than NOTICE_ATTEMPTS allow a notice: a code is kept until it expires.
        for tries in range(1, 5):
            await emu.wait_for(lambda n=tries: gateway.attempts >= n, timeout=10)
            clock.advance(seconds=1)
        gateway.down = False
        clock.advance(seconds=1)
        assert (await gateway.next(timeout=10))["code"] == "123456"
    finally:
        await outbox.stop()
        await sender.close()
    assert gateway.received == [gateway.received[0]]  # once delivered, never again


async def test_a_code_the_gateway_refuses_is_given_up_at_once(
    emu: BotApiEmulator, db: Database, clock: FrozenClock, gateway: SmsEndpoint, tmp_path: Path
) -> None:
    outbox, sender = await _codes_outbox(db, clock, emu, gateway, "a-wrong-token")
    await outbox.start()
    try:
        await outbox.put_contact(
            "+79123456789", "", "code 123456", code="123456", expires_at=clock.now() + _MINUTES
        )

        async def failed() -> str | None:
            row = await db.fetchone("SELECT failed FROM outbox")
            return row[0] if row and row[0] else None

        assert "refused" in await emu.wait_for(failed, timeout=10)
        clock.advance(seconds=60)
        await outbox.deliver_due()
    finally:
        await outbox.stop()
        await sender.close()
    assert gateway.attempts == 1  # a 401 is not tried again, in place or later


@pytest.mark.parametrize(("status", "for_good"), [(401, True), (429, False), (503, False)])
async def test_the_gateway_tells_a_refusal_from_a_busy_moment(status: int, for_good: bool) -> None:
    async def answer(request: web.Request) -> web.Response:
        return web.json_response({"error": "no"}, status=status)

    app = web.Application()
    app.router.add_post("/send", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    sender = SmsGateway(f"http://127.0.0.1:{port}/send", "token")
    try:
        with pytest.raises(DeliveryFailed) as failed:
            await sender.send("+79123456789", "sms", "123456", "code 123456")
    finally:
        await sender.close()
        await runner.cleanup()
    # Only a refusal is given up on; the rest the outbox tries again until the code expires.
    assert isinstance(failed.value, DeliveryRefused) is for_good
