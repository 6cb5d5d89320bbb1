"""Filters shared by the flows."""

from __future__ import annotations

from aiogram.filters import Filter
from aiogram.types import Message

from bot.i18n import Translator
from bot.settings import LOCALES


class TextButton(Filter):
    """A reply-keyboard button, pressed in whichever language it was shown."""

    def __init__(self, key: str) -> None:
        self.key = key

    async def __call__(self, message: Message, translator: Translator) -> bool:
        return message.text is not None and message.text in {
            translator(locale)(self.key) for locale in LOCALES
        }
