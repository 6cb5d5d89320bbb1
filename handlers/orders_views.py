"""How orders look to a customer; shared by the orders flow and login's return to it."""

from __future__ import annotations

from aiogram.types import Message

from bot.keyboards.orders import orders_list, problems, status_label
from bot.ports.marketplace import Account, Order, OrderStatus
from bot.services.orders import ON_THE_WAY, PREPARING, OrderService, Pickup, received_on
from bot.telegram.i18n import Html, Texts
from bot.telegram.text_keys import PAYMENTS

# Room for the items in a card: Fluent cuts a placeable at 2,500 characters, and
# Telegram takes 4,096 in a message with the rest of the card.
_ITEMS_ROOM = 2000
# An expected date means something only until the order is received or called off.
_EXPECTED = PREPARING | ON_THE_WAY
_RECEIVED = frozenset({OrderStatus.DELIVERED, OrderStatus.RETURNED})


async def show_orders(
    message: Message,
    t: Texts,
    orders: OrderService,
    account: Account,
    page: int = 0,
    *,
    edit: bool = False,
) -> None:
    found = await orders.page(account.id, page)
    if not found.orders:
        await message.answer(t("orders-none"))
        return
    markup = orders_list(t, found)
    if edit:
        await message.edit_text(t("orders-list-title"), reply_markup=markup)
    else:
        await message.answer(t("orders-list-title"), reply_markup=markup)


async def show_order(message: Message, t: Texts, orders: OrderService, order: Order) -> None:
    # One message: the problems to choose from sit right under the order they are about.
    await message.answer(
        f"{order_card(t, order)}\n\n{t('orders-card-choose')}",
        reply_markup=problems(t, order, orders.problems(order)),
    )


def order_card(t: Texts, order: Order) -> str:
    lines: list[str] = []
    room = _ITEMS_ROOM
    for shown, item in enumerate(order.items):
        line = t(
            "orders-card-item",
            title=item.title,
            qty=item.qty,
            price=t("orders-money", amount=item.price * item.qty),
        )
        room -= len(line) + 1
        if room < 0:  # a huge order: the card must still fit in one message
            lines.append(t("orders-card-more", count=len(order.items) - shown))
            break
        lines.append(line)
    items = Html("\n".join(lines))
    lines = [
        t(
            "orders-card",
            number=order.number,
            status=status_label(t, order.status),
            created=order.created_at.strftime("%d.%m.%Y"),
            payment=payment(t, order),
            items=items,
            total=t("orders-money", amount=order.total),
        )
    ]
    received = received_on(order) if order.status in _RECEIVED else None
    if received:
        lines.append(t("orders-card-delivered", date=received.strftime("%d.%m.%Y")))
    elif order.delivery_eta and order.status in _EXPECTED:
        lines.append(t("orders-card-eta", date=order.delivery_eta.strftime("%d.%m.%Y")))
    if order.pickup_point:
        lines.append(t("orders-card-pickup", point=order.pickup_point))
    return "\n".join(lines)


def payment(t: Texts, order: Order) -> str:
    if order.payment in PAYMENTS:
        return t(PAYMENTS[order.payment])
    return t("orders-payment-other", method=order.payment or "—")


def pickup_text(t: Texts, pickup: Pickup) -> str:
    """Where the order waits, when the point is open and how long it keeps the order."""
    if pickup.hours:
        hours = t("orders-pickup-hours", hours=pickup.hours)
    else:
        hours = t("orders-pickup-hours-unknown")
    if pickup.until:
        keeps = t("orders-pickup-until", date=pickup.until.strftime("%d.%m.%Y"))
    else:
        keeps = t("orders-pickup-days", days=pickup.days)
    return t("orders-answer-at-pickup", point=pickup.point or "—", hours=hours, keeps=keeps)
