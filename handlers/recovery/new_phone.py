"""Recovery's new number, on either path: the number, then the code sent to it. On the
email path that schedules the change; on the review path the story comes next."""

from __future__ import annotations

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.types import Message, ReplyKeyboardRemove

from bot.domain.phones import InvalidPhone, mask, parse_phone
from bot.domain.values import Channel, RecoveryMethod
from bot.keyboards.recovery import cancel_change
from bot.services.codes import CodeError, CodeWrong, HourlyCapReached, NotACode, TooSoon
from bot.services.recovery import RecoveryService, TooManyRecoveries
from bot.settings import Settings
from bot.telegram.i18n import Texts
from bot.telegram.notices import due_date
from bot.telegram.states import Recovery
from handlers.login.prompts import not_a_code
from handlers.recovery import flow
from handlers.recovery.prompts import ask_new_phone, start_review

steps = flow.in_flow  # the flow's steps: behind its state check
_ECHO_LIMIT = 40  # how much of a bad input we quote back


@steps.message(Recovery.new_phone, F.contact | F.text)
async def new_phone_entered(
    message: Message,
    state: FSMContext,
    t: Texts,
    recovery: RecoveryService,
    settings: Settings,
) -> None:
    contact = message.contact
    if contact is not None and (
        message.from_user is None or contact.user_id != message.from_user.id
    ):
        await message.answer(t("login-contact-not-yours"))
        return
    raw = contact.phone_number if contact else (message.text or "")
    try:
        phone = parse_phone(
            raw if contact is None or raw.startswith("+") else f"+{raw}", settings.phone_region
        )
    except InvalidPhone:
        await message.answer(t("login-phone-invalid", text=raw[:_ECHO_LIMIT]))
        return
    try:
        await recovery.send_phone_code(message.chat.id, phone, Channel.SMS, t.locale)
    except (TooSoon, HourlyCapReached) as error:
        key = "login-too-soon" if isinstance(error, TooSoon) else "login-hourly-cap"
        await message.answer(
            t(
                key,
                seconds=getattr(error, "seconds", 0),
                minutes=getattr(error, "minutes", 0),
                hotline=t("help-hotline"),
            )
        )
        return
    await state.set_state(Recovery.phone_code)
    await message.answer(
        t("recover-phone-code-sent", shown=mask(phone)), reply_markup=ReplyKeyboardRemove()
    )


@steps.message(Recovery.phone_code, F.text)
async def phone_code_entered(
    message: Message, state: FSMContext, t: Texts, recovery: RecoveryService
) -> None:
    try:
        new_phone = await recovery.confirm_phone(message.chat.id, message.text or "")
    except (NotACode, CodeWrong) as error:
        await message.answer(not_a_code(t, error))
        return
    except CodeError:
        await message.answer(t("login-code-burned"))
        await ask_new_phone(message, state, t)
        return
    await state.update_data(new_phone=new_phone)
    data = await state.get_data()
    if data.get("path") == RecoveryMethod.EMAIL and data.get("account_id"):
        await _schedule(message, state, t, recovery, data["account_id"], new_phone)
        return
    await state.set_state(Recovery.description)
    await message.answer(t("recover-ask-description"))


async def _schedule(
    message: Message,
    state: FSMContext,
    t: Texts,
    recovery: RecoveryService,
    account_id: str,
    new_phone: str,
) -> None:
    try:
        scheduled = await recovery.schedule_by_email(
            message.chat.id, account_id, new_phone, t.locale
        )
    except TooManyRecoveries:
        await state.clear()
        await message.answer(t("recover-too-many", hotline=t("help-hotline")))
        return
    if scheduled is None:
        # The number belongs to another account: a person decides, and we say no more.
        await start_review(message, state, t)
        return
    await state.clear()
    await message.answer(
        t("recover-scheduled", phone=mask(new_phone), date=due_date(scheduled)),
        reply_markup=cancel_change(t, scheduled.id),
    )
