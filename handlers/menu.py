"""Showing the main menu: one helper, so every flow ends the same way."""

from __future__ import annotations

from aiogram.types import Message, ReplyKeyboardRemove

from bot.keyboards.menu import main_menu
from bot.ports.marketplace import Account
from bot.telegram.i18n import Texts


async def show_menu(
    message: Message,
    t: Texts,
    account: Account | None,
    text: str,
    *,
    drop_reply_keyboard: bool = False,
) -> None:
    """Answer `text` with the main menu.

    A message carries one keyboard: to take a flow's reply keyboard away, the text goes
    with the removal and the menu follows in a message of its own.
    """
    if drop_reply_keyboard:
        await message.answer(text, reply_markup=ReplyKeyboardRemove())
        await message.answer(t("menu-title"), reply_markup=main_menu(t, account))
    else:
        await message.answer(text, reply_markup=main_menu(t, account))
