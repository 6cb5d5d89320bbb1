"""Moving between the recovery's steps, shared by its paths."""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.types import Message, ReplyKeyboardRemove

from bot.domain.values import RecoveryMethod
from bot.keyboards.recovery import new_phone_request
from bot.telegram.i18n import Texts
from bot.telegram.states import Recovery


async def start_review(message: Message, state: FSMContext, t: Texts) -> None:
    """A person will decide: the review path asks what only the owner would know."""
    await state.update_data(path=RecoveryMethod.REVIEW)
    await state.set_state(Recovery.name)
    await message.answer(t("recover-review-intro"), reply_markup=ReplyKeyboardRemove())
    await message.answer(t("recover-ask-name"))


async def ask_new_phone(message: Message, state: FSMContext, t: Texts) -> None:
    await state.set_state(Recovery.new_phone)
    # Only the email path has confirmed an email; the review path must not claim it.
    path = (await state.get_data()).get("path")
    email = path == RecoveryMethod.EMAIL
    key = "recover-ask-new-phone" if email else "recover-ask-new-phone-review"
    await message.answer(t(key), reply_markup=new_phone_request(t))
