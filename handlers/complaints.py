"""Complaints about an order that need a person: photos, ticked items, a description.

Everything gathered goes into one ticket (or joins the open one) with the order and
the problem attached, so the agent starts with the whole story.
"""

from __future__ import annotations

import contextlib

from aiogram import F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.domain.values import MessageKind
from bot.keyboards.orders import ItemCb, ItemsDoneCb, items
from bot.ports.marketplace import Account, Order
from bot.services.orders import OrderService
from bot.services.tickets import TicketService, Written
from bot.telegram.filters import OwnOrder
from bot.telegram.i18n import Texts
from bot.telegram.states import Orders
from bot.telegram.text_keys import ORDER_PROBLEMS
from handlers.convert import person, written
from handlers.taps import alert

router = Router(name=__name__)
# The steps of the flow sit behind one check of its state: a message from anyone
# outside the flow skips all of them at once instead of one filter at a time.
in_flow = Router(name=f"{__name__}.in_flow")
in_flow.message.filter(StateFilter(Orders))
router.include_router(in_flow)


async def escalate(
    source: Message | CallbackQuery,
    t: Texts,
    tickets: TicketService,
    account: Account,
    order: Order,
    problem: str,
    text: str,
    *,
    ticked: list[str] | None = None,
    photos: list[dict[str, object]] | None = None,
) -> int:
    customer = person(source)
    # Their own message is the source; a tap has none (the message tapped is the bot's,
    # and tapping it again later must not be taken for the same words), and a captioned
    # photo is the source of the photo itself.
    chat_id, message_id = customer.id, None
    if isinstance(source, Message) and source.text is not None:
        chat_id, message_id = source.chat.id, source.message_id
    # Their words go in as they are, after the frame: never through a text's template.
    title = t.plain(
        "orders-summary-title", number=order.number, problem=t.plain(ORDER_PROBLEMS[problem])
    )
    summary = f"{title}\n{text}" if text else title
    opened = await tickets.open_ticket(
        customer,
        locale=t.locale,
        description=Written(MessageKind.TEXT, chat_id, message_id, summary),
        account_id=account.id,
        order_number=order.number,
        problem=problem,
        context={"items": ticked} if ticked else None,
    )
    if photos:
        parts = [Written.restored(photo) for photo in photos]
        await tickets.attach(opened.ticket.id, customer, parts)
    if opened.changed:
        await tickets.changed(opened.ticket, card=True)
    return opened.ticket.id


async def _order_from_state(
    state: FSMContext, orders: OrderService, account: Account | None
) -> Order | None:
    number = (await state.get_data()).get("number")
    return await orders.find(account.id, number) if account and number else None


@in_flow.message(Orders.photos, F.photo | F.document)
async def photo_added(
    message: Message,
    state: FSMContext,
    t: Texts,
    orders: OrderService,
    tickets: TicketService,
    account: Account | None,
) -> None:
    data = await state.get_data()
    photo = written(message)
    earlier = data.get("photos", [])
    photos = [
        *earlier,
        {
            "kind": photo.kind,
            "chat_id": photo.chat_id,
            "message_id": photo.message_id,
            "text": photo.text,
            "file_id": photo.file_id,
            "media_group_id": photo.media_group_id,
        },
    ]
    await state.update_data(photos=photos)
    if photo.text:  # a caption is the description: the complaint is complete
        await description_added(message, state, t, orders, tickets, account)
        return
    album = photo.media_group_id
    if album and any(p.get("media_group_id") == album for p in earlier):
        return  # the rest of an album already answered for
    key = "orders-photos-album-got" if album else "orders-photos-got"
    await message.answer(t(key, count=len(photos)))


@in_flow.message(Orders.photos, F.text)
@in_flow.message(Orders.details, F.text)
async def description_added(
    message: Message,
    state: FSMContext,
    t: Texts,
    orders: OrderService,
    tickets: TicketService,
    account: Account | None,
) -> None:
    data = await state.get_data()
    order = await _order_from_state(state, orders, account)
    await state.clear()
    if order is None or account is None:
        await message.answer(t("button-stale"))
        return
    ticket_id = await escalate(
        message,
        t,
        tickets,
        account,
        order,
        data.get("problem", "other"),
        message.text or message.caption or "",
        photos=data.get("photos"),
    )
    await message.answer(t("orders-escalated", id=ticket_id))


@in_flow.message(Orders.photos)
async def photos_invalid(message: Message, t: Texts) -> None:
    await message.answer(t("orders-photo-or-text"))


@in_flow.message(Orders.details)
async def details_invalid(message: Message, t: Texts) -> None:
    await message.answer(t("orders-answer-ask-details"))


@router.callback_query(ItemCb.filter(), OwnOrder())
async def item_ticked(
    query: CallbackQuery,
    callback_data: ItemCb,
    order: Order,
    state: FSMContext,
    t: Texts,
    callback_answer: CallbackAnswer,
) -> None:
    if not 0 <= callback_data.index < len(order.items):
        alert(callback_answer, t("button-stale"))
        return
    ticked = set((await state.get_data()).get("ticked", [])) ^ {callback_data.index}
    await state.update_data(number=order.number, ticked=sorted(ticked))
    if isinstance(query.message, Message):
        with contextlib.suppress(TelegramAPIError):
            await query.message.edit_reply_markup(reply_markup=items(t, order, ticked))


@router.callback_query(ItemsDoneCb.filter(), OwnOrder())
async def items_done(
    query: CallbackQuery,
    order: Order,
    account: Account,
    state: FSMContext,
    t: Texts,
    tickets: TicketService,
    callback_answer: CallbackAnswer,
) -> None:
    ticked = (await state.get_data()).get("ticked", [])
    if not ticked:
        alert(callback_answer, t("orders-items-none"))
        return
    await state.clear()
    titles = [
        t.plain("orders-item-label", title=order.items[i].title, qty=order.items[i].qty)
        for i in ticked
        if i < len(order.items)
    ]
    ticket_id = await escalate(
        query, t, tickets, account, order, "wrong", "; ".join(titles), ticked=titles
    )
    if isinstance(query.message, Message):
        with contextlib.suppress(TelegramAPIError):
            await query.message.edit_reply_markup(reply_markup=None)
        await query.message.answer(t("orders-escalated", id=ticket_id))
