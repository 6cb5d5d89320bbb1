"""Login by one-time code: where the code goes (a phone or an email), the code, and help
when it does not arrive."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot.telegram.filters import TextButton
from bot.telegram.i18n import Texts
from bot.telegram.states import Login
from handlers.login import code, destination
from handlers.menu import show_menu

router = Router(name=__name__)
# The steps of the flow sit behind one check of its state: a message from anyone
# outside the flow skips all of them at once instead of one filter at a time.
in_flow = Router(name=f"{__name__}.in_flow")
in_flow.message.filter(StateFilter(Login))
router.include_routers(destination.router, code.router, in_flow)
in_flow.include_routers(destination.steps, code.steps)


@in_flow.message(TextButton("login-btn-cancel"))
async def login_cancelled(message: Message, state: FSMContext, t: Texts) -> None:
    await state.clear()
    await show_menu(message, t, None, t("cancel-done"), drop_reply_keyboard=True)
