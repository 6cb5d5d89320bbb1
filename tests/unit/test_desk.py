"""The agents' desk: taking, closing, deciding, rating, the queue and its deadline, and
canned replies (bot/services/desk.py)."""

import pytest

from bot.domain.clock import FrozenClock
from bot.domain.values import Locale, TicketStatus
from bot.services.desk import QUEUE_LIMIT
from bot.services.tickets import HeldByOther, Person, TicketClosed, TicketNotFound
from storage.db import Database
from storage.tickets import Ticket
from tests.unit.test_tickets import (
    AGENT,
    AGENT2,
    CUSTOMER,
    OTHER,
    POLICY,
    THIRD,
    _open,
    _replied,
    _service,
)

# take, close, rate, comment


async def test_take_assigns_and_the_last_taker_owns_it(db: Database, clock: FrozenClock) -> None:
    service = _service(db, clock)
    opened = await _open(service)
    taken = await service.take(opened.ticket.id, AGENT)
    assert (taken.status, taken.assignee_id) == (TicketStatus.TAKEN, AGENT.id)
    handed = await service.take(opened.ticket.id, AGENT2, over=True)
    assert (handed.status, handed.assignee_id, handed.assignee_name) == (
        TicketStatus.TAKEN,
        AGENT2.id,
        AGENT2.name,
    )


async def test_take_keeps_waiting_status(db: Database, clock: FrozenClock) -> None:
    service = _service(db, clock)
    opened = await _open(service)
    await service.agent_wrote(opened.ticket.id, AGENT, _replied("hi"))
    handed = await service.take(opened.ticket.id, AGENT2, over=True)
    assert (handed.status, handed.assignee_id) == (TicketStatus.WAITING, AGENT2.id)


async def test_a_held_ticket_is_taken_over_only_when_confirmed(
    db: Database, clock: FrozenClock
) -> None:
    service = _service(db, clock)
    opened = await _open(service)
    await service.take(opened.ticket.id, AGENT)
    with pytest.raises(HeldByOther) as held:
        await service.take(opened.ticket.id, AGENT2)
    assert (held.value.holder.id, held.value.holder.name) == (AGENT.id, AGENT.name)
    assert (await service.get(opened.ticket.id)).assignee_id == AGENT.id
    again = await service.take(opened.ticket.id, AGENT)  # one's own: nothing to ask
    assert again.assignee_id == AGENT.id
    handed = await service.take(opened.ticket.id, AGENT2, over=True)
    assert handed.assignee_name == AGENT2.name


async def test_a_decided_recovery_closes_its_ticket_and_names_who_decided(
    db: Database, clock: FrozenClock
) -> None:
    service = _service(db, clock)
    opened = await service.open_ticket(
        CUSTOMER, locale=Locale.RU, description=None, context={"recovery_id": 7}
    )
    decided = await service.decided(opened.ticket.id, False, "Boris")
    assert decided.status == TicketStatus.CLOSED
    assert decided.context == {"recovery_id": 7, "decision": {"approved": False, "by": "Boris"}}
    assert await service.queue() == []


async def test_closed_ticket_cannot_be_taken(db: Database, clock: FrozenClock) -> None:
    service = _service(db, clock)
    opened = await _open(service)
    await service.close(opened.ticket.id)
    with pytest.raises(TicketClosed):
        await service.take(opened.ticket.id, AGENT)
    assert (await service.get(opened.ticket.id)).assignee_id is None
    with pytest.raises(TicketNotFound):
        await service.take(999, AGENT)


async def test_close_sets_closed_at_once(db: Database, clock: FrozenClock) -> None:
    service = _service(db, clock)
    opened = await _open(service)
    clock.advance(minutes=7)
    closed = await service.close(opened.ticket.id)
    assert closed.status == TicketStatus.CLOSED
    assert closed.closed_at == clock.now()
    assert await service.open_of(CUSTOMER.id) is None
    clock.advance(minutes=1)
    with pytest.raises(TicketClosed):
        await service.close(opened.ticket.id)
    assert (await service.get(opened.ticket.id)).closed_at == closed.closed_at


async def test_customer_closes_their_open_ticket(db: Database, clock: FrozenClock) -> None:
    service = _service(db, clock)
    opened = await _open(service)
    closed = await service.close_by_customer(CUSTOMER.id)
    assert closed is not None
    assert (closed.id, closed.status) == (opened.ticket.id, TicketStatus.CLOSED)
    assert await service.close_by_customer(CUSTOMER.id) is None


async def test_only_the_customer_rates_from_one_to_five(db: Database, clock: FrozenClock) -> None:
    service = _service(db, clock)
    opened = await _open(service)
    await service.close(opened.ticket.id)
    for rating in (0, 6, -1):
        with pytest.raises(TicketNotFound):
            await service.rate(opened.ticket.id, CUSTOMER.id, rating)
    with pytest.raises(TicketNotFound):
        await service.rate(opened.ticket.id, OTHER.id, 5)
    with pytest.raises(TicketNotFound):
        await service.rate(999, CUSTOMER.id, 5)
    assert (await service.get(opened.ticket.id)).rating is None
    rated = await service.rate(opened.ticket.id, CUSTOMER.id, 4)
    assert rated.rating == 4
    assert (await service.get(opened.ticket.id)).rating == 4
    assert (await service.rate(opened.ticket.id, CUSTOMER.id, 1)).rating == 1


