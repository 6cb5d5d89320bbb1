"""The agents' desk: taking, closing and deciding tickets, the queue and its deadline,
ratings, bans and canned replies. `TicketService` adds the conversation on top."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.domain.clock import Clock
from bot.domain.values import Locale, TicketStatus
from bot.services.assignment import Presence
from bot.services.hours import SupportHours
from bot.services.routing import Routing
from bot.services.ticket_terms import (
    Banned,
    HeldByOther,
    Person,
    QueueEntry,
    TicketClosed,
    TicketNotFound,
    TicketPolicy,
)
from storage import keys
from storage.bans import BanRepo
from storage.canned import CannedRepo
from storage.db import Database
from storage.lanes import LaneRepo
from storage.messages import MessageRepo
from storage.overdue import OverdueRepo
from storage.presence import PresenceRepo
from storage.tickets import Ticket, TicketRepo

QUEUE_LIMIT = 50
# Told of a ticket inside the transaction that marks it told (an overdue one).
Tell = Callable[[Ticket], Awaitable[None]]
_BEST = 5  # the highest rating


@dataclass(frozen=True)
class TicketRepos:
    """Where the human queue keeps what it knows."""

    tickets: TicketRepo
    messages: MessageRepo
    bans: BanRepo
    canned: CannedRepo
    lanes: LaneRepo
    presence: PresenceRepo
    overdue: OverdueRepo

    @classmethod
    def over(cls, db: Database) -> TicketRepos:
        repos = TicketRepo(db), MessageRepo(db), BanRepo(db), CannedRepo(db)
        return cls(*repos, LaneRepo(db), PresenceRepo(db), OverdueRepo(db))


class TicketDesk:
    def __init__(
        self,
        db: Database,
        repos: TicketRepos,
        clock: Clock,
        hours: SupportHours,
        policy: TicketPolicy,
        on_new_work: Callable[[int, bool], None],
    ) -> None:
        self._db, self._clock = db, clock
        self._tickets, self._messages = repos.tickets, repos.messages
        self._bans, self._canned, self._overdue = repos.bans, repos.canned, repos.overdue
        self.hours, self.policy = hours, policy
        self.routing = Routing(policy.lanes, repos.lanes, clock)
        self._lanes = repos.lanes
        self.presence = Presence(db, repos.presence, clock)
        # Told (ticket, towards the customer?) once new work for the relay is committed.
        self.on_new_work = on_new_work
        # Told (ticket, the card too?) by `changed`: the forum's topic follows the ticket.
        self.on_changed: Callable[[Ticket, bool], Awaitable[None]] = _unheard
        # The words of the line that tells an agent a ticket was given to them, in the
        # agents' language (the wiring renders it; the line mentions them besides).
        self.assigned_line: Callable[[], str] = str

    async def get(self, ticket_id: int) -> Ticket:
        ticket = await self._tickets.get(ticket_id)
        if ticket is None:
            raise TicketNotFound
        return ticket

    async def locked(self, ticket_id: int) -> Ticket:
        """In a transaction: the ticket, its customer's chat locked. What agents do to
        it and what its customer's chat does to their tickets never interleave."""
        ticket = await self.get(ticket_id)
        if await self._db.lock(keys.chat(ticket.customer_id)):
            ticket = await self.get(ticket_id)  # as it is now that it is ours
        return ticket

    async def move(self, ticket_id: int, forum_id: int) -> Ticket:
        """Into another forum: it opens a topic there with the card and the latest lines
        as soon as the relay has a line for it; the old topic is the caller's to close."""
        async with self._db.tx():
            ticket = await self.locked(ticket_id)
            if ticket.status == TicketStatus.CLOSED:
                raise TicketClosed
            await self._lanes.move(ticket_id, forum_id)
            return await self.get(ticket_id)

    async def place_unplaced(self, forum_id: int) -> None:
        """Tickets from before there were several forums: in the one there was."""
        await self._lanes.place_unplaced(forum_id)

    def writing_for(self, ticket: Ticket) -> AbstractAsyncContextManager[None]:
        """A transaction for what the relay writes down about a ticket, serialised with
        its customer's chat."""
        return self._db.tx(keys.chat(ticket.customer_id))

    async def by_topic(self, forum_id: int, topic_id: int) -> Ticket | None:
        return await self._tickets.by_topic(forum_id, topic_id)

    async def changed(self, ticket: Ticket, *, card: bool = False) -> None:
        """The ticket's status, holder or subject changed: its topic's title follows, and
        with `card` its card (the holder, a decision, the order)."""
        await self.on_changed(ticket, card)

    async def open_of(self, customer_id: int) -> Ticket | None:
        return await self._tickets.open_of(customer_id)

    async def take(self, ticket_id: int, agent: Person, *, over: bool = False) -> Ticket:
        """Assign the ticket to `agent`. Held by someone else, it is taken over only when
        `over` says the agent confirmed it: a stray tap must not snatch a colleague's work."""
        async with self._db.tx():
            ticket = await self.locked(ticket_id)
            if ticket.status == TicketStatus.CLOSED:
                raise TicketClosed
            held = ticket.assignee_id is not None and ticket.assignee_id != agent.id
            if held and not over:
                raise HeldByOther(Person(ticket.assignee_id or 0, ticket.assignee_name or ""))
            await self._tickets.assign(ticket_id, agent.id, agent.name)
            await self._tickets.first_response(ticket_id, self._clock.now())
            return await self.get(ticket_id)

    async def close(self, ticket_id: int) -> Ticket:
        async with self._db.tx():
            ticket = await self.locked(ticket_id)
            if ticket.status == TicketStatus.CLOSED:
                raise TicketClosed
            await self._tickets.close(ticket_id, self._clock.now())
            return await self.get(ticket_id)

    async def decided(self, ticket_id: int, approved: bool, by: str) -> Ticket:
        """A recovery was decided: the card says so and by whom, and the ticket closes."""
        async with self._db.tx():
            ticket = await self.locked(ticket_id)
            decision = {"approved": approved, "by": by}
            await self._tickets.set_context(ticket_id, {**ticket.context, "decision": decision})
            if ticket.status != TicketStatus.CLOSED:
                await self._tickets.close(ticket_id, self._clock.now())
            return await self.get(ticket_id)

    async def close_by_customer(self, customer_id: int) -> Ticket | None:
        ticket = await self._tickets.open_of(customer_id)
        return await self.close(ticket.id) if ticket else None

    async def rate(self, ticket_id: int, customer_id: int, rating: int) -> Ticket:
        ticket = await self.get(ticket_id)
        if ticket.customer_id != customer_id or not 1 <= rating <= _BEST:
            raise TicketNotFound
        await self._tickets.rate(ticket_id, rating)
        return replace(ticket, rating=rating)

    async def comment(self, ticket_id: int, customer_id: int, text: str) -> None:
        ticket = await self.get(ticket_id)
        if ticket.customer_id != customer_id:
            raise TicketNotFound
        if await self._bans.is_banned(customer_id):
            raise Banned
        await self._tickets.comment(ticket_id, text)

    async def queue(self, forum_id: int | None = None) -> list[QueueEntry]:
        """One forum's open tickets, or (None) every forum's."""
        now = self._clock.now()
        target = timedelta(minutes=self.policy.first_response_minutes)
        return [
            QueueEntry(
                t,
                int((now - t.created_at).total_seconds() // 60),
                t.first_response_at is None and now - t.created_at >= target,
            )
            for t in await self._tickets.queue(QUEUE_LIMIT, forum_id)
        ]

    async def open_count(self, forum_id: int | None = None) -> int:
        return await self._tickets.open_count(forum_id)

    async def announce_overdue(self, announce: Tell) -> list[Ticket]:
        """Tickets past the first-response target, each announced once (to its forum)."""
        target = timedelta(minutes=self.policy.first_response_minutes)
        overdue = self._overdue
        return await self._tell_once(target, overdue.to_announce, overdue.announced, announce)

    async def escalate_overdue(self, escalate: Tell) -> list[Ticket]:
        """Tickets past twice the target, each escalated once (to the admins)."""
        target = timedelta(minutes=2 * self.policy.first_response_minutes)
        overdue = self._overdue
        return await self._tell_once(target, overdue.to_escalate, overdue.escalated, escalate)

    async def _tell_once(
        self,
        target: timedelta,
        due_by: Callable[[datetime], Awaitable[list[Ticket]]],
        mark: Callable[[int, datetime], Awaitable[None]],
        tell: Tell,
    ) -> list[Ticket]:
        """`tell` runs inside the transaction that marks the ticket told, so the two
        stand or fall together: once each, across restarts too."""
        now = self._clock.now()
        if not await due_by(now - target):  # the usual answer, without the write lock
            return []
        async with self._db.tx():
            due = await due_by(now - target)
            for ticket in due:
                await mark(ticket.id, now)
                await tell(ticket)
        return due

    async def is_banned(self, customer_id: int) -> bool:
        return await self._bans.is_banned(customer_id)

    async def ban(self, customer_id: int, by: int) -> None:
        await self._bans.ban(customer_id, by, self._clock.now())

    async def unban(self, customer_id: int) -> bool:
        return await self._bans.unban(customer_id)

    # Keys are typed by agents in any case: `/reply Delay` finds `delay`.
    async def canned(self, key: str, locale: Locale) -> str | None:
        return await self._canned.get(key.lower(), locale)

    async def set_canned(self, key: str, locale: Locale, text: str) -> None:
        await self._canned.set(key.lower(), locale, text)

    async def delete_canned(self, key: str) -> bool:
        return await self._canned.delete(key.lower())

    async def canned_list(self) -> list[tuple[str, Locale, str]]:
        return await self._canned.all()


async def _unheard(ticket: Ticket, card: bool) -> None:
    return None
