"""Keyboards of the human queue: the customer's and the agents'."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import Texts
from bot.keyboards.recover import decision
from storage.tickets import Ticket


class AgentAction(StrEnum):
    TAKE = "t"
    CLOSE = "c"


class TicketCb(CallbackData, prefix="tk"):
    action: AgentAction
    ticket_id: int


class CloseCb(CallbackData, prefix="cl"):
    ticket_id: int


class RateCb(CallbackData, prefix="rt"):
    ticket_id: int
    score: int


def ticket_card_buttons(t: Texts, ticket: Ticket) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    recovery = ticket.context.get("recovery_id")
    if recovery is not None:  # a recovery ticket is decided on its card
        for text, data in decision(t, int(recovery)):
            builder.button(text=text, callback_data=data)
    builder.button(
        text=t("agents-btn-take"),
        callback_data=TicketCb(action=AgentAction.TAKE, ticket_id=ticket.id),
    )
    builder.button(
        text=t("agents-btn-close"),
        callback_data=TicketCb(action=AgentAction.CLOSE, ticket_id=ticket.id),
    )
    builder.adjust(*([1, 1] if recovery is not None else []), 2)
    return builder.as_markup()


def customer_ticket_buttons(t: Texts, ticket_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=t("support-btn-close"), callback_data=CloseCb(ticket_id=ticket_id))
    return builder.as_markup()


def rating_buttons(ticket_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for score in range(1, 6):
        builder.button(text="⭐" * score, callback_data=RateCb(ticket_id=ticket_id, score=score))
    builder.adjust(5)
    return builder.as_markup()
