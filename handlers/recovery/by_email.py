"""Recovery's email path: a code to the account's confirmed email proves the owner; no
email, or failing it, leads to the review path."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot.domain.phones import InvalidEmail, parse_email
from bot.domain.values import RecoveryMethod
from bot.services.codes import CodeError, CodeWrong, HourlyCapReached, NotACode, TooSoon
from bot.services.recovery import RecoveryService
from bot.telegram.filters import Says, TextButton
from bot.telegram.i18n import Texts
from bot.telegram.states import Recovery
from handlers.choices import unreadable
from handlers.login.prompts import not_a_code
from handlers.recovery import flow
from handlers.recovery.prompts import ask_new_phone, start_review

steps = flow.in_flow  # the flow's steps: behind its state check
_FAILURES_BEFORE_REVIEW = 2
_EMAIL_BUTTONS = ("recover-btn-no-email", "login-btn-cancel")


@steps.message(
    StateFilter(Recovery.email, Recovery.email_code), TextButton("recover-btn-no-email")
)
@steps.message(
    StateFilter(Recovery.email, Recovery.email_code),
    ~F.text.contains("@"),  # an address is an answer, whatever words it holds
    Says("recover-no-email-words"),
)
async def no_email(message: Message, state: FSMContext, t: Texts) -> None:
    await start_review(message, state, t)


@steps.message(Recovery.email, F.text)
async def email_entered(
    message: Message, state: FSMContext, t: Texts, recovery: RecoveryService
) -> None:
    try:
        email = parse_email(message.text or "")
    except InvalidEmail:
        await unreadable(message, state, t, t("recover-email-invalid"), _EMAIL_BUTTONS)
        return
    try:
        length = await recovery.send_email_code(message.chat.id, email, t.locale)
    except TooSoon as error:
        await message.answer(t("login-too-soon", seconds=error.seconds))
        return
    except HourlyCapReached as error:
        await message.answer(
            t("login-hourly-cap", minutes=error.minutes, hotline=t("help-hotline"))
        )
        return
    await state.update_data(path=RecoveryMethod.EMAIL)
    await state.set_state(Recovery.email_code)
    await message.answer(t("recover-code-sent", length=length))


@steps.message(Recovery.email_code, F.text)
async def email_code_entered(
    message: Message, state: FSMContext, t: Texts, recovery: RecoveryService
) -> None:
    try:
        account_id = await recovery.confirm_email(message.chat.id, message.text or "")
    except (NotACode, CodeWrong) as error:
        await message.answer(not_a_code(t, error))
        return
    except CodeError:
        failures = int((await state.get_data()).get("failures", 0)) + 1
        await state.update_data(failures=failures)
        if failures >= _FAILURES_BEFORE_REVIEW:
            await message.answer(t("recover-email-failed"))
            await start_review(message, state, t)
            return
        await state.set_state(Recovery.email)
        await message.answer(t("recover-code-again"))
        return
    await state.update_data(account_id=account_id)
    await ask_new_phone(message, state, t)
