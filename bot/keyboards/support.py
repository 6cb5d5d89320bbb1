"""Keyboards of the human queue: the customer's and the agents'."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup

from bot.keyboards import RowId, Small, rows
from bot.keyboards.recovery import decision
from bot.telegram.i18n import Texts
from storage.tickets import Ticket


class AgentAction(StrEnum):
    TAKE = "t"
    CLOSE = "c"
    TAKE_OVER = "o"  # confirmed: from whoever holds it


class TicketCb(CallbackData, prefix="tk"):
    action: AgentAction
    ticket_id: RowId


class CloseCb(CallbackData, prefix="cl"):
    ticket_id: RowId


class RateCb(CallbackData, prefix="rt"):
    ticket_id: RowId
    score: Small


def ticket_card_buttons(t: Texts, ticket: Ticket) -> InlineKeyboardMarkup | None:
    if ticket.context.get("decision"):
        return None  # a decided recovery closed its ticket: nothing is left to tap
    recovery = ticket.context.get("recovery_id")
    # a recovery ticket is decided on its card
    decide = [[button] for button in decision(t, int(recovery))] if recovery is not None else []
    handle = [
        (t("agents-btn-take"), TicketCb(action=AgentAction.TAKE, ticket_id=ticket.id)),
        (t("agents-btn-close"), TicketCb(action=AgentAction.CLOSE, ticket_id=ticket.id)),
    ]
    return rows(*decide, handle)


def take_over_button(t: Texts, ticket_id: int) -> InlineKeyboardMarkup:
    return rows(
        [(t("agents-btn-take-over"), TicketCb(action=AgentAction.TAKE_OVER, ticket_id=ticket_id))]
    )


def customer_ticket_buttons(t: Texts, ticket_id: int) -> InlineKeyboardMarkup:
    return rows([(t("support-btn-close"), CloseCb(ticket_id=ticket_id))])


def rating_buttons(ticket_id: int) -> InlineKeyboardMarkup:
    return rows(
        [("⭐" * score, RateCb(ticket_id=ticket_id, score=score)) for score in range(1, 6)]
    )
