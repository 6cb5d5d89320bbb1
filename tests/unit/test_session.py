"""What the bot puts on the wire: aiogram's forms, or JSON bodies (json_bodies), the
same call either way; the JSON form of a call the answers keep until their commit."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.enums import ParseMode
from aiogram.methods import SendMessage, SendPhoto
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from bot import speedups
from bot.delivery.session import json_body
from bot.speedups.json_bodies import JsonSession
from bot.speedups.response_types import KeepResponseTypes
from emulator import BotApiEmulator

TOKEN = "42:TEST"
CUSTOMER = 501
MARKUP = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text="Мои заказы", callback_data="m:orders")]]
)


def _bot(session: AiohttpSession, token: str = TOKEN) -> Bot:
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))


def test_a_message_goes_as_json_with_defaults_applied_and_nested_objects_kept() -> None:
    session = AiohttpSession()
    method = SendMessage(chat_id=7, text="<b>Привет</b> & 0", reply_markup=MARKUP)
    body = json_body(session, _bot(session), method)
    assert body is not None
    sent = json.loads(body)
    assert sent["chat_id"] == 7
    assert sent["text"] == "<b>Привет</b> & 0"
    assert sent["parse_mode"] == "HTML"  # the bot's default, resolved
    assert sent["reply_markup"] == {
        "inline_keyboard": [[{"text": "Мои заказы", "callback_data": "m:orders"}]]
    }
    assert None not in sent.values()


def test_a_call_with_a_file_to_upload_has_no_json_form() -> None:
    session = AiohttpSession()
    photo = BufferedInputFile(b"\x89PNG...", filename="receipt.png")
    assert json_body(session, _bot(session), SendPhoto(chat_id=7, photo=photo)) is None
    assert json_body(session, _bot(session), SendPhoto(chat_id=7, photo="file-id")) is not None


def test_without_the_speed_ups_the_session_is_aiograms_own() -> None:
    plain = speedups.session(speedups.parse("off"), None)
    assert type(plain) is AiohttpSession
    assert list(plain.middleware) == []
    fast = speedups.session(speedups.parse("on"), "http://127.0.0.1:1")
    assert isinstance(fast, JsonSession)
    assert [type(m) for m in fast.middleware] == [KeepResponseTypes]
    assert fast.api.base == "http://127.0.0.1:1/bot{token}/{method}"


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emulator:
        emulator.add_user(CUSTOMER, "Anna", language_code="ru")
        yield emulator


@pytest.mark.parametrize("kept", ["on", "off", "json_bodies"])
async def test_a_call_arrives_the_same_as_json_or_as_a_form(
    emu: BotApiEmulator, kept: str
) -> None:
    bot = _bot(speedups.session(speedups.parse(kept), emu.base_url), emu.token)
    try:
        sent = await bot.send_message(CUSTOMER, "<b>Привет</b> &amp; 0", reply_markup=MARKUP)
        photo = BufferedInputFile(b"\x89PNG\r\n\x1a\n", filename="receipt.png")
        await bot.send_photo(CUSTOMER, photo, caption="чек")  # multipart either way
    finally:
        await bot.session.close()
    assert sent.text == "Привет & 0"
    assert sent.reply_markup is not None
    assert sent.reply_markup.inline_keyboard[0][0].callback_data == "m:orders"
    message, upload = emu.calls[-2:]
    assert message.params["parse_mode"] == "HTML"
    assert message.params["text"] == "<b>Привет</b> &amp; 0"
    assert upload.method == "sendPhoto"
    assert upload.params["caption"] == "чек"
