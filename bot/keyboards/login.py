"""Keyboards of the login flow."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import Texts


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


def no_code(t: Texts, channel: str, wait_seconds: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    resend = (
        t("login-btn-resend-wait", seconds=wait_seconds) if wait_seconds else t("login-btn-resend")
    )
    builder.button(text=resend, callback_data=LoginCb(action=LoginAction.RESEND))
    if channel == "sms":
        builder.button(
            text=t("login-btn-by-call"), callback_data=LoginCb(action=LoginAction.BY_CALL)
        )
    elif channel == "call":
        builder.button(
            text=t("login-btn-by-sms"), callback_data=LoginCb(action=LoginAction.BY_SMS)
        )
    if channel != "email":
        builder.button(
            text=t("login-btn-email-instead"), callback_data=LoginCb(action=LoginAction.BY_EMAIL)
        )
        builder.button(
            text=t("login-btn-lost-number"), callback_data=LoginCb(action=LoginAction.LOST_NUMBER)
        )
    builder.adjust(1)
    return builder.as_markup()


def new_code(t: Texts) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=t("login-btn-resend"), callback_data=LoginCb(action=LoginAction.RESEND))
    return builder.as_markup()
