"""Access recovery after a number change, the customer's side. /recover starts it; the
email path proves the owner by a code to the account's email, the review path by what
an agent checks; either ends with the new number confirmed by a code."""

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
from handlers.recovery import by_email, new_phone, review, start

router = Router(name=__name__)
# The steps of the flow sit behind one check of its state: a message from anyone
# outside the flow skips all of them at once instead of one filter at a time.
in_flow = Router(name=f"{__name__}.in_flow")
in_flow.message.filter(StateFilter(Recovery))
anything_else = Router(name=f"{__name__}.anything_else")  # after every step
router.include_routers(start.router, in_flow)
in_flow.include_routers(by_email.steps, new_phone.steps, review.steps, anything_else)


@in_flow.message(TextButton("login-btn-cancel"))
async def recovery_cancelled(
    message: Message, state: FSMContext, t: Texts, account: Account | None
) -> None:
    await state.clear()
    await show_menu(message, t, account, t("cancel-done"), drop_reply_keyboard=True)


@anything_else.message()
async def recovery_text_only(message: Message, t: Texts) -> None:
    await message.answer(t("recover-text-only"))
