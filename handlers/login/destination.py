"""Login's start: /login, /logout, and where the code goes, a phone or an email."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.domain.phones import InvalidEmail, InvalidPhone, parse_email, parse_phone
from bot.domain.values import Channel
from bot.keyboards.login import phone_request
from bot.keyboards.menu import MenuAction, MenuCb
from bot.ports.marketplace import Account
from bot.services.login import LoginService
from bot.settings import Settings
from bot.telegram.filters import TextButton
from bot.telegram.i18n import Texts
from bot.telegram.states import Login
from handlers.choices import unreadable
from handlers.login import flow
from handlers.login.prompts import ask_email, send_code, start_login
from handlers.menu import show_menu

router, steps = flow.router, flow.in_flow  # the flow's steps: behind its state check
_ECHO_LIMIT = 40  # how much of a bad input we quote back
_PHONE_BUTTONS = ("login-btn-share-contact", "login-btn-by-email", "login-btn-cancel")


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


@steps.message(Login.phone, TextButton("login-btn-by-email"))
async def email_chosen(message: Message, state: FSMContext, t: Texts) -> None:
    await ask_email(message, state, t)


@steps.message(Login.phone, F.contact)
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
    await send_code(message, state, t, login, channel=Channel.SMS, destination=phone)


@steps.message(Login.phone, F.text)
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
    await send_code(message, state, t, login, channel=Channel.SMS, destination=phone)


@steps.message(Login.phone)
async def phone_invalid(message: Message, t: Texts) -> None:
    await message.answer(t("login-phone-only-text"), reply_markup=phone_request(t))


@steps.message(Login.email, F.text)
async def email_entered(
    message: Message, state: FSMContext, t: Texts, login: LoginService
) -> None:
    text = message.text or ""
    try:
        email = parse_email(text)
    except InvalidEmail:
        await message.answer(t("login-email-invalid"))
        return
    await send_code(message, state, t, login, channel=Channel.EMAIL, destination=email)


@steps.message(Login.email)
async def email_invalid(message: Message, t: Texts) -> None:
    await message.answer(t("login-email-only-text"))
