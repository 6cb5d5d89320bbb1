"""Filters shared by the flows."""

from __future__ import annotations

import re
from typing import Any

from aiogram.filters import Filter
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, Message

from bot.domain.values import Locale
from bot.ports.marketplace import Account
from bot.services.orders import OrderService
from bot.telegram.i18n import Translator
from bot.telegram.membership import AgentDirectory

# Longer messages are about something (they go to a ticket if one is open): not a saying.
_SAYING_LIMIT = 200


class TextButton(Filter):
    """A reply-keyboard button, pressed in whichever language it was shown."""

    def __init__(self, key: str) -> None:
        self.key = key

    async def __call__(self, message: Message, translator: Translator) -> bool:
        return message.text is not None and message.text in {
            translator(locale)(self.key) for locale in Locale
        }


class IsAgent(Filter):
    """A member of the forum the event is in (or an admin)."""

    async def __call__(self, event: Message | CallbackQuery, agents: AgentDirectory) -> bool:
        message = event.message if isinstance(event, CallbackQuery) else event
        if event.from_user is None or message is None:
            return False
        return await agents.is_agent(event.from_user.id, message.chat.id)


class NotCommand(Filter):
    """Neither text nor caption is a command, judged as aiogram's Command reads them:
    the first word of the text, or of the caption when there is no text."""

    async def __call__(self, message: Message) -> bool:
        return not (message.text or message.caption or "").lstrip().startswith("/")


class Says(Filter):
    """Short free text that matches a locale's list of words (a regular expression under
    `key`), in either language: what people type instead of pressing a button."""

    def __init__(self, key: str) -> None:
        self.key = key

    async def __call__(self, message: Message, translator: Translator) -> bool:
        text = (message.text or "").lower()
        if not text or len(text) > _SAYING_LIMIT:
            return False
        return any(re.search(translator(locale).plain(self.key), text) for locale in Locale)


class AsksForHuman(Says):
    """Free text that asks for a person, in either language (support-human-words)."""

    def __init__(self) -> None:
        super().__init__("support-human-words")


class OwnOrder(Filter):
    """A button about an order: hands the order to the handler when it is the customer's.

    Anything else (logged out since, someone else's number) falls through to the
    fallback's "this button is out of date".
    """

    async def __call__(
        self,
        query: CallbackQuery,
        callback_data: CallbackData,
        orders: OrderService,
        account: Account | None,
    ) -> bool | dict[str, Any]:
        number = getattr(callback_data, "number", None)
        if account is None or not isinstance(number, str):
            return False
        order = await orders.find(account.id, number)
        return {"order": order, "account": account} if order is not None else False
