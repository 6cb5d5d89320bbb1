from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from bot.domain.clock import FrozenClock
from bot.ports.marketplace import Account, Order, OrderItem, OrderStatus
from bot.services.orders import (
    PAGE_SIZE,
    Answer,
    NotCancellable,
    OrderService,
    Problem,
    parse_number,
    refunds_to_balance,
)
from storage.db import Database
from storage.marketplace import EmbeddedMarketplace

TODAY = date(2026, 11, 1)  # the FrozenClock's day
S = OrderStatus
P = Problem


def _order(
    status: OrderStatus,
    eta: date | None = date(2026, 11, 5),
    number: str = "1-1",
    account: str = "A1",
    created: datetime | None = None,
) -> Order:
    return Order(
        number,
        account,
        status,
        created or datetime(2026, 10, 20, tzinfo=UTC),
        eta,
        None,
        (OrderItem("1", "Лампа", 1, 1500.0),),
        1500.0,
        "card",
    )


@pytest.fixture
def service(db: Database, clock: FrozenClock) -> OrderService:
    return OrderService(EmbeddedMarketplace(db, clock), clock, return_days=14, pickup_days=7)


@pytest.mark.parametrize(
    ("status", "eta", "problem", "answer"),
    [
        (S.CREATED, date(2026, 11, 5), P.WHERE, Answer.PREPARING),
        (S.PAID, date(2026, 11, 5), P.CANCEL, Answer.CANCEL_OFFER),
        (S.ASSEMBLING, date(2026, 10, 30), P.WHERE, Answer.LATE),
        (S.IN_TRANSIT, date(2026, 11, 5), P.WHERE, Answer.ON_ITS_WAY),
        (S.IN_TRANSIT, date(2026, 11, 1), P.WHERE, Answer.ON_ITS_WAY),
        (S.IN_TRANSIT, date(2026, 10, 31), P.WHERE, Answer.LATE),
        (S.IN_TRANSIT, None, P.WHERE, Answer.ON_ITS_WAY),
        (S.IN_TRANSIT, date(2026, 11, 5), P.CANCEL, Answer.CANCEL_SHIPPED),
        (S.READY_FOR_PICKUP, date(2026, 10, 31), P.WHERE, Answer.AT_PICKUP),
        (S.READY_FOR_PICKUP, date(2026, 11, 2), P.WHERE, Answer.AT_PICKUP),
        (S.READY_FOR_PICKUP, date(2026, 11, 2), P.CANCEL, Answer.CANCEL_SHIPPED),
        (S.DELIVERED, date(2026, 10, 26), P.WHERE, Answer.DELIVERED),
        (S.DELIVERED, date(2026, 10, 26), P.CANCEL, Answer.CANCEL_DELIVERED),
        (S.DELIVERED, date(2026, 10, 26), P.RETURN, Answer.RETURN_STEPS),
        (S.DELIVERED, date(2026, 10, 1), P.RETURN, Answer.RETURN_EXPIRED),
        (S.DELIVERED, date(2026, 10, 26), P.REFUND, Answer.REFUND_HOW),
        (S.DELIVERED, date(2026, 10, 26), P.DAMAGED, Answer.ASK_PHOTOS),
        (S.DELIVERED, date(2026, 10, 26), P.WRONG, Answer.ASK_ITEMS),
        (S.DELIVERED, date(2026, 10, 26), P.OTHER, Answer.ASK_DETAILS),
        (S.IN_TRANSIT, date(2026, 11, 5), P.RETURN, Answer.RETURN_NOT_YET),
        (S.CANCELLED, None, P.REFUND, Answer.REFUND_STATUS),
        (S.RETURNED, None, P.REFUND, Answer.REFUND_STATUS),
        (S.CANCELLED, None, P.CANCEL, Answer.ALREADY_CLOSED),
        (S.RETURNED, None, P.WHERE, Answer.ALREADY_CLOSED),
        (S.CANCELLED, None, P.RETURN, Answer.ALREADY_CLOSED),
    ],
)
def test_answers_follow_the_orders_data(
    service: OrderService,
    status: OrderStatus,
    eta: date | None,
    problem: Problem,
    answer: Answer,
) -> None:
    assert service.answer(_order(status, eta), problem) is answer


