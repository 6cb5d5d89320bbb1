"""Agents online per forum (/online, /away), whom a new ticket is given to (AUTO_ASSIGN),
and overdue tickets told to the forum at the target and to the admins at twice it."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.domain.clock import FrozenClock
from bot.domain.forums import ForumLane
from bot.domain.values import Direction, TicketStatus
from bot.services.assignment import choose_agent
from bot.services.hours import SupportHours
from bot.services.routing import Lanes
from bot.services.tickets import TicketRepos, TicketService
from storage.db import Database
from storage.presence import OnlineAgent, PresenceRepo
from storage.tickets import Ticket
from tests.unit.test_tickets import (
    AGENT,
    AGENT2,
    CUSTOMER,
    FORUM,
    OTHER,
    POLICY,
    THIRD,
    Kicks,
    _open,
    _replied,
)

OTHER_FORUM = FORUM - 1
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _service(db: Database, clock: FrozenClock, *, auto: bool = True) -> TicketService:
    lanes = Lanes((ForumLane(chat_id=FORUM),))
    service = TicketService(
        db,
        TicketRepos.over(db),
        clock,
        SupportHours("", "Europe/Moscow"),
        replace(POLICY, lanes=lanes, auto_assign=auto),
        on_new_work=Kicks(),
    )
    service.assigned_line = lambda: "given to you"
    return service


def _agent(agent_id: int, open_tickets: int, minutes_online: int) -> OnlineAgent:
    return OnlineAgent(
        agent_id, f"A{agent_id}", T0 - timedelta(minutes=minutes_online), open_tickets
    )


# the choice


def test_nobody_online_nobody_chosen() -> None:
    assert choose_agent([]) is None


def test_the_agent_with_fewest_open_tickets_is_chosen() -> None:
    chosen = choose_agent([_agent(1, 3, 60), _agent(2, 1, 5), _agent(3, 2, 90)])
    assert chosen is not None and chosen.agent_id == 2


def test_on_a_tie_the_one_online_longest_then_the_lowest_id() -> None:
    chosen = choose_agent([_agent(1, 1, 5), _agent(2, 1, 30), _agent(3, 4, 99)])
    assert chosen is not None and chosen.agent_id == 2
    chosen = choose_agent([_agent(7, 0, 10), _agent(4, 0, 10), _agent(5, 0, 10)])
    assert chosen is not None and chosen.agent_id == 4


# presence


async def test_presence_is_per_forum_and_away_ends_it(db: Database, clock: FrozenClock) -> None:
    service, repo = _service(db, clock), PresenceRepo(db)
    await service.presence.online(FORUM, AGENT)
    await service.presence.online(OTHER_FORUM, AGENT)
    await service.presence.online(FORUM, AGENT2)
    assert {a.agent_id for a in await repo.online_in(FORUM)} == {AGENT.id, AGENT2.id}
    assert await service.presence.away(FORUM, AGENT.id) is True
    assert await service.presence.away(FORUM, AGENT.id) is False  # was not online any more
    assert [a.agent_id for a in await repo.online_in(FORUM)] == [AGENT2.id]
    assert [a.agent_id for a in await repo.online_in(OTHER_FORUM)] == [AGENT.id]


async def test_online_again_keeps_the_time_and_takes_the_new_name(
    db: Database, clock: FrozenClock
) -> None:
    service, repo = _service(db, clock), PresenceRepo(db)
    since = clock.now()
    await service.presence.online(FORUM, AGENT)
    clock.advance(minutes=30)
    await service.presence.online(FORUM, replace(AGENT, name="Boris B."))
    [online] = await repo.online_in(FORUM)
    assert (online.name, online.online_since, online.open_tickets) == ("Boris B.", since, 0)


# auto-assignment


async def _events(db: Database, ticket_id: int) -> list[tuple]:
    rows = await db.fetchall(
        "SELECT text, author_id, author_name FROM ticket_messages "
        "WHERE ticket_id = :id AND direction = :event ORDER BY id",
        {"id": ticket_id, "event": Direction.EVENT},
    )
    return [tuple(r) for r in rows]


async def test_a_new_ticket_goes_to_the_online_agent_and_mentions_them(
    db: Database, clock: FrozenClock
) -> None:
    service = _service(db, clock)
    await service.presence.online(FORUM, AGENT)
    opened = await _open(service)
    ticket = opened.ticket
    assert (ticket.assignee_id, ticket.assignee_name) == (AGENT.id, AGENT.name)
    assert ticket.status == TicketStatus.TAKEN and ticket.first_response_at is None
    assert ticket.forum_id == FORUM
    assert await _events(db, ticket.id) == [("given to you", AGENT.id, AGENT.name)]
    # The event follows the customer's words: the card carries those, then the line.
    directions = await db.fetchall(
        "SELECT direction FROM ticket_messages WHERE ticket_id = :id ORDER BY id",
        {"id": ticket.id},
    )
    assert [r[0] for r in directions] == [Direction.IN, Direction.EVENT]


async def test_without_anyone_online_or_with_the_setting_off_tickets_wait(
    db: Database, clock: FrozenClock
) -> None:
    service = _service(db, clock)
    nobody = await _open(service, CUSTOMER)
    assert nobody.ticket.assignee_id is None and await _events(db, nobody.ticket.id) == []
    await service.presence.online(OTHER_FORUM, AGENT)  # online elsewhere only
    elsewhere = await _open(service, OTHER)
    assert elsewhere.ticket.assignee_id is None
    off = _service(db, clock, auto=False)
    await off.presence.online(FORUM, AGENT)
    assert (await _open(off, THIRD)).ticket.assignee_id is None


async def test_tickets_go_to_the_agent_with_fewest_open_and_away_stops_it(
    db: Database, clock: FrozenClock
) -> None:
    service = _service(db, clock)
    await service.presence.online(FORUM, AGENT)
    clock.advance(minutes=1)
    await service.presence.online(FORUM, AGENT2)
    first = await _open(service, CUSTOMER)
    second = await _open(service, OTHER)
    assert (first.ticket.assignee_id, second.ticket.assignee_id) == (AGENT.id, AGENT2.id)
    await service.close(first.ticket.id)  # Boris has none open again: his turn
    third = await _open(service, THIRD)
    assert third.ticket.assignee_id == AGENT.id
    await service.presence.away(FORUM, AGENT.id)
    fourth = await _open(service, CUSTOMER, "again")
    assert fourth.ticket.assignee_id == AGENT2.id


async def test_a_message_joining_an_open_ticket_assigns_nothing(
    db: Database, clock: FrozenClock
) -> None:
    service = _service(db, clock)
    opened = await _open(service)
    await service.presence.online(FORUM, AGENT)
    joined = await _open(service, CUSTOMER, "more about it")
    assert not joined.created and joined.ticket.id == opened.ticket.id
    assert joined.ticket.assignee_id is None and await _events(db, opened.ticket.id) == []


# overdue: the forum at the target, the admins at twice it


async def _nothing(_: Ticket) -> None:
    return None


async def test_overdue_is_announced_then_escalated_once_each(
    db: Database, clock: FrozenClock
) -> None:
    service = _service(db, clock)
    await service.presence.online(FORUM, AGENT)
    given = await _open(service, CUSTOMER)  # taken, not answered: it counts
    answered = await _open(service, OTHER)
    await service.agent_wrote(answered.ticket.id, AGENT, _replied("hi"))
    clock.advance(minutes=15)
    assert await service.escalate_overdue(_nothing) == []
    assert [t.id for t in await service.announce_overdue(_nothing)] == [given.ticket.id]
    assert await service.announce_overdue(_nothing) == []
    clock.advance(minutes=14)
    assert await service.escalate_overdue(_nothing) == []
    clock.advance(minutes=1)
    told: list[int] = []

    async def tell(ticket: Ticket) -> None:
        told.append(ticket.id)

    assert [t.id for t in await service.escalate_overdue(tell)] == [given.ticket.id]
    assert await service.escalate_overdue(tell) == []
    assert await service.announce_overdue(tell) == []
    assert told == [given.ticket.id]
