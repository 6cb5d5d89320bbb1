"""Commands that work in any state: /start, /help, /language, /cancel."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.keyboards.menu import LangCb, MenuAction, MenuCb, language_menu, main_menu
from bot.ports.marketplace import Account
from bot.services.customers import CustomerService, UnknownLocale
from bot.telegram.i18n import Texts, Translator
from bot.telegram.states import REPLY_KEYBOARD_STATES
from handlers.menu import show_menu
from handlers.taps import alert

router = Router(name=__name__)


@router.message(CommandStart())
async def cmd_start(
    message: Message, state: FSMContext, t: Texts, account: Account | None
) -> None:
    # A flow may have left its reply keyboard on screen; a fresh start takes it away.
    keyboard_shown = await state.get_state() in REPLY_KEYBOARD_STATES
    await state.clear()
    name = message.from_user.first_name if message.from_user else ""
    await show_menu(
        message, t, account, t("start-greeting", name=name), drop_reply_keyboard=keyboard_shown
    )


@router.message(Command("help"))
async def cmd_help(message: Message, t: Texts, account: Account | None) -> None:
    await show_menu(message, t, account, t("help-text", hotline=t("help-hotline")))


@router.message(Command("cancel"))
async def cmd_cancel(
    message: Message, state: FSMContext, t: Texts, account: Account | None
) -> None:
    current = await state.get_state()
    await state.clear()
    await show_menu(
        message,
        t,
        account,
        t("cancel-nothing" if current is None else "cancel-done"),
        drop_reply_keyboard=current in REPLY_KEYBOARD_STATES,
    )


@router.message(Command("language"))
async def cmd_language(message: Message, t: Texts) -> None:
    await message.answer(t("language-choose"), reply_markup=language_menu(t))


@router.callback_query(MenuCb.filter(F.action == MenuAction.LANGUAGE))
async def menu_language(query: CallbackQuery, t: Texts) -> None:
    if query.message:
        await query.message.answer(t("language-choose"), reply_markup=language_menu(t))


@router.callback_query(LangCb.filter())
async def language_chosen(
    query: CallbackQuery,
    callback_data: LangCb,
    customers: CustomerService,
    t: Texts,
    translator: Translator,
    account: Account | None,
    callback_answer: CallbackAnswer,
) -> None:
    try:
        locale = await customers.choose_locale(query.from_user.id, callback_data.locale)
    except UnknownLocale:
        alert(callback_answer, t("button-stale"))
        return
    t = translator(locale)
    if query.message:
        await query.message.answer(t("language-set"), reply_markup=main_menu(t, account))
