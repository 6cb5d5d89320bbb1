"""Keyboards of access recovery."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from bot.keyboards import RowId, rows
from bot.telegram.i18n import Texts


class Decision(StrEnum):
    APPROVE = "a"
    REJECT = "r"


class RecoveryCancelCb(CallbackData, prefix="rc"):
    recovery_id: RowId


class RecoveryDecisionCb(CallbackData, prefix="rd"):
    decision: Decision
    recovery_id: RowId


def email_prompt(t: Texts) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text=t("recover-btn-no-email"))],
            [KeyboardButton(text=t("login-btn-cancel"))],
        ],
        resize_keyboard=True,
    )


def new_phone_request(t: Texts) -> ReplyKeyboardMarkup:
    """Login's phone keyboard without "Log in by email": here the account is known already,
    and that button's text would only be taken for a wrong number."""
    return ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text=t("login-btn-share-contact"), request_contact=True)],
            [KeyboardButton(text=t("login-btn-cancel"))],
        ],
        resize_keyboard=True,
        input_field_placeholder=t("login-phone-placeholder"),
    )


def cancel_change(
    t: Texts, recovery_id: int, *, key: str = "recover-btn-cancel-change"
) -> InlineKeyboardMarkup:
    return rows([(t(key), RecoveryCancelCb(recovery_id=recovery_id))])


def decision(t: Texts, recovery_id: int) -> list[tuple[str, RecoveryDecisionCb]]:
    return [
        (
            t("agents-btn-approve"),
            RecoveryDecisionCb(decision=Decision.APPROVE, recovery_id=recovery_id),
        ),
        (
            t("agents-btn-reject"),
            RecoveryDecisionCb(decision=Decision.REJECT, recovery_id=recovery_id),
        ),
    ]
