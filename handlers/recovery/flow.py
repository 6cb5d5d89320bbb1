"""The recovery flow's two routers: what starts it, and its steps behind one check of its
state. Every module of the flow registers on these two: each router an update passes
costs aiogram a pass, whatever it holds."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot.ports.marketplace import Account
from bot.telegram.filters import TextButton
from bot.telegram.i18n import Texts
from bot.telegram.states import Recovery
from handlers.menu import show_menu

router = Router(name="handlers.recovery")
# A message from anyone outside the flow skips all of its steps at once.
in_flow = Router(name="handlers.recovery.in_flow")
in_flow.message.filter(StateFilter(Recovery))
router.include_router(in_flow)


@in_flow.message(TextButton("login-btn-cancel"))  # before any step
async def recovery_cancelled(
    message: Message, state: FSMContext, t: Texts, account: Account | None
) -> None:
    await state.clear()
    await show_menu(message, t, account, t("cancel-done"), drop_reply_keyboard=True)
