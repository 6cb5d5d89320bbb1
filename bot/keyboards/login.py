"""Keyboards of the login flow."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from bot.domain.values import Channel
from bot.keyboards import column, rows
from bot.telegram.i18n import Texts


class LoginAction(StrEnum):
    NO_CODE = "n"
    RESEND = "r"
    BY_CALL = "c"
    BY_SMS = "s"
    BY_EMAIL = "e"
    LOST_NUMBER = "l"


class LoginCb(CallbackData, prefix="lg"):
    action: LoginAction


def phone_request(t: Texts) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text=t("login-btn-share-contact"), request_contact=True)],
            [KeyboardButton(text=t("login-btn-by-email"))],
            [KeyboardButton(text=t("login-btn-cancel"))],
        ],
        resize_keyboard=True,
        input_field_placeholder=t("login-phone-placeholder"),
    )


def with_cancel(t: Texts, *keys: str) -> ReplyKeyboardMarkup:
    rows = [[KeyboardButton(text=t(key))] for key in (*keys, "login-btn-cancel")]
    return ReplyKeyboardMarkup(keyboard=rows, resize_keyboard=True)


def no_code(t: Texts, channel: Channel, wait_seconds: int) -> InlineKeyboardMarkup:
    resend = (
        t("login-btn-resend-wait", seconds=wait_seconds) if wait_seconds else t("login-btn-resend")
    )
    keys = [(resend, LoginAction.RESEND)]
    if channel == Channel.SMS:
        keys.append((t("login-btn-by-call"), LoginAction.BY_CALL))
    elif channel == Channel.CALL:
        keys.append((t("login-btn-by-sms"), LoginAction.BY_SMS))
    if channel != Channel.EMAIL:
        keys.append((t("login-btn-email-instead"), LoginAction.BY_EMAIL))
        keys.append((t("login-btn-lost-number"), LoginAction.LOST_NUMBER))
    return column((text, LoginCb(action=action)) for text, action in keys)


def new_code(t: Texts) -> InlineKeyboardMarkup:
    return rows([(t("login-btn-resend"), LoginCb(action=LoginAction.RESEND))])
