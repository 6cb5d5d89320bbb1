"""aiogram's ``Response[<result type>]`` classes kept alive for the process.

aiogram validates every answer of Telegram as ``Response[method.__returning__]``
(``BaseSession.check_response``). pydantic keeps parametrized generic classes only
weakly, so each was collected soon after use and built again for a later call: 7 % of
the bot's CPU. Holding one per method type makes pydantic's own cache hit.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType


class KeepResponseTypes(BaseRequestMiddleware):
    def __init__(self) -> None:
        self._kept: dict[type, Any] = {}

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        kind = type(method)
        if kind not in self._kept:
            self._kept[kind] = Response[method.__returning__]  # type: ignore[name-defined]
        return await make_request(bot, method)
