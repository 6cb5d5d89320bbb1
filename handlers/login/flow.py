"""The login flow's two routers: commands and buttons that start it, and its steps
behind one check of its state. Every module of the flow registers on these two: each
router an update passes costs aiogram a pass, whatever it holds."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot.telegram.filters import TextButton
from bot.telegram.i18n import Texts
from bot.telegram.states import Login
from handlers.menu import show_menu

router = Router(name="handlers.login")
# A message from anyone outside the flow skips all of its steps at once.
in_flow = Router(name="handlers.login.in_flow")
in_flow.message.filter(StateFilter(Login))
router.include_router(in_flow)


@in_flow.message(TextButton("login-btn-cancel"))  # before any step
async def login_cancelled(message: Message, state: FSMContext, t: Texts) -> None:
    await state.clear()
    await show_menu(message, t, None, t("cancel-done"), drop_reply_keyboard=True)
