import itertools
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.clock import FrozenClock
from bot.domain.values import Direction, Locale, MessageKind, TicketStatus
from bot.services.hours import SupportHours
from bot.services.tickets import (
    CannotRelay,
    Fed,
    Opened,
    Person,
    TicketNotFound,
    TicketPolicy,
    TicketRepos,
    TicketService,
    Written,
)
from storage.db import Database
from storage.messages import MessageRepo

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
        TicketRepos.over(db),
        clock,
        SupportHours(window, "Europe/Moscow"),
        POLICY,
        on_new_work=kicks or Kicks(),
    )


def _said(text: str, who: Person = CUSTOMER) -> Written:
    return Written(MessageKind.TEXT, who.id, next(_message_ids), text=text)


def _replied(text: str) -> Written:
    return Written(MessageKind.TEXT, FORUM, next(_message_ids), text=text)


async def _open(service: TicketService, who: Person = CUSTOMER, text: str = "My parcel is late"):
    return await service.open_ticket(who, locale=Locale.RU, description=_said(text, who))


async def _feed(service: TicketService, who: Person, written: Written) -> Fed:
    return await service.customer_wrote(who, written, locale=Locale.RU)


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
    assert opened.ticket.status == TicketStatus.NEW
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
        CUSTOMER, locale=Locale.EN, description=None, order_number="1-1", problem="not  delivered"
    )
    assert opened.ticket.subject == "not delivered"
    assert (opened.ticket.order_number, opened.ticket.locale) == ("1-1", Locale.EN)
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
    pending = await MessageRepo(db).pending()
    assert [(m.direction, m.text, m.relayed) for m in pending] == [
        (Direction.IN, "My parcel is late", False),
        (Direction.IN, "any news?", False),
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
    tapped = Written(
        MessageKind.TEXT, CUSTOMER.id, None, text="Order 1: late"
    )  # no message of theirs
    first = await service.open_ticket(
        CUSTOMER, locale=Locale.RU, description=tapped, problem="late"
    )
    await service.close(first.ticket.id)
    second = await service.open_ticket(
        CUSTOMER, locale=Locale.RU, description=tapped, problem="late"
    )
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
    assert ticket.status == TicketStatus.NEW
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
    assert (ticket.status, ticket.assignee_id) == (TicketStatus.TAKEN, AGENT.id)


async def test_after_the_window_a_message_opens_a_new_ticket(
    db: Database, clock: FrozenClock
) -> None:
    kicks = Kicks()
    service = _service(db, clock, kicks)
    old = await service.open_ticket(
        CUSTOMER, locale=Locale.RU, description=_said("first problem"), account_id="A1"
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
        TicketStatus.NEW,
        "a new problem",
        "A1",
    )
    assert fed.ticket.created_at == clock.now()
    assert (await service.get(old.ticket.id)).status == TicketStatus.CLOSED
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
    assert fed.reopened or (await service.get(opened.ticket.id)).status == TicketStatus.CLOSED


async def test_a_kind_no_bot_can_pass_on_is_not_taken_nor_reopens(
    db: Database, clock: FrozenClock
) -> None:
    service = _service(db, clock)
    opened = await _open(service)
    story = Written(MessageKind.OTHER, CUSTOMER.id, next(_message_ids))
    fed = await _feed(service, CUSTOMER, story)
    assert fed.cannot_relay and fed.ticket is not None
    await service.close(opened.ticket.id)
    assert (await _feed(service, CUSTOMER, story)).cannot_relay
    assert (await service.get(opened.ticket.id)).status == TicketStatus.CLOSED
    with pytest.raises(CannotRelay):
        await service.agent_wrote(opened.ticket.id, AGENT, Written(MessageKind.OTHER, FORUM, 1))


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
    assert ticket.status == TicketStatus.WAITING
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
    assert (await service.get(opened.ticket.id)).status == TicketStatus.TAKEN


async def test_customer_joining_open_ticket_moves_waiting_back_to_taken(
    db: Database, clock: FrozenClock
) -> None:
    service = _service(db, clock)
    opened = await _open(service)
    await service.agent_wrote(opened.ticket.id, AGENT, _replied("Anything else?"))
    await _open(service, text="yes")
    assert (await service.get(opened.ticket.id)).status == TicketStatus.TAKEN


async def test_agent_reply_reopens_a_closed_ticket(db: Database, clock: FrozenClock) -> None:
    service = _service(db, clock)
    opened = await _open(service)
    await service.close(opened.ticket.id)
    clock.advance(hours=2)
    ticket = await service.agent_wrote(opened.ticket.id, AGENT, _replied("One more thing"))
    assert ticket.status == TicketStatus.WAITING
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


async def test_a_complaint_about_another_order_moves_the_open_ticket(
    db: Database, clock: FrozenClock
) -> None:
    service = _service(db, clock)

    async def complain(number: str, problem: str) -> Opened:
        return await service.open_ticket(
            CUSTOMER,
            locale=Locale.RU,
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


# notes, events, edits


async def test_note_is_stored_as_relayed(db: Database, clock: FrozenClock) -> None:
    service = _service(db, clock)
    opened = await _open(service)
    await MessageRepo(db).relayed(1, 55, clock.now())
    await service.note(opened.ticket.id, AGENT, _replied("VIP customer"))
    assert (await _messages(db, opened.ticket.id))[-1] == (
        "note",
        "text",
        "VIP customer",
        AGENT.id,
        None,
        1,
    )
    assert await MessageRepo(db).pending() == []
    with pytest.raises(TicketNotFound):
        await service.note(999, AGENT, _replied("?"))


async def test_event_is_pending(db: Database, clock: FrozenClock) -> None:
    kicks = Kicks()
    service = _service(db, clock, kicks)
    opened = await _open(service)
    await service.event(opened.ticket.id, "Customer rated 5")
    pending = await MessageRepo(db).pending()
    assert [(m.direction, m.text) for m in pending][-1] == (Direction.EVENT, "Customer rated 5")
    assert kicks.count == 2


async def test_customer_edit_is_linked_to_the_original(db: Database, clock: FrozenClock) -> None:
    kicks = Kicks()
    service = _service(db, clock, kicks)
    opened = await _open(service)
    said = _said("wrong number 123")
    await _feed(service, CUSTOMER, said)
    original = await MessageRepo(db).by_source(said.chat_id, said.message_id)
    assert original is not None
    clock.advance(minutes=2)
    assert await service.customer_edited(said.chat_id, said.message_id, "number 124")
    edit = (await MessageRepo(db).pending())[-1]
    assert (edit.ticket_id, edit.direction, edit.kind, edit.text) == (
        opened.ticket.id,
        Direction.IN,
        MessageKind.EDIT,
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
    opened = await service.open_ticket(CUSTOMER, locale=Locale.RU, description=said)
    reply = _replied("hi")
    await service.agent_wrote(opened.ticket.id, AGENT, reply)
    assert await service.agent_edited(reply.chat_id, reply.message_id, "hi there")
    pending = await MessageRepo(db).pending()
    original, edit = pending[-2], pending[-1]
    assert (original.direction, original.kind, original.text) == (
        Direction.OUT,
        MessageKind.TEXT,
        "hi",
    )
    assert (edit.direction, edit.kind, edit.text, edit.edit_of) == (
        Direction.OUT,
        MessageKind.EDIT,
        "hi there",
        original.id,
    )
    # A customer's message is not the agent's to edit.
    assert not await service.agent_edited(said.chat_id, said.message_id, "x")


# MessageRepo.pending


async def test_pending_lists_unrelayed_unfailed_messages_in_order(
    db: Database, clock: FrozenClock
) -> None:
    service = _service(db, clock)
    repo = MessageRepo(db)
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
