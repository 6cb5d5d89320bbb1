"""Keyboards of order help: the list, the problems, cancelling, ticking items."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import Texts
from bot.marketplace import Order, OrderStatus
from bot.services.orders import Page, Problem


class OrdersPageCb(CallbackData, prefix="ol"):
    page: int


class OrderCb(CallbackData, prefix="or"):
    number: str


class ProblemCb(CallbackData, prefix="op"):
    number: str
    problem: Problem


class CancelCb(CallbackData, prefix="oc"):
    number: str


class ItemCb(CallbackData, prefix="oi"):
    number: str
    index: int


class ItemsDoneCb(CallbackData, prefix="od"):
    number: str


class PersonCb(CallbackData, prefix="oh"):
    number: str


def status_label(t: Texts, status: OrderStatus) -> str:
    return t.plain(f"orders-status-short-{status.value.replace('_', '-')}")


def orders_list(t: Texts, page: Page) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for order in page.orders:
        label = t.plain(
            "orders-list-item",
            number=order.number,
            date=order.created_at.strftime("%d.%m"),
            status=status_label(t, order.status),
        )
        builder.button(text=label, callback_data=OrderCb(number=order.number))
    nav = []
    if page.page > 0:
        nav.append(("orders-btn-newer", page.page - 1))
    if page.has_more:
        nav.append(("orders-btn-older", page.page + 1))
    for key, target in nav:
        builder.button(text=t(key), callback_data=OrdersPageCb(page=target))
    builder.adjust(*([1] * len(page.orders)), len(nav) or 1)
    return builder.as_markup()


def problems(t: Texts, order: Order, options: tuple[Problem, ...]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for problem in options:
        builder.button(
            text=t(f"orders-problem-{problem.value}"),
            callback_data=ProblemCb(number=order.number, problem=problem),
        )
    builder.button(text=t("orders-btn-person"), callback_data=PersonCb(number=order.number))
    builder.button(text=t("orders-btn-back"), callback_data=OrdersPageCb(page=0))
    builder.adjust(1)
    return builder.as_markup()


def confirm_cancel(t: Texts, order: Order) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=t("orders-btn-cancel-yes"), callback_data=CancelCb(number=order.number))
    builder.button(text=t("orders-btn-cancel-no"), callback_data=OrderCb(number=order.number))
    builder.adjust(1)
    return builder.as_markup()


def person(t: Texts, order: Order) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=t("orders-btn-person"), callback_data=PersonCb(number=order.number))
    return builder.as_markup()


def items(t: Texts, order: Order, ticked: set[int]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for index, item in enumerate(order.items):
        mark = "☑" if index in ticked else "☐"
        builder.button(
            text=f"{mark} {t.plain('orders-item-label', title=item.title, qty=item.qty)}"[:60],
            callback_data=ItemCb(number=order.number, index=index),
        )
    builder.button(text=t("orders-btn-items-done"), callback_data=ItemsDoneCb(number=order.number))
    builder.adjust(1)
    return builder.as_markup()