@pytest.mark.parametrize("status", list(OrderStatus))
def test_every_status_offers_problems_that_all_have_an_answer(
    service: OrderService, status: OrderStatus
) -> None:
    problems = service.problems(_order(status))
    assert P.OTHER in problems
    for problem in problems:
        assert isinstance(service.answer(_order(status), problem), Answer)


def test_cancel_is_offered_only_before_shipping(service: OrderService) -> None:
    offered = {s for s in OrderStatus if P.CANCEL in service.problems(_order(s))}
    cancellable = {
        s for s in offered if service.answer(_order(s), P.CANCEL) is Answer.CANCEL_OFFER
    }
    assert cancellable == {S.CREATED, S.PAID, S.ASSEMBLING}


async def _store(db: Database, clock: FrozenClock, orders: list[Order]) -> None:
    market = EmbeddedMarketplace(db, clock)
    await market.upsert(
        [Account("A1", "Анна", None, None, False), Account("A2", "John", None, None, False)],
        orders,
    )


async def test_cancel_changes_the_store_and_refuses_twice(
    db: Database, clock: FrozenClock, service: OrderService
) -> None:
    await _store(db, clock, [_order(S.PAID, number="10000002-0001")])
    cancelled = await service.cancel("A1", "10000002-0001")
    assert cancelled.status is S.CANCELLED
    with pytest.raises(NotCancellable):
        await service.cancel("A1", "10000002-0001")


async def test_someone_elses_order_is_not_found_nor_cancellable(
    db: Database, clock: FrozenClock, service: OrderService
) -> None:
    await _store(db, clock, [_order(S.PAID, number="20000001-0001", account="A2")])
    assert await service.find("A1", "20000001-0001") is None
    with pytest.raises(NotCancellable):
        await service.cancel("A1", "20000001-0001")


async def test_pages_are_newest_first(
    db: Database, clock: FrozenClock, service: OrderService
) -> None:
    orders = [
        _order(S.PAID, number=f"1000000{i}-0001", created=datetime(2026, 10, 1 + i, tzinfo=UTC))
        for i in range(7)
    ]
    await _store(db, clock, orders)
    first = await service.page("A1", 0)
    assert first.orders[0].number == "10000006-0001"
    assert len(first.orders) == PAGE_SIZE and first.has_more
    second = await service.page("A1", 1)
    assert [o.number for o in second.orders] == ["10000001-0001", "10000000-0001"]
    assert not second.has_more


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("31415926-0001", "31415926-0001"),
        ("31415926 0001", "31415926-0001"),
        (" 314159260001 ", "31415926-0001"),
        ("3141-5926", None),
        ("hello", None),
    ],
)
def test_typed_order_numbers(typed: str, number: str | None) -> None:
    assert parse_number(typed) == number


def test_today_is_the_clocks_day(clock: FrozenClock) -> None:
    assert clock.now().date() == TODAY


def test_only_orders_paid_ahead_are_refunded_to_the_balance() -> None:
    card = _order(S.PAID)
    assert refunds_to_balance(card)
    assert not refunds_to_balance(replace(card, payment="cash"))


def test_the_pickup_point_says_its_hours_and_how_long_it_keeps_the_order(
    service: OrderService,
) -> None:
    order = replace(
        _order(S.READY_FOR_PICKUP),
        pickup_point="Москва, Тверская, 7",
        extra={"pickup_point_hours": "10:00–22:00", "pickup_until": "2026-11-07"},
    )
    pickup = service.pickup(order)
    assert (pickup.point, pickup.hours, pickup.until) == (
        "Москва, Тверская, 7",
        "10:00–22:00",
        date(2026, 11, 7),
    )
    bare = service.pickup(replace(order, extra={"pickup_until": "soon"}))
    assert (bare.hours, bare.until, bare.days) == (None, None, 7)


@pytest.mark.parametrize(
    ("status", "payment", "answer"),
    [
        (S.CANCELLED, "cash", Answer.REFUND_NOT_CHARGED),
        (S.CANCELLED, "card", Answer.REFUND_STATUS),
        (S.CANCELLED, None, Answer.REFUND_STATUS),
        (S.RETURNED, "cash", Answer.REFUND_STATUS),
        (S.DELIVERED, "cash", Answer.REFUND_HOW),
    ],
)
def test_a_refund_answer_follows_how_the_order_was_paid(
    service: OrderService, status: OrderStatus, payment: str | None, answer: Answer
) -> None:
    order = replace(_order(status, eta=None), payment=payment)
    assert service.answer(order, P.REFUND) is answer
