"""Login by one-time code: phone or email, the code, and help when it does not arrive."""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.domain.phones import InvalidEmail, InvalidPhone, mask, parse_email, parse_phone
from bot.keyboards.login import (
    LoginAction,
    LoginCb,
    new_code,
    no_code,
    phone_request,
    with_cancel,
)
from bot.keyboards.menu import MenuAction, MenuCb
from bot.ports.marketplace import Account
from bot.services.codes import (
    CodeBurned,
    CodeExpired,
    CodeWrong,
    DestinationCapped,
    HourlyCapReached,
    NoCode,
    NotACode,
    RequesterLocked,
    TooSoon,
)
from bot.services.login import ChannelOff, LoginService
from bot.services.orders import OrderService
from bot.settings import Settings
from bot.telegram.filters import TextButton
from bot.telegram.i18n import Texts
from bot.telegram.states import Login
from handlers.choices import unreadable
from handlers.menu import show_menu
from handlers.orders_views import show_orders
from handlers.taps import alert

router = Router(name=__name__)
# The steps of the flow sit behind one check of its state: a message from anyone
# outside the flow skips all of them at once instead of one filter at a time.
in_flow = Router(name=f"{__name__}.in_flow")
in_flow.message.filter(StateFilter(Login))
router.include_router(in_flow)
log = logging.getLogger(__name__)
_ECHO_LIMIT = 40  # how much of a bad input we quote back
_PHONE_BUTTONS = ("login-btn-share-contact", "login-btn-by-email", "login-btn-cancel")


async def start_login(
    message: Message, state: FSMContext, t: Texts, *, then: str | None = None
) -> None:
    """Ask for the phone; `then` names the flow to return to after a successful login."""
    await state.set_data({"then": then} if then else {})
    await _ask_phone(message, state, t)


async def _ask_phone(message: Message, state: FSMContext, t: Texts) -> None:
    await state.set_state(Login.phone)
    await message.answer(t("login-ask-phone"), reply_markup=phone_request(t))


async def _ask_email(message: Message, state: FSMContext, t: Texts) -> None:
    await state.set_state(Login.email)
    await message.answer(t("login-ask-email"), reply_markup=with_cancel(t))


@router.message(Command("login"))
async def cmd_login(
    message: Message, state: FSMContext, t: Texts, account: Account | None
) -> None:
    if account is not None:
        await show_menu(message, t, account, t("login-already", name=account.name))
        return
    await start_login(message, state, t)


@router.callback_query(MenuCb.filter(F.action == MenuAction.LOGIN))
async def menu_login(
    query: CallbackQuery, state: FSMContext, t: Texts, account: Account | None
) -> None:
    if isinstance(query.message, Message):
        await cmd_login(query.message, state, t, account)


@router.message(Command("logout"))
async def cmd_logout(message: Message, state: FSMContext, t: Texts, login: LoginService) -> None:
    await state.clear()
    key = "login-logged-out" if await login.logout(message.chat.id) else "login-not-logged-in"
    await show_menu(message, t, None, t(key), drop_reply_keyboard=True)


@in_flow.message(TextButton("login-btn-cancel"))
async def login_cancelled(message: Message, state: FSMContext, t: Texts) -> None:
    await state.clear()
    await show_menu(message, t, None, t("cancel-done"), drop_reply_keyboard=True)


@in_flow.message(Login.phone, TextButton("login-btn-by-email"))
async def email_chosen(message: Message, state: FSMContext, t: Texts) -> None:
    await _ask_email(message, state, t)


@in_flow.message(Login.phone, F.contact)
async def contact_shared(
    message: Message, state: FSMContext, t: Texts, login: LoginService, settings: Settings
) -> None:
    contact = message.contact
    if contact is None or message.from_user is None or contact.user_id != message.from_user.id:
        await message.answer(t("login-contact-not-yours"), reply_markup=phone_request(t))
        return
    raw = contact.phone_number
    try:
        phone = parse_phone(raw if raw.startswith("+") else f"+{raw}", settings.phone_region)
    except InvalidPhone:
        await message.answer(t("login-phone-invalid", text=raw[:_ECHO_LIMIT]))
        return
    await _send(message, state, t, login, channel="sms", destination=phone)


@in_flow.message(Login.phone, F.text)
async def phone_entered(
    message: Message, state: FSMContext, t: Texts, login: LoginService, settings: Settings
) -> None:
    text = message.text or ""
    try:
        phone = parse_phone(text, settings.phone_region)
    except InvalidPhone:
        said = t("login-phone-invalid", text=text[:_ECHO_LIMIT])
        await unreadable(message, state, t, said, _PHONE_BUTTONS)
        return
    await _send(message, state, t, login, channel="sms", destination=phone)


@in_flow.message(Login.phone)
async def phone_invalid(message: Message, t: Texts) -> None:
    await message.answer(t("login-phone-only-text"), reply_markup=phone_request(t))


@in_flow.message(Login.email, F.text)
async def email_entered(
    message: Message, state: FSMContext, t: Texts, login: LoginService
) -> None:
    text = message.text or ""
    try:
        email = parse_email(text)
    except InvalidEmail:
        await message.answer(t("login-email-invalid"))
        return
    await _send(message, state, t, login, channel="email", destination=email)


