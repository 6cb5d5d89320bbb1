"""Last in line: whatever no flow understood still gets a useful answer."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.ports.marketplace import Account
from bot.telegram.i18n import Texts
from handlers.menu import show_menu
from handlers.taps import alert

router = Router(name=__name__)


@router.message()
async def anything(message: Message, t: Texts, account: Account | None) -> None:
    await show_menu(message, t, account, t("fallback-unknown"))


@router.callback_query()
async def stale_button(_query: CallbackQuery, t: Texts, callback_answer: CallbackAnswer) -> None:
    # Buttons from old messages or an older release land here.
    alert(callback_answer, t("button-stale"))
