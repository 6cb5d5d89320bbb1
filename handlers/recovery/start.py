"""Recovery's start: /recover and its buttons, and the change on its way, shown or
cancelled."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.domain.phones import mask
from bot.domain.values import RecoveryStatus
from bot.keyboards.login import LoginAction, LoginCb
from bot.keyboards.menu import MenuAction, MenuCb
from bot.keyboards.recovery import RecoveryCancelCb, cancel_change, email_prompt
from bot.ports.marketplace import Account
from bot.services.recovery import (
    RecoveryApplied,
    RecoveryCancelled,
    RecoveryError,
    RecoveryService,
    TooManyRecoveries,
)
from bot.settings import Settings
from bot.telegram.i18n import Texts
from bot.telegram.notices import due_date
from bot.telegram.states import Recovery
from handlers.menu import show_menu
from handlers.recovery import flow
from handlers.taps import alert
from storage.recovery import Recovery as PhoneChange

router = flow.router


@router.message(Command("recover"))
async def cmd_recover(
    message: Message,
    state: FSMContext,
    t: Texts,
    recovery: RecoveryService,
    settings: Settings,
) -> None:
    pending = await recovery.pending(message.chat.id)
    if pending is not None:
        await _show_pending(message, t, pending)
        return
    try:
        await recovery.check_allowed(message.chat.id)
    except TooManyRecoveries:
        await message.answer(t("recover-too-many", hotline=t("help-hotline")))
        return
    await state.set_data({})
    await state.set_state(Recovery.email)
    await message.answer(t("recover-intro", days=settings.recovery_hold_days))
    await message.answer(t("recover-ask-email"), reply_markup=email_prompt(t))


@router.callback_query(MenuCb.filter(F.action == MenuAction.RECOVERY))
@router.callback_query(StateFilter("*"), LoginCb.filter(F.action == LoginAction.LOST_NUMBER))
async def recovery_button(
    query: CallbackQuery,
    state: FSMContext,
    t: Texts,
    recovery: RecoveryService,
    settings: Settings,
) -> None:
    if isinstance(query.message, Message):
        await cmd_recover(query.message, state, t, recovery, settings)


async def _show_pending(message: Message, t: Texts, pending: PhoneChange) -> None:
    if pending.status == RecoveryStatus.SCHEDULED and pending.due_at is not None:
        await message.answer(
            t("recover-pending-scheduled", phone=mask(pending.new_phone), date=due_date(pending)),
            reply_markup=cancel_change(t, pending.id),
        )
    else:
        await message.answer(
            t("recover-pending-review", id=pending.ticket_id or 0),
            reply_markup=cancel_change(t, pending.id),
        )


@router.callback_query(RecoveryCancelCb.filter())
async def cancel_pressed(
    query: CallbackQuery,
    callback_data: RecoveryCancelCb,
    t: Texts,
    recovery: RecoveryService,
    account: Account | None,
    callback_answer: CallbackAnswer,
) -> None:
    try:
        await recovery.cancel(callback_data.recovery_id, query.from_user.id)
    except RecoveryCancelled:
        alert(callback_answer, t("recover-cancel-was-cancelled"))
        return
    except RecoveryApplied:
        alert(callback_answer, t("recover-cancel-applied", hotline=t("help-hotline")))
        return
    except RecoveryError:
        alert(callback_answer, t("recover-cancel-failed"))
        return
    if isinstance(query.message, Message):
        await show_menu(query.message, t, account, t("recover-cancelled"))
