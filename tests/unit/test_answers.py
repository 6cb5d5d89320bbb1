"""What a handler sends leaves after its transaction commits, from what it recorded."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import GetMe, SendMessage, TelegramMethod

from bot.delivery.answers import Answers
from bot.delivery.session import json_body
from storage.answers import AnswerRepo
from storage.db import Database


class Telegram:
    """Last on the session: remembers the calls that reached it, refuses on request."""

    def __init__(self) -> None:
        self.calls: list[TelegramMethod[Any]] = []
        self.refuse: set[str] = set()

    async def __call__(self, make_request: Any, bot: Bot, method: TelegramMethod[Any]) -> Any:
        self.calls.append(method)
        if getattr(method, "text", None) in self.refuse:
            raise TelegramBadRequest(method, "Bad Request: odd")
        return True


def _wired(db: Database) -> tuple[Answers, Bot, Telegram]:
    bot = Bot("42:TEST", session=AiohttpSession(), default=DefaultBotProperties(parse_mode="HTML"))
    answers, telegram = Answers(db, AnswerRepo(db)), Telegram()
    answers.install(bot)
    bot.session.middleware(telegram)
    return answers, bot, telegram


def _texts(telegram: Telegram) -> list[str]:
    return [c.text for c in telegram.calls if isinstance(c, SendMessage)]


async def test_a_handlers_sends_wait_for_its_commit_and_go_in_order(db: Database) -> None:
    answers, bot, telegram = _wired(db)
    async with answers.transaction(1, {}):
        assert await bot.send_message(7, "one") is None
        await bot.send_message(7, "two")
        assert await bot(GetMe()) is True  # a read goes at once
        assert _texts(telegram) == []
    assert _texts(telegram) == ["one", "two"]
    assert await AnswerRepo(db).all() == []  # each removed once sent


async def test_a_failed_handler_sends_nothing(db: Database) -> None:
    answers, bot, telegram = _wired(db)
    with pytest.raises(RuntimeError):
        async with answers.transaction(1, {}):
            await bot.send_message(7, "half an answer")
            raise RuntimeError("the handler failed")
    assert telegram.calls == []
    assert await AnswerRepo(db).all() == []


async def test_what_a_crash_left_unsent_goes_once_at_the_next_start(db: Database) -> None:
    answers, bot, telegram = _wired(db)
    for text in ("sent before the crash", "left"):
        body = json_body(bot.session, bot, SendMessage(chat_id=7, text=text))
        assert body is not None
        await AnswerRepo(db).add(1, "sendMessage", body.decode())
    first = (await AnswerRepo(db).all())[0]
    await AnswerRepo(db).sent(first.id)

    await answers.send_left()
    await answers.send_left()
    assert _texts(telegram) == ["left"]
    assert telegram.calls[0].parse_mode == "HTML"  # sent as it was recorded


async def test_a_refused_post_is_raised_after_the_rest_is_sent(db: Database) -> None:
    answers, bot, telegram = _wired(db)
    telegram.refuse = {"odd"}
    with pytest.raises(TelegramBadRequest):
        async with answers.transaction(1, {}):
            await bot.send_message(7, "odd")
            await bot.send_message(7, "after")
    assert _texts(telegram) == ["odd", "after"]
    assert await AnswerRepo(db).all() == []
