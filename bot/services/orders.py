"""Help with one order: which problems make sense, and what the order's data answers.

Decisions only; the marketplace port does the reads and the one write (cancel).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.domain.clock import Clock
from bot.ports.marketplace import MarketplacePort, Order, OrderStatus

PAGE_SIZE = 5
_NUMBER = re.compile(r"^\s*(\d{8})[\s-]*(\d{4})\s*$")

PREPARING = frozenset({OrderStatus.CREATED, OrderStatus.PAID, OrderStatus.ASSEMBLING})
ON_THE_WAY = frozenset({OrderStatus.IN_TRANSIT, OrderStatus.READY_FOR_PICKUP})
FINISHED = frozenset({OrderStatus.CANCELLED, OrderStatus.RETURNED})


class Problem(StrEnum):
    WHERE = "where"
    DAMAGED = "damaged"
    WRONG = "wrong"
    RETURN = "return"
    REFUND = "refund"
    CANCEL = "cancel"
    OTHER = "other"


class Answer(StrEnum):
    """What the bot does about a problem, decided from the order alone."""

    PREPARING = "preparing"  # not shipped yet: when it is expected
    ON_ITS_WAY = "on-its-way"  # ETA in the future: the date and what happens next
    AT_PICKUP = "at-pickup"  # waiting at the pickup point
    LATE = "late"  # past the ETA: apologise and escalate
    DELIVERED = "delivered"  # marked delivered: offer a person if it did not arrive
    CANCEL_OFFER = "cancel-offer"  # may be cancelled: ask to confirm
    CANCEL_SHIPPED = "cancel-shipped"  # too late: refuse at pickup, then return
    CANCEL_DELIVERED = "cancel-delivered"  # received: return instead
    ALREADY_CLOSED = "already-closed"  # cancelled or returned already
    RETURN_STEPS = "return-steps"  # within the window: how to return
    RETURN_EXPIRED = "return-expired"  # past the window
    RETURN_NOT_YET = "return-not-yet"  # not received yet
    REFUND_STATUS = "refund-status"  # cancelled/returned: where the money is
    REFUND_NOT_CHARGED = "refund-not-charged"  # cancelled, to be paid on delivery: nothing taken
    REFUND_HOW = "refund-how"  # otherwise: how a refund happens
    ASK_PHOTOS = "ask-photos"  # damaged: photos and a description, then a person
    ASK_ITEMS = "ask-items"  # wrong or incomplete: which items, then a person
    ASK_DETAILS = "ask-details"  # something else: a description, then a person


_PROBLEMS = {
    **dict.fromkeys(PREPARING, (Problem.WHERE, Problem.CANCEL, Problem.OTHER)),
    **dict.fromkeys(ON_THE_WAY, (Problem.WHERE, Problem.CANCEL, Problem.OTHER)),
    OrderStatus.DELIVERED: (
        Problem.DAMAGED,
        Problem.WRONG,
        Problem.RETURN,
        Problem.REFUND,
        Problem.WHERE,
        Problem.OTHER,
    ),
    **dict.fromkeys(FINISHED, (Problem.REFUND, Problem.OTHER)),
}


# Problems only a person can solve; the bot gathers what the person will need.
_ASK = {
    Problem.DAMAGED: Answer.ASK_PHOTOS,
    Problem.WRONG: Answer.ASK_ITEMS,
    Problem.OTHER: Answer.ASK_DETAILS,
}


class NotCancellable(Exception):
    pass


@dataclass(frozen=True)
class Page:
    orders: list[Order]
    page: int
    has_more: bool


@dataclass(frozen=True)
class Pickup:
    """What a customer needs to collect an order: where, when it is open, until when."""

    point: str | None
    hours: str | None
    until: date | None
    days: int  # the usual storage period, said when the marketplace gives no date


# Cash on delivery means a cancelled order took nothing. Any other method, or none given,
# counts as paid ahead: telling a customer who paid that nothing was charged is the worse
# mistake of the two.
_ON_DELIVERY = frozenset({"cash"})


def refunds_to_balance(order: Order) -> bool:
    """Money for a cancelled order goes to the in-app balance unless it was to be paid on
    delivery."""
    return order.payment not in _ON_DELIVERY


def received_on(order: Order) -> date | None:
    """The day the customer got the order: the marketplace's date, else the one it was due."""
    return order.delivered_on or order.delivery_eta


