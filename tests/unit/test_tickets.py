import itertools
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.clock import FrozenClock
from bot.services.hours import SupportHours
from bot.services.tickets import (
    QUEUE_LIMIT,
    CannotRelay,
    Fed,
    HeldByOther,
    Opened,
    Person,
    TicketClosed,
    TicketNotFound,
    TicketPolicy,
    TicketService,
    Written,
)
from storage.db import Database
from storage.tickets import Ticket, TicketRepo

POLICY = TicketPolicy(first_response_minutes=15, reopen_hours=24, customer_messages_per_minute=3)
CUSTOMER = Person(100, "Anna", "anna")
OTHER = Person(200, "Ivan")
THIRD = Person(300, "Olga")
AGENT = Person(900, "Boris")
AGENT2 = Person(901, "Vera")
FORUM = -1001234567890

_message_ids = itertools.count(1)


class Kicks:
    """on_new_work: counts how often the relay was woken."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, ticket_id: int, to_customer: bool) -> None:
        self.count += 1


def _service(
    db: Database, clock: FrozenClock, kicks: Kicks | None = None, window: str = ""
) -> TicketService:
    return TicketService(
        db,
        TicketRepo(db),
        clock,
        SupportHours(window, "Europe/Moscow"),
        POLICY,
        on_new_work=kicks or Kicks(),
    )


def _said(text: str, who: Person = CUSTOMER) -> Written:
    return Written("text", who.id, next(_message_ids), text=text)


def _replied(text: str) -> Written:
    return Written("text", FORUM, next(_message_ids), text=text)


async def _open(service: TicketService, who: Person = CUSTOMER, text: str = "My parcel is late"):
    return await service.open_ticket(who, locale="ru", description=_said(text, who))


async def _feed(service: TicketService, who: Person, written: Written) -> Fed:
    return await service.customer_wrote(who, written, locale="ru")


async def _messages(db: Database, ticket_id: int) -> list[tuple]:
    rows = await db.fetchall(
        "SELECT direction, kind, text, author_id, edit_of, relayed_at IS NOT NULL "
        "FROM ticket_messages WHERE ticket_id = :id ORDER BY id",
        {"id": ticket_id},
    )
    return [tuple(r) for r in rows]


async def _texts(db: Database, ticket_id: int) -> list[str]:
    return [m[2] for m in await _messages(db, ticket_id)]


# open_ticket


async def test_open_ticket_creates_a_new_ticket_with_the_description(
    db: Database, clock: FrozenClock
) -> None:
    kicks = Kicks()
    service = _service(db, clock, kicks)
    opened = await _open(service, text="  My   parcel\n\tis  late  ")
    assert opened.created
    assert opened.ticket.status == "new"
    assert opened.ticket.subject == "My parcel is late"
    assert opened.ticket.customer_id == CUSTOMER.id
    assert opened.ticket.created_at == clock.now()
    assert opened.position == 1
    assert opened.answer_within == 15
    assert opened.agents_back_at is None
    assert await _messages(db, opened.ticket.id) == [
        ("in", "text", "  My   parcel\n\tis  late  ", CUSTOMER.id, None, 0)
    ]
    assert kicks.count == 1


async def test_subject_is_trimmed_to_sixty_characters_at_a_word(
    db: Database, clock: FrozenClock
) -> None:
    words = "  ".join(f"word{i}" for i in range(30))
    opened = await _open(_service(db, clock), text=words)
    assert len(opened.ticket.subject) <= 60
    assert opened.ticket.subject == "word0 word1 word2 word3 word4 word5 word6 word7 word8 word9…"


async def test_subject_falls_back_to_the_problem_without_a_description(
    db: Database, clock: FrozenClock
) -> None:
    service = _service(db, clock)
    opened = await service.open_ticket(
        CUSTOMER, locale="en", description=None, order_number="1-1", problem="not  delivered"
    )
    assert opened.ticket.subject == "not delivered"
    assert (opened.ticket.order_number, opened.ticket.locale) == ("1-1", "en")
    assert await _messages(db, opened.ticket.id) == []


async def test_queue_position_counts_new_tickets_ahead(db: Database, clock: FrozenClock) -> None:
    service = _service(db, clock)
    first = await _open(service, CUSTOMER)
    second = await _open(service, OTHER)
    assert (first.position, second.position) == (1, 2)
    await service.take(first.ticket.id, AGENT)
    third = await _open(service, THIRD)
    assert third.position == 2


async def test_second_open_joins_the_open_ticket(db: Database, clock: FrozenClock) -> None:
    kicks = Kicks()
    service = _service(db, clock, kicks)
    first = await _open(service, text="first")
    clock.advance(minutes=2)
    again = await _open(service, text="second")
    assert not again.created
    assert again.ticket.id == first.ticket.id
    assert again.ticket.subject == "first"
    assert await _texts(db, first.ticket.id) == ["first", "second"]
    assert (await db.fetchone("SELECT count(*) FROM tickets"))[0] == 1
    assert kicks.count == 2


async def test_opening_outside_support_hours_says_when_agents_are_back(db: Database) -> None:
    clock = FrozenClock(datetime(2026, 11, 1, 19, 0, tzinfo=UTC))  # 22:00 in Moscow
    opened = await _open(_service(db, clock, window="09:00-21:00"))
    assert opened.agents_back_at == datetime(2026, 11, 2, 6, 0, tzinfo=UTC)


# customer_wrote


async def test_message_without_any_ticket_is_not_taken(db: Database, clock: FrozenClock) -> None:
    kicks = Kicks()
    service = _service(db, clock, kicks)
    fed = await _feed(service, CUSTOMER, _said("hello?"))
    assert fed.ticket is None
    assert not (fed.banned or fed.throttled or fed.reopened)
    assert (await db.fetchone("SELECT count(*) FROM ticket_messages"))[0] == 0
    assert kicks.count == 0


async def test_message_goes_into_the_open_ticket(db: Database, clock: FrozenClock) -> None:
    kicks = Kicks()
    service = _service(db, clock, kicks)
    opened = await _open(service)
    fed = await _feed(service, CUSTOMER, _said("any news?"))
    assert fed.ticket is not None
    assert fed.ticket.id == opened.ticket.id
    assert not (fed.reopened or fed.throttled or fed.banned)
    pending = await TicketRepo(db).pending()
    assert [(m.direction, m.text, m.relayed) for m in pending] == [
        ("in", "My parcel is late", False),
        ("in", "any news?", False),
    ]
    assert kicks.count == 2


async def test_a_message_handled_again_after_a_crash_is_stored_once(
    db: Database, clock: FrozenClock
) -> None:
    service = _service(db, clock)
    opened = await _open(service)
    again = _said("any news?")
    await _feed(service, CUSTOMER, again)
    await _feed(service, CUSTOMER, again)
    reply = _replied("Checking")
    await service.agent_wrote(opened.ticket.id, AGENT, reply)
    await service.agent_wrote(opened.ticket.id, AGENT, reply)
    assert await _texts(db, opened.ticket.id) == ["My parcel is late", "any news?", "Checking"]


async def test_a_complaint_by_button_again_after_the_first_closed_has_its_words(
    db: Database, clock: FrozenClock
) -> None:
    service = _service(db, clock)
    tapped = Written("text", CUSTOMER.id, None, text="Order 1: late")  # no message of theirs
    first = await service.open_ticket(CUSTOMER, locale="ru", description=tapped, problem="late")
    await service.close(first.ticket.id)
    second = await service.open_ticket(CUSTOMER, locale="ru", description=tapped, problem="late")
    assert second.ticket.id != first.ticket.id
    assert await _texts(db, second.ticket.id) == ["Order 1: late"]


async def test_banned_customer_is_told_and_nothing_is_stored(
    db: Database, clock: FrozenClock
) -> None:
    kicks = Kicks()
    service = _service(db, clock, kicks)
    opened = await _open(service)
    await service.ban(CUSTOMER.id, by=AGENT.id)
    assert await service.is_banned(CUSTOMER.id)
    fed = await _feed(service, CUSTOMER, _said("let me in"))
    assert fed.banned
    assert fed.ticket is None
    assert await _texts(db, opened.ticket.id) == ["My parcel is late"]
    assert kicks.count == 1
    assert await service.unban(CUSTOMER.id)
    assert not (await _feed(service, CUSTOMER, _said("sorry"))).banned


async def test_fourth_message_in_a_minute_is_throttled(db: Database, clock: FrozenClock) -> None:
    kicks = Kicks()
    service = _service(db, clock, kicks)
    opened = await _open(service)
    clock.advance(minutes=1)  # the description no longer counts
    for n in range(3):
        assert not (await _feed(service, CUSTOMER, _said(f"m{n}"))).throttled
    fed = await _feed(service, CUSTOMER, _said("too many"))
    assert fed.throttled
    assert fed.ticket is not None
    assert fed.ticket.id == opened.ticket.id
    assert "too many" not in await _texts(db, opened.ticket.id)
    assert kicks.count == 4
    clock.advance(minutes=1)
    assert not (await _feed(service, CUSTOMER, _said("later"))).throttled
    assert (await _texts(db, opened.ticket.id))[-1] == "later"


async def test_description_counts_towards_the_rate_limit(db: Database, clock: FrozenClock) -> None:
    service = _service(db, clock)
    await _open(service)
    for n in range(2):
        assert not (await _feed(service, CUSTOMER, _said(f"m{n}"))).throttled
    assert (await _feed(service, CUSTOMER, _said("third"))).throttled


async def test_rate_limit_is_per_customer(db: Database, clock: FrozenClock) -> None:
    service = _service(db, clock)
    await _open(service, CUSTOMER)
    await _open(service, OTHER)
    for n in range(2):
        await _feed(service, CUSTOMER, _said(f"m{n}"))
    assert (await _feed(service, CUSTOMER, _said("x"))).throttled
    assert not (await _feed(service, OTHER, _said("y", OTHER))).throttled


async def test_closed_ticket_is_reopened_as_new_within_the_window(
    db: Database, clock: FrozenClock
) -> None:
    service = _service(db, clock)
    opened = await _open(service)
    await service.close(opened.ticket.id)
    clock.advance(hours=23, minutes=59)
    fed = await _feed(service, CUSTOMER, _said("it came broken"))
    assert fed.reopened
    assert fed.ticket is not None
    assert fed.ticket.id == opened.ticket.id
    ticket = await service.get(opened.ticket.id)
    assert ticket.status == "new"
    assert ticket.closed_at is None
    assert (await service.open_of(CUSTOMER.id)) == ticket
    assert (await _texts(db, ticket.id))[-1] == "it came broken"


async def test_closed_ticket_with_an_assignee_reopens_as_taken(
    db: Database, clock: FrozenClock
) -> None:
    service = _service(db, clock)
    opened = await _open(service)
    await service.take(opened.ticket.id, AGENT)
    await service.close(opened.ticket.id)
    clock.advance(hours=1)
    fed = await _feed(service, CUSTOMER, _said("one more thing"))
    assert fed.reopened
    ticket = await service.get(opened.ticket.id)
    assert (ticket.status, ticket.assignee_id) == ("taken", AGENT.id)


async def test_after_the_window_a_message_opens_a_new_ticket(
    db: Database, clock: FrozenClock
) -> None:
    kicks = Kicks()
    service = _service(db, clock, kicks)
    old = await service.open_ticket(
        CUSTOMER, locale="ru", description=_said("first problem"), account_id="A1"
    )
    await service.close(old.ticket.id)
    clock.advance(hours=24, minutes=1)
    fed = await _feed(service, CUSTOMER, _said("  a   new problem "))
    assert not fed.reopened
    assert fed.opened is not None
    assert fed.opened.created
    assert fed.ticket is not None
    assert fed.ticket.id == fed.opened.ticket.id != old.ticket.id
    assert (fed.ticket.status, fed.ticket.subject, fed.ticket.account_id) == (
        "new",
        "a new problem",
        "A1",
    )
    assert fed.ticket.created_at == clock.now()
    assert (await service.get(old.ticket.id)).status == "closed"
    assert await _texts(db, old.ticket.id) == ["first problem"]
    assert await _texts(db, fed.ticket.id) == ["  a   new problem "]
    assert kicks.count == 2


async def test_reopen_window_ends_after_reopen_hours(db: Database, clock: FrozenClock) -> None:
    service = _service(db, clock)
    opened = await _open(service)
    await service.close(opened.ticket.id)
    clock.advance(hours=24)
    assert (await _feed(service, CUSTOMER, _said("just in time"))).reopened


async def test_throttled_message_does_not_reopen_a_ticket_silently(
    db: Database, clock: FrozenClock
) -> None:
    service = _service(db, clock)
    opened = await _open(service)
    for n in range(2):
        await _feed(service, CUSTOMER, _said(f"m{n}"))
    await service.close(opened.ticket.id)
    clock.advance(seconds=30)
    fed = await _feed(service, CUSTOMER, _said("wait"))
    assert fed.throttled
    assert fed.reopened or (await service.get(opened.ticket.id)).status == "closed"


async def test_a_kind_no_bot_can_pass_on_is_not_taken_nor_reopens(
    db: Database, clock: FrozenClock
) -> None:
    service = _service(db, clock)
    opened = await _open(service)
    story = Written("other", CUSTOMER.id, next(_message_ids))
    fed = await _feed(service, CUSTOMER, story)
    assert fed.cannot_relay and fed.ticket is not None
    await service.close(opened.ticket.id)
    assert (await _feed(service, CUSTOMER, story)).cannot_relay
    assert (await service.get(opened.ticket.id)).status == "closed"
    with pytest.raises(CannotRelay):
        await service.agent_wrote(opened.ticket.id, AGENT, Written("other", FORUM, 1))


# agent_wrote


async def test_agent_reply_assigns_and_waits_for_the_customer(
    db: Database, clock: FrozenClock
) -> None:
    kicks = Kicks()
    service = _service(db, clock, kicks)
    opened = await _open(service)
    clock.advance(minutes=5)
    answered_at = clock.now()
    ticket = await service.agent_wrote(opened.ticket.id, AGENT, _replied("Checking"))
    assert (ticket.assignee_id, ticket.assignee_name) == (AGENT.id, AGENT.name)
    assert ticket.status == "waiting"
    assert ticket.first_response_at == answered_at
    assert (await _messages(db, ticket.id))[-1] == ("out", "text", "Checking", AGENT.id, None, 0)
    assert kicks.count == 2


async def test_first_response_is_recorded_once(db: Database, clock: FrozenClock) -> None:
    service = _service(db, clock)
    opened = await _open(service)
    clock.advance(minutes=5)
    first = await service.agent_wrote(opened.ticket.id, AGENT, _replied("one"))
    clock.advance(minutes=5)
    second = await service.agent_wrote(opened.ticket.id, AGENT2, _replied("two"))
    assert second.first_response_at == first.first_response_at
    assert second.assignee_id == AGENT.id  # a colleague's reply does not take the ticket


async def test_customer_answer_moves_waiting_back_to_taken(
    db: Database, clock: FrozenClock
) -> None:
    service = _service(db, clock)
    opened = await _open(service)
    await service.agent_wrote(opened.ticket.id, AGENT, _replied("Order number?"))
    clock.advance(minutes=1)
    await _feed(service, CUSTOMER, _said("12345678-0001"))
    assert (await service.get(opened.ticket.id)).status == "taken"


async def test_customer_joining_open_ticket_moves_waiting_back_to_taken(
    db: Database, clock: FrozenClock
) -> None:
    service = _service(db, clock)
    opened = await _open(service)
    await service.agent_wrote(opened.ticket.id, AGENT, _replied("Anything else?"))
    await _open(service, text="yes")
    assert (await service.get(opened.ticket.id)).status == "taken"


async def test_agent_reply_reopens_a_closed_ticket(db: Database, clock: FrozenClock) -> None:
    service = _service(db, clock)
    opened = await _open(service)
    await service.close(opened.ticket.id)
    clock.advance(hours=2)
    ticket = await service.agent_wrote(opened.ticket.id, AGENT, _replied("One more thing"))
    assert ticket.status == "waiting"
    assert ticket.closed_at is None
    assert ticket.assignee_id == AGENT.id
    assert (await service.open_of(CUSTOMER.id)) == ticket


async def test_agent_reply_in_an_old_ticket_keeps_one_open_ticket_per_customer(
    db: Database, clock: FrozenClock
) -> None:
    service = _service(db, clock)
    old = await _open(service, text="old")
    await service.close(old.ticket.id)
    new = await _open(service, text="new")
    assert new.created
    await service.agent_wrote(old.ticket.id, AGENT, _replied("late answer in the old topic"))
    row = await db.fetchone(
        "SELECT count(*) FROM tickets WHERE customer_id = :c AND status != 'closed'",
        {"c": CUSTOMER.id},
    )
    assert row is not None
    assert row[0] <= 1


async def test_agent_reply_to_unknown_ticket_raises(db: Database, clock: FrozenClock) -> None:
    with pytest.raises(TicketNotFound):
        await _service(db, clock).agent_wrote(999, AGENT, _replied("?"))


# take, close, rate, comment


async def test_take_assigns_and_the_last_taker_owns_it(db: Database, clock: FrozenClock) -> None:
    service = _service(db, clock)
    opened = await _open(service)
    taken = await service.take(opened.ticket.id, AGENT)
    assert (taken.status, taken.assignee_id) == ("taken", AGENT.id)
    handed = await service.take(opened.ticket.id, AGENT2, over=True)
    assert (handed.status, handed.assignee_id, handed.assignee_name) == (
        "taken",
        AGENT2.id,
        AGENT2.name,
    )


async def test_take_keeps_waiting_status(db: Database, clock: FrozenClock) -> None:
    service = _service(db, clock)
    opened = await _open(service)
    await service.agent_wrote(opened.ticket.id, AGENT, _replied("hi"))
    handed = await service.take(opened.ticket.id, AGENT2, over=True)
    assert (handed.status, handed.assignee_id) == ("waiting", AGENT2.id)


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
        CUSTOMER, locale="ru", description=None, context={"recovery_id": 7}
    )
    decided = await service.decided(opened.ticket.id, False, "Boris")
    assert decided.status == "closed"
    assert decided.context == {"recovery_id": 7, "decision": {"approved": False, "by": "Boris"}}
    assert await service.queue() == []


async def test_a_complaint_about_another_order_moves_the_open_ticket(
    db: Database, clock: FrozenClock
) -> None:
    service = _service(db, clock)

    async def complain(number: str, problem: str) -> Opened:
        return await service.open_ticket(
            CUSTOMER,
            locale="ru",
            description=_said(f"Order {number}: {problem}"),
            order_number=number,
            problem=problem,
        )

    first = await complain("1-1", "late")
    same = await complain("1-1", "late")
    assert (same.created, same.changed) == (False, False)
    moved = await complain("2-2", "damaged")
    assert (moved.created, moved.changed, moved.ticket.id) == (False, True, first.ticket.id)
    assert (moved.ticket.order_number, moved.ticket.problem) == ("2-2", "damaged")
    assert moved.ticket.subject == "Order 2-2: damaged"


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
    assert closed.status == "closed"
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
    assert (closed.id, closed.status) == (opened.ticket.id, "closed")
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


# notes, events, edits


async def test_note_is_stored_as_relayed(db: Database, clock: FrozenClock) -> None:
    service = _service(db, clock)
    opened = await _open(service)
    await TicketRepo(db).relayed(1, 55, clock.now())
    await service.note(opened.ticket.id, AGENT, _replied("VIP customer"))
    assert (await _messages(db, opened.ticket.id))[-1] == (
        "note",
        "text",
        "VIP customer",
        AGENT.id,
        None,
        1,
    )
    assert await TicketRepo(db).pending() == []
    with pytest.raises(TicketNotFound):
        await service.note(999, AGENT, _replied("?"))


async def test_event_is_pending(db: Database, clock: FrozenClock) -> None:
    kicks = Kicks()
    service = _service(db, clock, kicks)
    opened = await _open(service)
    await service.event(opened.ticket.id, "Customer rated 5")
    pending = await TicketRepo(db).pending()
    assert [(m.direction, m.text) for m in pending][-1] == ("event", "Customer rated 5")
    assert kicks.count == 2


async def test_customer_edit_is_linked_to_the_original(db: Database, clock: FrozenClock) -> None:
    kicks = Kicks()
    service = _service(db, clock, kicks)
    opened = await _open(service)
    said = _said("wrong number 123")
    await _feed(service, CUSTOMER, said)
    original = await TicketRepo(db).by_source(said.chat_id, said.message_id)
    assert original is not None
    clock.advance(minutes=2)
    assert await service.customer_edited(said.chat_id, said.message_id, "number 124")
    edit = (await TicketRepo(db).pending())[-1]
    assert (edit.ticket_id, edit.direction, edit.kind, edit.text) == (
        opened.ticket.id,
        "in",
        "edit",
        "number 124",
    )
    assert edit.edit_of == original.id
    assert edit.author_id == CUSTOMER.id
    assert edit.created_at == clock.now()
    assert not edit.relayed
    assert kicks.count == 3


async def test_edit_of_an_unknown_message_is_ignored(db: Database, clock: FrozenClock) -> None:
    kicks = Kicks()
    service = _service(db, clock, kicks)
    opened = await _open(service)
    reply = _replied("agent text")
    await service.agent_wrote(opened.ticket.id, AGENT, reply)
    assert not await service.customer_edited(CUSTOMER.id, 424242, "new")
    assert not await service.customer_edited(reply.chat_id, reply.message_id, "new")
    assert [m[1] for m in await _messages(db, opened.ticket.id)] == ["text", "text"]
    assert kicks.count == 2


async def test_agent_edit_is_queued_after_the_reply_it_edits(
    db: Database, clock: FrozenClock
) -> None:
    service = _service(db, clock)
    said = _said("hello")
    opened = await service.open_ticket(CUSTOMER, locale="ru", description=said)
    reply = _replied("hi")
    await service.agent_wrote(opened.ticket.id, AGENT, reply)
    assert await service.agent_edited(reply.chat_id, reply.message_id, "hi there")
    pending = await TicketRepo(db).pending()
    original, edit = pending[-2], pending[-1]
    assert (original.direction, original.kind, original.text) == ("out", "text", "hi")
    assert (edit.direction, edit.kind, edit.text, edit.edit_of) == (
        "out",
        "edit",
        "hi there",
        original.id,
    )
    # A customer's message is not the agent's to edit.
    assert not await service.agent_edited(said.chat_id, said.message_id, "x")


# canned replies


async def test_canned_reply_per_locale_with_fallback(db: Database, clock: FrozenClock) -> None:
    service = _service(db, clock)
    await service.set_canned("Hello", "ru", "Здравствуйте!")
    assert await service.canned("hello", "ru") == "Здравствуйте!"
    assert await service.canned("HELLO", "en") == "Здравствуйте!"  # the only one there is
    await service.set_canned("hello", "en", "Hello!")
    assert await service.canned("Hello", "en") == "Hello!"
    assert await service.canned("hello", "ru") == "Здравствуйте!"
    await service.set_canned("HELLO", "en", "Hi!")
    assert await service.canned("hello", "en") == "Hi!"
    assert await service.canned("bye", "en") is None
    assert await service.canned_list() == [
        ("hello", "en", "Hi!"),
        ("hello", "ru", "Здравствуйте!"),
    ]


async def test_deleting_a_canned_reply_removes_every_locale(
    db: Database, clock: FrozenClock
) -> None:
    service = _service(db, clock)
    await service.set_canned("hello", "ru", "Здравствуйте!")
    await service.set_canned("hello", "en", "Hello!")
    assert await service.delete_canned("HeLLo")
    assert await service.canned("hello", "en") is None
    assert await service.canned("hello", "ru") is None
    assert not await service.delete_canned("hello")


# TicketRepo.pending


async def test_pending_lists_unrelayed_unfailed_messages_in_order(
    db: Database, clock: FrozenClock
) -> None:
    service = _service(db, clock)
    repo = TicketRepo(db)
    opened = await _open(service, text="m1")
    clock.advance(minutes=1)
    for text in ("m2", "m3", "m4"):
        await _feed(service, CUSTOMER, _said(text))
    clock.advance(minutes=1)
    await service.note(opened.ticket.id, AGENT, _replied("note"))
    await service.agent_wrote(opened.ticket.id, AGENT, _replied("m5"))
    ids = [m.id for m in await repo.pending()]
    assert ids == sorted(ids)
    by_text = {m.text: m.id for m in await repo.pending()}
    await repo.relayed(by_text["m1"], 501, clock.now())
    await repo.failed(by_text["m3"], "chat not found")
    await repo.attempt(by_text["m2"])
    pending = await repo.pending()
    assert [m.text for m in pending] == ["m2", "m4", "m5"]
    assert pending[0].attempts == 1
    assert [m.text for m in await repo.pending(limit=2)] == ["m2", "m4"]
    assert clock.now() - timedelta(minutes=1) == pending[0].created_at


async def test_open_count_counts_past_the_listed_queue(db: Database, clock: FrozenClock) -> None:
    service = _service(db, clock)
    for customer in range(QUEUE_LIMIT + 3):
        await service.open_ticket(
            Person(customer + 1, f"c{customer}"), locale="ru", description=None
        )
    assert len(await service.queue()) == QUEUE_LIMIT
    assert await service.open_count() == QUEUE_LIMIT + 3


async def _nothing(_: Ticket) -> None:
    return None
