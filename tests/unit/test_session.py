"""What the bot puts on the wire: JSON bodies, and aiogram's multipart for uploads."""

from __future__ import annotations

import json

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.methods import SendMessage, SendPhoto
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from bot.delivery.session import JsonSession

TOKEN = "42:TEST"


def _bot(session: JsonSession) -> Bot:
    return Bot(TOKEN, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))


def test_a_message_goes_as_json_with_defaults_applied_and_nested_objects_kept() -> None:
    session = JsonSession()
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Мои заказы", callback_data="m:orders")]]
    )
    method = SendMessage(chat_id=7, text="<b>Привет</b> & 0", reply_markup=markup)
    body = session.json_body(_bot(session), method)
    assert body is not None
    sent = json.loads(body)
    assert sent["chat_id"] == 7
    assert sent["text"] == "<b>Привет</b> & 0"
    assert sent["parse_mode"] == "HTML"  # the bot's default, resolved
    assert sent["reply_markup"] == {
        "inline_keyboard": [[{"text": "Мои заказы", "callback_data": "m:orders"}]]
    }
    assert None not in sent.values()


def test_a_call_with_a_file_to_upload_is_left_to_aiogram_multipart() -> None:
    session = JsonSession()
    photo = BufferedInputFile(b"\x89PNG...", filename="receipt.png")
    assert session.json_body(_bot(session), SendPhoto(chat_id=7, photo=photo)) is None
    assert session.json_body(_bot(session), SendPhoto(chat_id=7, photo="file-id")) is not None