def parse_number(text: str) -> str | None:
    """'31415926-0001', '31415926 0001' or '314159260001' -> '31415926-0001'."""
    match = _NUMBER.match(text)
    return f"{match.group(1)}-{match.group(2)}" if match else None


class OrderService:
    def __init__(
        self, marketplace: MarketplacePort, clock: Clock, return_days: int, *, pickup_days: int
    ) -> None:
        self._marketplace, self._clock, self.return_days = marketplace, clock, return_days
        self.pickup_days = pickup_days

    def pickup(self, order: Order) -> Pickup:
        return Pickup(order.pickup_point, order.pickup_hours, order.pickup_until, self.pickup_days)

    async def page(self, account_id: str, page: int) -> Page:
        page = max(page, 0)
        rows = await self._marketplace.orders_of(
            account_id, limit=PAGE_SIZE + 1, offset=page * PAGE_SIZE
        )
        return Page(rows[:PAGE_SIZE], page, len(rows) > PAGE_SIZE)

    async def find(self, account_id: str, number: str) -> Order | None:
        """Someone else's order is answered exactly like one that does not exist."""
        order = await self._marketplace.order(number)
        return order if order is not None and order.account_id == account_id else None

    @staticmethod
    def problems(order: Order) -> tuple[Problem, ...]:
        return _PROBLEMS[order.status]

    def answer(self, order: Order, problem: Problem) -> Answer:
        today = self._clock.now().date()
        if problem in _ASK:
            return _ASK[problem]
        if problem is Problem.WHERE:
            return self._where(order, today)
        if problem is Problem.CANCEL:
            return _cancel(order)
        if problem is Problem.RETURN:
            return self._return(order, today)
        return _refund(order)

    async def cancel(self, account_id: str, number: str) -> Order:
        order = await self.find(account_id, number)
        if order is None or _cancel(order) is not Answer.CANCEL_OFFER:
            raise NotCancellable
        await self._marketplace.set_order_status(number, OrderStatus.CANCELLED)
        cancelled = await self.find(account_id, number)
        assert cancelled is not None  # noqa: S101 - just changed through the same port
        return cancelled

    def _where(self, order: Order, today: date) -> Answer:
        eta = order.delivery_eta
        if order.status is OrderStatus.DELIVERED:
            return Answer.DELIVERED
        if order.status in FINISHED:
            return Answer.ALREADY_CLOSED
        # An order at its pickup point has arrived, however late: it is never "late".
        if order.status is OrderStatus.READY_FOR_PICKUP:
            return Answer.AT_PICKUP
        if eta is not None and eta < today:
            return Answer.LATE
        return Answer.PREPARING if order.status in PREPARING else Answer.ON_ITS_WAY

    def _return(self, order: Order, today: date) -> Answer:
        if order.status in FINISHED:
            return Answer.ALREADY_CLOSED
        if order.status is not OrderStatus.DELIVERED:
            return Answer.RETURN_NOT_YET
        received = received_on(order) or order.created_at.date()
        if (today - received).days > self.return_days:
            return Answer.RETURN_EXPIRED
        return Answer.RETURN_STEPS


def _cancel(order: Order) -> Answer:
    if order.status in PREPARING:
        return Answer.CANCEL_OFFER
    if order.status in ON_THE_WAY:
        return Answer.CANCEL_SHIPPED
    if order.status is OrderStatus.DELIVERED:
        return Answer.CANCEL_DELIVERED
    return Answer.ALREADY_CLOSED


def _refund(order: Order) -> Answer:
    if order.status not in FINISHED:
        return Answer.REFUND_HOW
    # A returned order was paid for, on delivery or ahead; a cancelled one only if ahead.
    if order.status is OrderStatus.CANCELLED and not refunds_to_balance(order):
        return Answer.REFUND_NOT_CHARGED
    return Answer.REFUND_STATUS
