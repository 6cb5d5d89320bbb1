"""Main menu and language keyboards."""

from __future__ import annotations

import functools
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup

from bot.domain.values import Locale
from bot.keyboards import column, rows
from bot.ports.marketplace import Account
from bot.telegram.i18n import Texts
from bot.telegram.text_keys import LANGUAGE_BUTTONS


class MenuAction(StrEnum):
    LOGIN = "login"
    ORDERS = "orders"
    RECOVERY = "recover"  # in buttons already sent: the value stays
    SUPPORT = "support"
    LANGUAGE = "lang"


class MenuCb(CallbackData, prefix="m"):
    action: MenuAction


class LangCb(CallbackData, prefix="l"):
    locale: Locale


# A flow adds its entry here when it lands; the menu never offers a dead end.
GUEST_ENTRIES: tuple[MenuAction, ...] = (
    MenuAction.LOGIN,
    MenuAction.RECOVERY,
    MenuAction.SUPPORT,
    MenuAction.LANGUAGE,
)
LINKED_ENTRIES: tuple[MenuAction, ...] = (
    MenuAction.ORDERS,
    MenuAction.SUPPORT,
    MenuAction.LANGUAGE,
)

_LABELS = {
    MenuAction.LOGIN: "menu-btn-login",
    MenuAction.ORDERS: "menu-btn-orders",
    MenuAction.RECOVERY: "menu-btn-recover",
    MenuAction.SUPPORT: "menu-btn-support",
    MenuAction.LANGUAGE: "menu-btn-language",
}


def main_menu(t: Texts, account: Account | None) -> InlineKeyboardMarkup:
    return _main_menu(t, account is not None)


# The menu goes with most answers and depends only on the language and on being logged
# in; building it (pydantic models, callback data) was a tenth of an answer's CPU.
@functools.lru_cache(maxsize=16)
def _main_menu(t: Texts, linked: bool) -> InlineKeyboardMarkup:
    entries = LINKED_ENTRIES if linked else GUEST_ENTRIES
    return column((t(_LABELS[action]), MenuCb(action=action)) for action in entries)


def language_menu(t: Texts) -> InlineKeyboardMarkup:
    return rows([(t(LANGUAGE_BUTTONS[locale]), LangCb(locale=locale)) for locale in Locale])
