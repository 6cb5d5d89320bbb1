"""Access recovery, the customer's side: email path, review path, cancel."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove
from aiogram.utils.callback_answer import CallbackAnswer

from bot.domain.phones import InvalidEmail, InvalidPhone, mask, parse_email, parse_phone
from bot.keyboards.login import LoginAction, LoginCb
from bot.keyboards.menu import MenuAction, MenuCb
from bot.keyboards.recovery import (
    RecoverCancelCb,
    cancel_change,
    email_prompt,
    new_phone_request,
)
from bot.ports.marketplace import Account
from bot.services.codes import CodeError, CodeWrong, HourlyCapReached, NotACode, TooSoon
from bot.services.orders import parse_number
from bot.services.recovery import (
    Evidence,
    RecoveryApplied,
    RecoveryCancelled,
    RecoveryError,
    RecoveryService,
    TooManyRecoveries,
    normal_name,
)
from bot.services.tickets import Banned, TicketService, Written
from bot.settings import Settings
from bot.telegram.filters import Says, TextButton
from bot.telegram.i18n import Texts
from bot.telegram.states import Recover
from handlers.choices import unreadable
from handlers.convert import person
from handlers.login import not_a_code
from handlers.menu import show_menu
from handlers.taps import alert
from storage.recovery import Recovery

router = Router(name=__name__)
# The steps of the flow sit behind one check of its state: a message from anyone
# outside the flow skips all of them at once instead of one filter at a time.
in_flow = Router(name=f"{__name__}.in_flow")
in_flow.message.filter(StateFilter(Recover))
router.include_router(in_flow)
_NAME_LIMIT = 100
_NAME_LEAST = 2  # letters: a one-letter "name" matches nothing worth checking
_FAILURES_BEFORE_REVIEW = 2
_EMAIL_BUTTONS = ("recover-btn-no-email", "login-btn-cancel")


@router.message(Command("recover"))
async def cmd_recover(
    message: Message,
    state: FSMContext,
    t: Texts,
    recovery: RecoveryService,
    tickets: TicketService,
    settings: Settings,
) -> None:
    pending = await recovery.pending(message.chat.id)
    if pending is not None:
        await _show_pending(message, t, pending, tickets)
        return
    try:
        await recovery.check_allowed(message.chat.id)
    except TooManyRecoveries:
        await message.answer(t("recover-too-many", hotline=t("help-hotline")))
        return
    await state.set_data({})
    await state.set_state(Recover.email)
    await message.answer(t("recover-intro", days=settings.recovery_hold_days))
    await message.answer(t("recover-ask-email"), reply_markup=email_prompt(t))


@router.callback_query(MenuCb.filter(F.action == MenuAction.RECOVER))
@router.callback_query(StateFilter("*"), LoginCb.filter(F.action == LoginAction.LOST_NUMBER))
async def recover_button(
    query: CallbackQuery,
    state: FSMContext,
    t: Texts,
    recovery: RecoveryService,
    tickets: TicketService,
    settings: Settings,
) -> None:
    if isinstance(query.message, Message):
        await cmd_recover(query.message, state, t, recovery, tickets, settings)


async def _show_pending(
    message: Message, t: Texts, pending: Recovery, tickets: TicketService
) -> None:
    if pending.status == "scheduled" and pending.due_at is not None:
        await message.answer(
            t("recover-pending-scheduled", phone=mask(pending.new_phone), date=_date(pending)),
            reply_markup=cancel_change(t, pending.id),
        )
    else:
        await message.answer(
            t("recover-pending-review", id=pending.ticket_id or 0),
            reply_markup=cancel_change(t, pending.id),
        )


@in_flow.message(TextButton("login-btn-cancel"))
async def recover_cancelled(
    message: Message, state: FSMContext, t: Texts, account: Account | None
) -> None:
    await state.clear()
    await show_menu(message, t, account, t("cancel-done"), drop_reply_keyboard=True)


@in_flow.message(
    StateFilter(Recover.email, Recover.email_code), TextButton("recover-btn-no-email")
)
@in_flow.message(
    StateFilter(Recover.email, Recover.email_code),
    ~F.text.contains("@"),  # an address is an answer, whatever words it holds
    Says("recover-no-email-words"),
)
async def no_email(message: Message, state: FSMContext, t: Texts) -> None:
    await _start_review(message, state, t)


async def _start_review(message: Message, state: FSMContext, t: Texts) -> None:
    await state.update_data(path="review")
    await state.set_state(Recover.name)
    await message.answer(t("recover-review-intro"), reply_markup=_no_keyboard())
    await message.answer(t("recover-ask-name"))


def _no_keyboard() -> ReplyKeyboardRemove:
    return ReplyKeyboardRemove()


@in_flow.message(Recover.email, F.text)
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
    await state.update_data(path="email")
    await state.set_state(Recover.email_code)
    await message.answer(t("recover-code-sent", length=length))


@in_flow.message(Recover.email_code, F.text)
async def email_code_entered(
    message: Message, state: FSMContext, t: Texts, recovery: RecoveryService
) -> None:
    try:
        account_id = await recovery.confirm_email(message.chat.id, message.text or "")
    except NotACode as error:
        await message.answer(not_a_code(t, error))
        return
    except CodeWrong as error:
        await message.answer(t("login-code-wrong", left=error.attempts_left))
        return
    except CodeError:
        failures = int((await state.get_data()).get("failures", 0)) + 1
        await state.update_data(failures=failures)
        if failures >= _FAILURES_BEFORE_REVIEW:
            await message.answer(t("recover-email-failed"))
            await _start_review(message, state, t)
            return
        await state.set_state(Recover.email)
        await message.answer(t("recover-code-again"))
        return
    await state.update_data(account_id=account_id)
    await _ask_new_phone(message, state, t)


async def _ask_new_phone(message: Message, state: FSMContext, t: Texts) -> None:
    await state.set_state(Recover.new_phone)
    # Only the email path has confirmed an email; the review path must not claim it.
    path = (await state.get_data()).get("path")
    key = "recover-ask-new-phone" if path == "email" else "recover-ask-new-phone-review"
    await message.answer(t(key), reply_markup=new_phone_request(t))


@in_flow.message(Recover.new_phone, F.contact | F.text)
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
        await message.answer(t("login-phone-invalid", text=raw[:40]))
        return
    try:
        await recovery.send_phone_code(message.chat.id, phone, "sms", t.locale)
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
    await state.set_state(Recover.phone_code)
    await message.answer(
        t("recover-phone-code-sent", shown=mask(phone)), reply_markup=_no_keyboard()
    )


@in_flow.message(Recover.phone_code, F.text)
async def phone_code_entered(
    message: Message,
    state: FSMContext,
    t: Texts,
    recovery: RecoveryService,
    account: Account | None,
) -> None:
    try:
        new_phone = await recovery.confirm_phone(message.chat.id, message.text or "")
    except NotACode as error:
        await message.answer(not_a_code(t, error))
        return
    except CodeWrong as error:
        await message.answer(t("login-code-wrong", left=error.attempts_left))
        return
    except CodeError:
        await message.answer(t("login-code-burned"))
        await _ask_new_phone(message, state, t)
        return
    await state.update_data(new_phone=new_phone)
    data = await state.get_data()
    if data.get("path") == "email" and data.get("account_id"):
        try:
            scheduled = await recovery.schedule_by_email(
                message.chat.id, data["account_id"], new_phone, t.locale
            )
        except TooManyRecoveries:
            await state.clear()
            await message.answer(t("recover-too-many", hotline=t("help-hotline")))
            return
        if scheduled is not None:
            await state.clear()
            await message.answer(
                t("recover-scheduled", phone=mask(new_phone), date=_date(scheduled)),
                reply_markup=cancel_change(t, scheduled.id),
            )
            return
        # The number belongs to another account: a person decides, and we say no more.
        await _start_review(message, state, t)
        return
    await state.set_state(Recover.description)
    await message.answer(t("recover-ask-description"))


@in_flow.message(Recover.name, F.text)
async def name_entered(message: Message, state: FSMContext, t: Texts) -> None:
    name = " ".join((message.text or "").split())
    letters = normal_name(name).replace(" ", "")
    if len(letters) < _NAME_LEAST or len(name) > _NAME_LIMIT or name.startswith("/"):
        await message.answer(t("recover-name-invalid"))
        return
    await state.update_data(name=name)
    await state.set_state(Recover.order)
    await message.answer(t("recover-ask-order"))


@in_flow.message(Recover.order, F.text)
async def order_entered(message: Message, state: FSMContext, t: Texts) -> None:
    number = parse_number(message.text or "")
    if number is None:
        await message.answer(t("recover-order-invalid"))
        return
    await state.update_data(order=number)
    await state.set_state(Recover.old_phone)
    await message.answer(t("recover-ask-old-phone"))


@in_flow.message(Recover.old_phone, F.text)
async def old_phone_entered(
    message: Message, state: FSMContext, t: Texts, settings: Settings
) -> None:
    try:
        old_phone = parse_phone(message.text or "", settings.phone_region)
    except InvalidPhone:
        await message.answer(t("login-phone-invalid", text=(message.text or "")[:40]))
        return
    await state.update_data(old_phone=old_phone)
    if (await state.get_data()).get("new_phone"):
        await state.set_state(Recover.description)
        await message.answer(t("recover-ask-description"))
        return
    await _ask_new_phone(message, state, t)


@in_flow.message(Recover.description, F.text)
async def description_entered(
    message: Message, state: FSMContext, t: Texts, recovery: RecoveryService
) -> None:
    data = await state.get_data()
    await state.clear()
    evidence = Evidence(
        data.get("name", ""), data.get("order", ""), data.get("old_phone", ""), message.text or ""
    )
    summary = Written("text", message.chat.id, message.message_id, text=message.text)
    try:
        _, opened = await recovery.open_review(
            person(message), data.get("new_phone", ""), evidence, t.locale, summary
        )
    except TooManyRecoveries:
        await message.answer(t("recover-too-many", hotline=t("help-hotline")))
        return
    except Banned:
        await message.answer(t("support-banned", hotline=t("help-hotline")))
        return
    await message.answer(t("recover-review-sent", id=opened.ticket.id))


@in_flow.message()
async def recover_text_only(message: Message, t: Texts) -> None:
    await message.answer(t("recover-text-only"))


@router.callback_query(RecoverCancelCb.filter())
async def cancel_pressed(
    query: CallbackQuery,
    callback_data: RecoverCancelCb,
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


def _date(pending: Recovery) -> str:
    return pending.due_at.strftime("%d.%m.%Y") if pending.due_at else "—"
