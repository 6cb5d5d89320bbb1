"""Keyboards of order help: the list, the problems, cancelling, ticking items."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup

from bot.keyboards import Small, column, rows
from bot.ports.marketplace import Order, OrderStatus
from bot.services.orders import Page, Problem
from bot.telegram.i18n import Texts
from bot.telegram.text_keys import ORDER_PROBLEMS, ORDER_STATUSES


class OrdersPageCb(CallbackData, prefix="ol"):
    page: Small


class OrderCb(CallbackData, prefix="or"):
    number: str


class ProblemCb(CallbackData, prefix="op"):
    number: str
    problem: Problem


class CancelCb(CallbackData, prefix="oc"):
    number: str


class ItemCb(CallbackData, prefix="oi"):
    number: str
    index: Small


class ItemsDoneCb(CallbackData, prefix="od"):
    number: str


class PersonCb(CallbackData, prefix="oh"):
    number: str


def status_label(t: Texts, status: OrderStatus) -> str:
    return t.plain(ORDER_STATUSES[status])


def orders_list(t: Texts, page: Page) -> InlineKeyboardMarkup:
    orders = [
        [
            (
                t.plain(
                    "orders-list-item",
                    number=order.number,
                    date=order.created_at.strftime("%d.%m"),
                    status=status_label(t, order.status),
                ),
                OrderCb(number=order.number),
            )
        ]
        for order in page.orders
    ]
    nav = []
    if page.page > 0:
        nav.append((t("orders-btn-newer"), OrdersPageCb(page=page.page - 1)))
    if page.has_more:
        nav.append((t("orders-btn-older"), OrdersPageCb(page=page.page + 1)))
    return rows(*orders, nav)


def problems(t: Texts, order: Order, options: tuple[Problem, ...]) -> InlineKeyboardMarkup:
    return column(
        [
            *(
                (
                    t(ORDER_PROBLEMS[problem]),
                    ProblemCb(number=order.number, problem=problem),
                )
                for problem in options
            ),
            (t("orders-btn-person"), PersonCb(number=order.number)),
            (t("orders-btn-back"), OrdersPageCb(page=0)),
        ]
    )


def confirm_cancel(t: Texts, order: Order) -> InlineKeyboardMarkup:
    return column(
        [
            (t("orders-btn-cancel-yes"), CancelCb(number=order.number)),
            (t("orders-btn-cancel-no"), OrderCb(number=order.number)),
        ]
    )


def person(t: Texts, order: Order) -> InlineKeyboardMarkup:
    return rows([(t("orders-btn-person"), PersonCb(number=order.number))])


# Telegram takes at most 100 buttons in a keyboard; the rest of a huge order the customer
# can name in the ticket, where what they write goes to the agent.
_TICKABLE = 99


def items(t: Texts, order: Order, ticked: set[int]) -> InlineKeyboardMarkup:
    ticks = [
        (
            f"{'☑' if index in ticked else '☐'} "
            f"{t.plain('orders-item-label', title=item.title, qty=item.qty)}"[:60],
            ItemCb(number=order.number, index=index),
        )
        for index, item in enumerate(order.items[:_TICKABLE])
    ]
    return column([*ticks, (t("orders-btn-items-done"), ItemsDoneCb(number=order.number))])
