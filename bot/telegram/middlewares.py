"""Who is writing: their profile, their texts as `t`, and their linked account."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, User

from bot.services.customers import CustomerService
from bot.services.login import LoginService
from bot.telegram.i18n import Texts, Translator
from storage.customers import Customer

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class CustomerMiddleware(BaseMiddleware):
    def __init__(
        self, customers: CustomerService, login: LoginService, translator: Translator
    ) -> None:
        self._customers = customers
        self._login = login
        self._translator = translator

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        data["account"] = None
        if user is None or user.is_bot:
            data["t"] = self._translator(self._translator.default)
            return await handler(event, data)
        customer = await self._customers.seen(
            Customer(
                user.id, user.first_name, user.last_name, user.username, user.language_code, None
            )
        )
        data["customer"] = customer
        data["t"] = self._translator(self._customers.locale_of(customer))
        data["account"] = await self._login.account_of(user.id)
        return await handler(event, data)


class ForumTexts(BaseMiddleware):
    """The agents' forum is one room: everything there speaks the forum's language."""

    def __init__(self, texts: Texts) -> None:
        self._texts = texts

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        data["t"] = self._texts
        return await handler(event, data)