async def test_only_the_customer_comments(db: Database, clock: FrozenClock) -> None:
    service = _service(db, clock)
    opened = await _open(service)
    with pytest.raises(TicketNotFound):
        await service.comment(opened.ticket.id, OTHER.id, "spam")
    await service.comment(opened.ticket.id, CUSTOMER.id, "Quick and kind")
    row = await db.fetchone("SELECT rating_comment FROM tickets WHERE id = :id", {"id": 1})
    assert row is not None
    assert row[0] == "Quick and kind"


# queue and overdue


async def test_queue_is_oldest_first_with_waiting_minutes(
    db: Database, clock: FrozenClock
) -> None:
    service = _service(db, clock)
    first = await _open(service, CUSTOMER)
    clock.advance(minutes=5)
    second = await _open(service, OTHER)
    clock.advance(minutes=5)
    third = await _open(service, THIRD)
    clock.advance(minutes=6, seconds=59)
    entries = await service.queue()
    assert [e.ticket.id for e in entries] == [first.ticket.id, second.ticket.id, third.ticket.id]
    assert [e.waiting_minutes for e in entries] == [16, 11, 6]
    assert [e.overdue for e in entries] == [True, False, False]


async def test_answered_and_closed_tickets_are_not_overdue(
    db: Database, clock: FrozenClock
) -> None:
    service = _service(db, clock)
    answered = await _open(service, CUSTOMER)
    closed = await _open(service, OTHER)
    await service.agent_wrote(answered.ticket.id, AGENT, _replied("hi"))
    await service.close(closed.ticket.id)
    clock.advance(hours=1)
    entries = await service.queue()
    assert [(e.ticket.id, e.overdue) for e in entries] == [(answered.ticket.id, False)]
    assert await service.announce_overdue(_nothing) == []


async def test_overdue_tickets_are_announced_once(db: Database, clock: FrozenClock) -> None:
    service = _service(db, clock)
    first = await _open(service, CUSTOMER)
    clock.advance(minutes=10)
    second = await _open(service, OTHER)
    clock.advance(minutes=4)
    assert await service.announce_overdue(_nothing) == []
    clock.advance(minutes=2)
    assert [t.id for t in await service.announce_overdue(_nothing)] == [first.ticket.id]
    assert await service.announce_overdue(_nothing) == []
    clock.advance(minutes=10)
    assert [t.id for t in await service.announce_overdue(_nothing)] == [second.ticket.id]
    assert await service.announce_overdue(_nothing) == []


async def test_an_announcement_that_cannot_be_queued_is_tried_again(
    db: Database, clock: FrozenClock
) -> None:
    service = _service(db, clock)
    opened = await _open(service)
    clock.advance(hours=1)

    async def broken(_: Ticket) -> None:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        await service.announce_overdue(broken)
    told: list[int] = []

    async def tell(ticket: Ticket) -> None:
        told.append(ticket.id)

    assert [t.id for t in await service.announce_overdue(tell)] == [opened.ticket.id]
    assert told == [opened.ticket.id]


async def test_overdue_mark_and_announcement_agree_at_the_target(
    db: Database, clock: FrozenClock
) -> None:
    service = _service(db, clock)
    await _open(service)
    clock.advance(minutes=POLICY.first_response_minutes)
    [entry] = await service.queue()
    announced = await service.announce_overdue(_nothing)
    assert entry.overdue == bool(announced)


# canned replies


async def test_canned_reply_per_locale_with_fallback(db: Database, clock: FrozenClock) -> None:
    service = _service(db, clock)
    await service.set_canned("Hello", Locale.RU, "Здравствуйте!")
    assert await service.canned("hello", Locale.RU) == "Здравствуйте!"
    assert await service.canned("HELLO", Locale.EN) == "Здравствуйте!"  # the only one there is
    await service.set_canned("hello", Locale.EN, "Hello!")
    assert await service.canned("Hello", Locale.EN) == "Hello!"
    assert await service.canned("hello", Locale.RU) == "Здравствуйте!"
    await service.set_canned("HELLO", Locale.EN, "Hi!")
    assert await service.canned("hello", Locale.EN) == "Hi!"
    assert await service.canned("bye", Locale.EN) is None
    assert await service.canned_list() == [
        ("hello", Locale.EN, "Hi!"),
        ("hello", Locale.RU, "Здравствуйте!"),
    ]


async def test_deleting_a_canned_reply_removes_every_locale(
    db: Database, clock: FrozenClock
) -> None:
    service = _service(db, clock)
    await service.set_canned("hello", Locale.RU, "Здравствуйте!")
    await service.set_canned("hello", Locale.EN, "Hello!")
    assert await service.delete_canned("HeLLo")
    assert await service.canned("hello", Locale.EN) is None
    assert await service.canned("hello", Locale.RU) is None
    assert not await service.delete_canned("hello")


async def test_open_count_counts_past_the_listed_queue(db: Database, clock: FrozenClock) -> None:
    service = _service(db, clock)
    for customer in range(QUEUE_LIMIT + 3):
        await service.open_ticket(
            Person(customer + 1, f"c{customer}"), locale=Locale.RU, description=None
        )
    assert len(await service.queue()) == QUEUE_LIMIT
    assert await service.open_count() == QUEUE_LIMIT + 3


async def _nothing(_: Ticket) -> None:
    return None
