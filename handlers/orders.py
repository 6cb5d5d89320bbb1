"""Help with an order: the list, the card, the problem, and answers from its data."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.keyboards.menu import MenuAction, MenuCb
from bot.keyboards.orders import (
    CancelCb,
    OrderCb,
    OrdersPageCb,
    PersonCb,
    ProblemCb,
    confirm_cancel,
    items,
    person,
    status_label,
)
from bot.ports.marketplace import Account, Order
from bot.services.orders import (
    Answer,
    NotCancellable,
    OrderService,
    Problem,
    parse_number,
    refunds_to_balance,
)
from bot.services.tickets import TicketService
from bot.telegram.filters import OwnOrder, Says
from bot.telegram.i18n import Texts
from bot.telegram.states import Orders
from bot.telegram.text_keys import ORDER_ANSWERS
from handlers.choices import unreadable
from handlers.complaints import escalate
from handlers.login.prompts import start_login
from handlers.orders_views import pickup_text, show_order, show_orders
from handlers.taps import alert

router = Router(name=__name__)
typed_router = Router(name=f"{__name__}.typed")
# "Cancel the order?" also takes a typed yes or no.
confirming = Router(name=f"{__name__}.confirming")
confirming.message.filter(StateFilter(Orders.cancel))
router.include_router(confirming)
_CANCEL_BUTTONS = ("orders-btn-cancel-yes", "orders-btn-cancel-no")


@router.message(Command("orders"))
async def cmd_orders(
    message: Message,
    state: FSMContext,
    t: Texts,
    orders: OrderService,
    account: Account | None,
) -> None:
    if account is None:
        await message.answer(t("orders-need-login"))
        await start_login(message, state, t, then="orders")
        return
    await show_orders(message, t, orders, account)


@router.callback_query(MenuCb.filter(F.action == MenuAction.ORDERS))
async def menu_orders(
    query: CallbackQuery,
    state: FSMContext,
    t: Texts,
    orders: OrderService,
    account: Account | None,
) -> None:
    if isinstance(query.message, Message):
        await cmd_orders(query.message, state, t, orders, account)


@router.callback_query(OrdersPageCb.filter())
async def orders_page(
    query: CallbackQuery,
    callback_data: OrdersPageCb,
    state: FSMContext,
    t: Texts,
    orders: OrderService,
    account: Account | None,
) -> None:
    if not isinstance(query.message, Message):
        return
    if account is None:
        await cmd_orders(query.message, state, t, orders, None)
        return
    await show_orders(query.message, t, orders, account, callback_data.page, edit=True)


@router.callback_query(OrderCb.filter())
async def order_chosen(
    query: CallbackQuery,
    callback_data: OrderCb,
    state: FSMContext,
    t: Texts,
    orders: OrderService,
    account: Account | None,
) -> None:
    await _leave_confirmation(state)  # "No, keep it" opens the card again
    if isinstance(query.message, Message):
        await _open(query.message, state, t, orders, account, callback_data.number)


@typed_router.message(StateFilter(None), F.text.func(parse_number).as_("number"))
async def number_typed(
    message: Message,
    number: str,
    state: FSMContext,
    t: Texts,
    orders: OrderService,
    account: Account | None,
) -> None:
    await _open(message, state, t, orders, account, number)


async def _open(
    message: Message,
    state: FSMContext,
    t: Texts,
    orders: OrderService,
    account: Account | None,
    number: str,
) -> None:
    if account is None:
        await cmd_orders(message, state, t, orders, None)
        return
    order = await orders.find(account.id, number)
    if order is None:
        await message.answer(t("orders-not-found", number=number))
        return
    await show_order(message, t, orders, order)


@router.callback_query(ProblemCb.filter(), OwnOrder())
async def problem_chosen(
    query: CallbackQuery,
    callback_data: ProblemCb,
    order: Order,
    account: Account,
    state: FSMContext,
    t: Texts,
    orders: OrderService,
    tickets: TicketService,
) -> None:
    message = query.message
    if not isinstance(message, Message):
        return
    answer = orders.answer(order, callback_data.problem)
    if answer is Answer.LATE:
        ticket_id = await escalate(query, t, tickets, account, order, "late", "")
        await message.answer(t("orders-answer-late", eta=_date(order), id=ticket_id))
    elif answer in (Answer.ASK_PHOTOS, Answer.ASK_DETAILS):
        await _ask(message, state, t, order, callback_data.problem, answer)
    elif answer is Answer.ASK_ITEMS:
        await state.set_data({"number": order.number, "ticked": []})
        await message.answer(t("orders-answer-ask-items"), reply_markup=items(t, order, set()))
    elif answer is Answer.CANCEL_OFFER:
        await state.set_state(Orders.cancel)
        await state.set_data({"number": order.number})
        text = _answer_text(t, orders, order, answer)
        await message.answer(text, reply_markup=confirm_cancel(t, order))
    else:
        await message.answer(_answer_text(t, orders, order, answer), reply_markup=person(t, order))


@router.callback_query(PersonCb.filter(), OwnOrder())
async def person_about_order(
    query: CallbackQuery, order: Order, state: FSMContext, t: Texts
) -> None:
    if isinstance(query.message, Message):
        await _ask(query.message, state, t, order, Problem.OTHER, Answer.ASK_DETAILS)


async def _ask(
    message: Message,
    state: FSMContext,
    t: Texts,
    order: Order,
    problem: Problem,
    answer: Answer,
) -> None:
    """Photos or a description come next; the order and problem wait in the FSM."""
    await state.set_state(Orders.photos if answer is Answer.ASK_PHOTOS else Orders.details)
    await state.set_data({"number": order.number, "problem": problem.value, "photos": []})
    await message.answer(t(ORDER_ANSWERS[answer]))


@router.callback_query(CancelCb.filter(), OwnOrder())
async def cancel_confirmed(
    query: CallbackQuery,
    order: Order,
    account: Account,
    state: FSMContext,
    t: Texts,
    orders: OrderService,
    callback_answer: CallbackAnswer,
) -> None:
    await _leave_confirmation(state)
    try:
        text = await _cancel(t, orders, account, order.number)
    except NotCancellable:
        alert(callback_answer, t("orders-cancel-too-late"))
        return
    if isinstance(query.message, Message):
        await query.message.edit_text(text)


@confirming.message(Says("confirm-yes-words"))
async def cancel_said_yes(
    message: Message, state: FSMContext, t: Texts, orders: OrderService, account: Account | None
) -> None:
    number = (await state.get_data()).get("number", "")
    await state.clear()
    if account is None:
        await message.answer(t("button-stale"))
        return
    try:
        text = await _cancel(t, orders, account, number)
    except NotCancellable:
        text = t("orders-cancel-too-late")
    await message.answer(text)


@confirming.message(Says("confirm-no-words"))
async def cancel_said_no(
    message: Message, state: FSMContext, t: Texts, orders: OrderService, account: Account | None
) -> None:
    number = (await state.get_data()).get("number", "")
    await state.clear()
    await _open(message, state, t, orders, account, number)


@confirming.message()
async def cancel_unreadable(message: Message, state: FSMContext, t: Texts) -> None:
    await unreadable(message, state, t, t("orders-cancel-yes-or-no"), _CANCEL_BUTTONS)


async def _cancel(t: Texts, orders: OrderService, account: Account, number: str) -> str:
    cancelled = await orders.cancel(account.id, number)
    refunded = refunds_to_balance(cancelled)
    key = "orders-cancelled-balance" if refunded else "orders-cancelled-unpaid"
    return t(key, number=cancelled.number)


async def _leave_confirmation(state: FSMContext) -> None:
    # A tap answers the question as a typed word would: nothing is awaited any more.
    if await state.get_state() == Orders.cancel.state:
        await state.clear()


def _answer_text(t: Texts, orders: OrderService, order: Order, answer: Answer) -> str:
    if answer is Answer.AT_PICKUP:
        return pickup_text(t, orders.pickup(order))
    status = status_label(t, order.status)
    return t(
        ORDER_ANSWERS[answer],
        eta=_date(order),
        point=order.pickup_point or "—",
        number=order.number,
        status=status,
        state=order.status.value,  # for words that agree with it ("a returned order")
        days=orders.return_days,
    )


def _date(order: Order) -> str:
    return order.delivery_eta.strftime("%d.%m.%Y") if order.delivery_eta else "—"