@in_flow.message(Login.email)
async def email_invalid(message: Message, t: Texts) -> None:
    await message.answer(t("login-email-only-text"))


@in_flow.message(Login.code, TextButton("login-btn-no-code"))
async def no_code_asked(
    message: Message, state: FSMContext, t: Texts, login: LoginService
) -> None:
    data = await state.get_data()
    wait = await login.cooldown_left(message.chat.id)
    await message.answer(
        t("login-no-code-tips", shown=data.get("shown", "")),
        reply_markup=no_code(t, data.get("channel", "sms"), wait),
    )


@in_flow.message(Login.code, F.text)
async def code_entered(
    message: Message, state: FSMContext, t: Texts, login: LoginService, orders: OrderService
) -> None:
    data = await state.get_data()
    try:
        account = await login.confirm(message.chat.id, message.text or "")
    except NotACode as error:
        await message.answer(not_a_code(t, error))
        return
    except CodeWrong as error:
        await message.answer(t("login-code-wrong", left=error.attempts_left))
        return
    except (CodeExpired, CodeBurned, NoCode) as error:
        key = {CodeExpired: "login-code-expired", CodeBurned: "login-code-burned"}.get(
            type(error), "login-code-none"
        )
        await message.answer(t(key), reply_markup=new_code(t))
        return
    await state.clear()
    await show_menu(
        message, t, account, t("login-welcome", name=account.name), drop_reply_keyboard=True
    )
    if data.get("then") == "orders":  # the customer came here from "My orders"
        await show_orders(message, t, orders, account)


def not_a_code(t: Texts, error: NotACode) -> str:
    """What to say to text that cannot be the code; every code step says the same."""
    key = "login-code-length" if error.has_digits else "login-code-only-digits"
    return t(key, length=error.length)


@in_flow.message(Login.code)
async def code_invalid(message: Message, state: FSMContext, t: Texts) -> None:
    length = int((await state.get_data()).get("length", 6))
    await message.answer(t("login-code-only-digits", length=length))


@router.callback_query(Login.code, LoginCb.filter())
async def no_code_action(
    query: CallbackQuery,
    callback_data: LoginCb,
    state: FSMContext,
    t: Texts,
    login: LoginService,
    callback_answer: CallbackAnswer,
) -> None:
    message = query.message
    if not isinstance(message, Message):
        return
    data = await state.get_data()
    action = callback_data.action
    if action == LoginAction.NO_CODE:
        await no_code_asked(message, state, t, login)
    elif action == LoginAction.BY_EMAIL:
        await _ask_email(message, state, t)
    elif action == LoginAction.LOST_NUMBER:
        callback_answer.disable()  # access recovery takes it from here, and answers it
        raise SkipHandler
    else:
        channel = {LoginAction.BY_CALL: "call", LoginAction.BY_SMS: "sms"}.get(
            action, data.get("channel", "")
        )
        destination = data.get("destination", "")
        # An old button must not send a call to an email address, or anything to nowhere.
        if not destination or ("@" in destination) != (channel == "email"):
            alert(callback_answer, t("button-stale"))
            return
        await _send(
            message,
            state,
            t,
            login,
            channel=channel,
            destination=destination,
            callback_answer=callback_answer,
        )


async def _send(
    message: Message,
    state: FSMContext,
    t: Texts,
    login: LoginService,
    *,
    channel: str,
    destination: str,
    callback_answer: CallbackAnswer | None = None,
) -> None:
    """Ask for a code and move to Login.code; limits are explained, not hidden."""
    try:
        sent = await login.send_code(message.chat.id, channel, destination, t.locale)
    except TooSoon as error:
        text = t("login-too-soon", seconds=error.seconds)
        if callback_answer is not None:
            alert(callback_answer, text)
        else:
            await message.answer(text)
        return
    except HourlyCapReached as error:
        await message.answer(_refused(t, error, destination))
        return
    except ChannelOff as error:
        if error.channel == "email":
            await message.answer(t("login-channel-off-email"))
            await _ask_phone(message, state, t)
        else:
            await message.answer(t("login-channel-off-phone"))
            await _ask_email(message, state, t)
        return
    # Data first: a crash between the two writes must not leave Login.code without it.
    await state.update_data(
        {
            "channel": channel,
            "destination": destination,
            "shown": sent.shown,
            "length": sent.code_length,
        }
    )
    await state.set_state(Login.code)
    await message.answer(
        t(f"login-code-sent-{channel}", shown=sent.shown, minutes=sent.ttl_minutes),
        reply_markup=with_cancel(t, "login-btn-no-code"),
    )


def _refused(t: Texts, error: HourlyCapReached, destination: str) -> str:
    hotline = t("help-hotline")
    if isinstance(error, RequesterLocked):
        return t("login-locked", minutes=error.minutes, hotline=hotline)
    if isinstance(error, DestinationCapped):
        shown = mask(destination)
        return t("login-destination-capped", shown=shown, minutes=error.minutes, hotline=hotline)
    return t("login-hourly-cap", minutes=error.minutes, hotline=hotline)
