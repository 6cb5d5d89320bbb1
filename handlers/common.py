"""Commands that work in any state: /start, /help, /language, /cancel."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.i18n import Texts, Translator
from bot.keyboards.menu import LangCb, MenuAction, MenuCb, language_menu, main_menu
from bot.services.customers import CustomerService, UnknownLocale

router = Router(name=__name__)


@router.message(CommandStart())
async def cmd_start(message: Message, state: FSMContext, t: Texts) -> None:
    await state.clear()
    name = message.from_user.first_name if message.from_user else ""
    await message.answer(t("start-greeting", name=name), reply_markup=main_menu(t))


@router.message(Command("help"))
async def cmd_help(message: Message, t: Texts) -> None:
    await message.answer(t("help-text", hotline=t("help-hotline")), reply_markup=main_menu(t))


@router.message(Command("cancel"))
async def cmd_cancel(message: Message, state: FSMContext, t: Texts) -> None:
    had_state = await state.get_state() is not None
    await state.clear()
    await message.answer(
        t("cancel-done" if had_state else "cancel-nothing"), reply_markup=main_menu(t)
    )


@router.message(Command("language"))
async def cmd_language(message: Message, t: Texts) -> None:
    await message.answer(t("language-choose"), reply_markup=language_menu(t))


@router.callback_query(MenuCb.filter(F.action == MenuAction.LANGUAGE))
async def menu_language(query: CallbackQuery, t: Texts) -> None:
    await query.answer()
    if query.message:
        await query.message.answer(t("language-choose"), reply_markup=language_menu(t))


@router.callback_query(LangCb.filter())
async def language_chosen(
    query: CallbackQuery,
    callback_data: LangCb,
    customers: CustomerService,
    t: Texts,
    translator: Translator,
) -> None:
    try:
        locale = await customers.choose_locale(query.from_user.id, callback_data.locale)
    except UnknownLocale:
        await query.answer(t("button-stale"), show_alert=True)
        return
    t = translator(locale)
    await query.answer()
    if query.message:
        await query.message.answer(t("language-set"), reply_markup=main_menu(t))
