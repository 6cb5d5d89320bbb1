"""How orders look to a customer; shared by the orders flow and login's return to it."""

from __future__ import annotations

from aiogram.types import Message

from bot.i18n import Html, Texts
from bot.keyboards.orders import orders_list, problems, status_label
from bot.marketplace import Account, Order
from bot.services.orders import OrderService


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
    await message.answer(order_card(t, order))
    await message.answer(
        t("orders-card-choose"), reply_markup=problems(t, order, orders.problems(order))
    )


def order_card(t: Texts, order: Order) -> str:
    items = Html(
        "\n".join(
            t(
                "orders-card-item",
                title=item.title,
                qty=item.qty,
                price=t("orders-money", amount=item.price * item.qty),
            )
            for item in order.items
        )
    )
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
    if order.delivery_eta:
        lines.append(t("orders-card-eta", date=order.delivery_eta.strftime("%d.%m.%Y")))
    if order.pickup_point:
        lines.append(t("orders-card-pickup", point=order.pickup_point))
    return "\n".join(lines)


def payment(t: Texts, order: Order) -> str:
    if order.payment in ("card", "cash"):
        return t(f"orders-payment-{order.payment}")
    return t("orders-payment-other", method=order.payment or "—")
