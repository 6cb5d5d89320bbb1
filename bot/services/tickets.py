"""The human queue: opening, feeding, taking, closing and rating tickets.

Every message is written here before anyone relays it; the relay only reads what
is pending, so a crash between the two loses nothing.
"""

from __future__ import annotations

import textwrap
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from bot.domain.clock import Clock
from bot.services.hours import SupportHours
from storage.db import Database
from storage.tickets import NewMessage, Standing, Ticket, TicketRepo

SUBJECT_LIMIT = 60
QUEUE_LIMIT = 50


class TicketError(Exception):
    pass


class TicketNotFound(TicketError):
    pass


class Banned(TicketError):
    """Agents do not hear from this customer: no path opens a ticket or adds to one."""


class TicketClosed(TicketError):
    pass


class HeldByOther(TicketError):
    """Another agent holds the ticket: taking it over is asked for, not assumed."""

    def __init__(self, holder: Person) -> None:
        super().__init__(holder.name)
        self.holder = holder


class CannotRelay(TicketError):
    """A kind of message no bot can pass on (a story, a game): never stored."""


# What the relay can deliver as it is, or at least in words; see bot/delivery/send.py.
RELAYED_KINDS = frozenset(
    {
        *("text", "photo", "document", "video", "voice", "audio", "animation", "sticker"),
        *("video_note", "location", "venue", "contact", "poll", "dice"),
    }
)


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    username: str | None = None


@dataclass(frozen=True)
class Written:
    """What someone wrote, without Telegram's types."""

    kind: str  # one of RELAYED_KINDS, or other
    chat_id: int
    message_id: int | None  # None: the bot's own words for them (a button's complaint)
    text: str | None = None
    file_id: str | None = None
    media_group_id: str | None = None


@dataclass(frozen=True)
class Opened:
    ticket: Ticket
    created: bool
    position: int
    answer_within: int  # minutes, the first-response target
    agents_back_at: datetime | None  # set outside support hours
    changed: bool = False  # joined by a complaint that moved it to another order or problem


@dataclass(frozen=True)
class Fed:
    """The outcome of a customer's message while they have, or had, a ticket."""

    ticket: Ticket | None
    reopened: bool = False
    banned: bool = False
    throttled: bool = False
    opened: Opened | None = None  # a new ticket, when the last one closed long ago
    cannot_relay: bool = False  # a kind no bot can pass on: not taken


@dataclass(frozen=True)
class QueueEntry:
    ticket: Ticket
    waiting_minutes: int
    overdue: bool


@dataclass(frozen=True)
class TicketPolicy:
    first_response_minutes: int
    reopen_hours: int
    customer_messages_per_minute: int


class TicketService:
    def __init__(
        self,
        db: Database,
        repo: TicketRepo,
        clock: Clock,
        hours: SupportHours,
        policy: TicketPolicy,
        on_new_work: Callable[[int, bool], None],
    ) -> None:
        self._db, self._repo, self._clock = db, repo, clock
        self.hours, self.policy = hours, policy
        # Told (ticket, towards the customer?) once new work for the relay is committed.
        self.on_new_work = on_new_work
        # Told (ticket, the card too?) by `changed`: the forum's topic follows the ticket.
        self.on_changed: Callable[[Ticket, bool], Awaitable[None]] = _unheard

    async def open_ticket(
        self,
        customer: Person,
        *,
        locale: str,
        description: Written | None,
        account_id: str | None = None,
        order_number: str | None = None,
        problem: str | None = None,
        context: dict[str, Any] | None = None,
    ) -> Opened:
        """Open a ticket, or join the customer's open one (one open ticket a customer).
        Raises Banned for a banned customer, whichever flow sent them here."""
        now = self._clock.now()
        async with self._db.tx():
            if await self._repo.is_banned(customer.id):
                raise Banned
            ticket = await self._repo.open_of(customer.id)
            created = ticket is None
            if ticket is None:
                subject = _subject(description, problem)
                ticket_id = await self._repo.create(
                    {
                        "customer_id": customer.id,
                        "customer_name": customer.name,
                        "customer_username": customer.username,
                        "account_id": account_id,
                        "locale": locale,
                        "status": "new",
                        "subject": subject,
                        "order_number": order_number,
                        "problem": problem,
                        "context": context or {},
                        "created_at": now,
                    }
                )
                ticket = await self._repo.get(ticket_id)
            assert ticket is not None  # noqa: S101 - just written in this transaction
            moved = order_number is not None and (order_number, problem) != (
                ticket.order_number,
                ticket.problem,
            )
            if not created and moved:
                # Joined by a complaint about another order or problem: the topic's title
                # and card name what the customer asks about now.
                subject = _subject(description, problem)
                await self._repo.set_order(ticket.id, order_number, problem, subject)
                ticket = await self._get(ticket.id)
            if description is not None:
                await self._store_in(ticket, customer, description, now)
            position = await self._repo.position(ticket.id)
        self._db.after_commit(partial(self.on_new_work, ticket.id, False))
        back = None if self.hours.is_open(now) else self.hours.next_open(now)
        return Opened(
            ticket,
            created,
            max(position, 1),
            self.policy.first_response_minutes,
            back,
            changed=not created and moved,
        )

    async def changed(self, ticket: Ticket, *, card: bool = False) -> None:
        """The ticket's status, holder or subject changed: its topic's title follows, and
        with `card` its card (the holder, a decision, the order)."""
        await self.on_changed(ticket, card)

    async def open_of(self, customer_id: int) -> Ticket | None:
        return await self._repo.open_of(customer_id)

    async def customer_wrote(self, customer: Person, written: Written, locale: str) -> Fed:
        """A message from a customer outside any flow: into their ticket, if they have or
        had one. A closed ticket reopens within the window; after it a new one opens."""
        now = self._clock.now()
        if not await self._repo.known(customer.id):  # most people: no write lock needed
            return Fed(None)
        async with self._db.tx():
            standing = await self._repo.standing(customer.id, now - timedelta(minutes=1))
            if (refused := self._refused(standing, written)) is not None:
                return refused
            ticket, reopened = standing.open, False
            if ticket is None:
                last = await self._repo.last_of(customer.id)
                if last is None or last.closed_at is None:
                    return Fed(None)
                if now - last.closed_at > timedelta(hours=self.policy.reopen_hours):
                    opened = await self.open_ticket(
                        customer,
                        locale=locale,
                        description=written,
                        account_id=last.account_id,
                    )
                    return Fed(opened.ticket, opened=opened)
                await self._repo.reopen(last.id)
                ticket, reopened = await self._repo.get(last.id), True
            assert ticket is not None  # noqa: S101
            await self._store_in(ticket, customer, written, now)
        self._db.after_commit(partial(self.on_new_work, ticket.id, False))
        return Fed(ticket, reopened=reopened)

    def _refused(self, standing: Standing, written: Written) -> Fed | None:
        """Checked first: a refused message must not reopen or open anything."""
        if standing.banned:
            return Fed(None, banned=True)
        if written.kind not in RELAYED_KINDS:
            return Fed(standing.open, cannot_relay=True)
        if standing.recent >= self.policy.customer_messages_per_minute:
            return Fed(standing.open, throttled=True)
        return None

    async def attach(self, ticket_id: int, customer: Person, parts: list[Written]) -> None:
        """More from the customer for a ticket just opened (the photos of a complaint),
        stored together so an album is relayed whole."""
        async with self._db.tx():
            ticket = await self._get(ticket_id)
            for part in parts:
                await self._store_in(ticket, customer, part, self._clock.now())
        self._db.after_commit(partial(self.on_new_work, ticket_id, False))

    async def customer_edited(self, chat_id: int, message_id: int, text: str) -> bool:
        """Show agents the new wording, next to the original."""
        return await self._edited("in", chat_id, message_id, text)

    async def agent_wrote(self, ticket_id: int, agent: Person, written: Written) -> Ticket:
        """An agent's reply, to be relayed to the customer; it reopens a closed ticket."""
        if written.kind not in RELAYED_KINDS:
            raise CannotRelay
        now = self._clock.now()
        async with self._db.tx():
            ticket = await self._get(ticket_id)
            newer = await self._repo.open_of(ticket.customer_id)
            # A reply in an old topic reaches the customer, but a customer has one open
            # ticket at a time: the old one reopens only if there is no newer one.
            keep_closed = ticket.status == "closed" and newer is not None
            if ticket.status == "closed" and not keep_closed:
                await self._repo.reopen(ticket.id)
            if ticket.assignee_id is None:
                await self._repo.assign(ticket.id, agent.id, agent.name)
            if not keep_closed:
                await self._repo.set_status(ticket.id, "waiting")
            await self._repo.first_response(ticket.id, now)
            await self._repo.add_message(_said(ticket.id, "out", agent, written, now))
            ticket = await self._get(ticket.id)
        self._db.after_commit(partial(self.on_new_work, ticket.id, True))
        return ticket

    async def agent_edited(self, chat_id: int, message_id: int, text: str) -> bool:
        """An agent edited a reply: queued after it, so the customer's copy follows even
        when the reply itself is still on its way."""
        return await self._edited("out", chat_id, message_id, text)

    async def _edited(self, direction: str, chat_id: int, message_id: int, text: str) -> bool:
        """An edit of a stored message from that side, queued to follow the original."""
        async with self._db.tx():
            original = await self._repo.by_source(chat_id, message_id)
            if original is None or original.direction != direction:
                return False
            await self._repo.add_message(
                NewMessage(
                    original.ticket_id,
                    direction,
                    "edit",
                    self._clock.now(),
                    text=text,
                    author_id=original.author_id,
                    author_name=original.author_name,
                    edit_of=original.id,
                )
            )
        self._db.after_commit(partial(self.on_new_work, original.ticket_id, direction == "out"))
        return True

    async def note(self, ticket_id: int, agent: Person, written: Written) -> None:
        await self._get(ticket_id)
        # Stored as already relayed: a note never leaves the agents' forum.
        note = _said(ticket_id, "note", agent, written, self._clock.now(), relayed=True)
        await self._repo.add_message(note)

    async def event(self, ticket_id: int, text: str) -> None:
        """A line for the agents' topic from the bot itself (relayed like the rest)."""
        await self._repo.add_message(
            NewMessage(ticket_id, "event", "text", self._clock.now(), text=text)
        )
        self._db.after_commit(partial(self.on_new_work, ticket_id, False))

    async def take(self, ticket_id: int, agent: Person, *, over: bool = False) -> Ticket:
        """Assign the ticket to `agent`. Held by someone else, it is taken over only when
        `over` says the agent confirmed it: a stray tap must not snatch a colleague's work."""
        async with self._db.tx():
            ticket = await self._get(ticket_id)
            if ticket.status == "closed":
                raise TicketClosed
            held = ticket.assignee_id is not None and ticket.assignee_id != agent.id
            if held and not over:
                raise HeldByOther(Person(ticket.assignee_id or 0, ticket.assignee_name or ""))
            await self._repo.assign(ticket_id, agent.id, agent.name)
            await self._repo.first_response(ticket_id, self._clock.now())
            return await self._get(ticket_id)

    async def close(self, ticket_id: int) -> Ticket:
        async with self._db.tx():
            ticket = await self._get(ticket_id)
            if ticket.status == "closed":
                raise TicketClosed
            await self._repo.close(ticket_id, self._clock.now())
            return await self._get(ticket_id)

    async def decided(self, ticket_id: int, approved: bool, by: str) -> Ticket:
        """A recovery was decided: the card says so and by whom, and the ticket closes."""
        async with self._db.tx():
            ticket = await self._get(ticket_id)
            decision = {"approved": approved, "by": by}
            await self._repo.set_context(ticket_id, {**ticket.context, "decision": decision})
            if ticket.status != "closed":
                await self._repo.close(ticket_id, self._clock.now())
            return await self._get(ticket_id)

    async def close_by_customer(self, customer_id: int) -> Ticket | None:
        ticket = await self._repo.open_of(customer_id)
        return await self.close(ticket.id) if ticket else None

    async def rate(self, ticket_id: int, customer_id: int, rating: int) -> Ticket:
        ticket = await self._get(ticket_id)
        if ticket.customer_id != customer_id or not 1 <= rating <= 5:  # noqa: PLR2004
            raise TicketNotFound
        await self._repo.rate(ticket_id, rating)
        return replace(ticket, rating=rating)

    async def comment(self, ticket_id: int, customer_id: int, text: str) -> None:
        ticket = await self._get(ticket_id)
        if ticket.customer_id != customer_id:
            raise TicketNotFound
        if await self._repo.is_banned(customer_id):
            raise Banned
        await self._repo.comment(ticket_id, text)

    async def queue(self) -> list[QueueEntry]:
        now = self._clock.now()
        target = timedelta(minutes=self.policy.first_response_minutes)
        return [
            QueueEntry(
                t,
                int((now - t.created_at).total_seconds() // 60),
                t.first_response_at is None and now - t.created_at >= target,
            )
            for t in await self._repo.queue(QUEUE_LIMIT)
        ]

    async def open_count(self) -> int:
        return await self._repo.open_count()

    async def announce_overdue(
        self, announce: Callable[[Ticket], Awaitable[None]]
    ) -> list[Ticket]:
        """Tickets past the first-response target, each announced once: `announce` runs
        inside the transaction that marks it, so the two stand or fall together."""
        now = self._clock.now()
        before = now - timedelta(minutes=self.policy.first_response_minutes)
        if not await self._repo.overdue(before):  # the usual answer, without the write lock
            return []
        async with self._db.tx():
            due = await self._repo.overdue(before)
            for ticket in due:
                await self._repo.announced(ticket.id, now)
                await announce(ticket)
        return due

    async def is_banned(self, customer_id: int) -> bool:
        return await self._repo.is_banned(customer_id)

    async def ban(self, customer_id: int, by: int) -> None:
        await self._repo.ban(customer_id, by, self._clock.now())

    async def unban(self, customer_id: int) -> bool:
        return await self._repo.unban(customer_id)

    async def canned(self, key: str, locale: str) -> str | None:
        return await self._repo.canned(key.lower(), locale)

    async def set_canned(self, key: str, locale: str, text: str) -> None:
        await self._repo.set_canned(key.lower(), locale, text)

    async def delete_canned(self, key: str) -> bool:
        return await self._repo.delete_canned(key.lower())

    async def canned_list(self) -> list[tuple[str, str, str]]:
        return await self._repo.canned_list()

    async def get(self, ticket_id: int) -> Ticket:
        return await self._get(ticket_id)

    async def by_topic(self, topic_id: int) -> Ticket | None:
        return await self._repo.by_topic(topic_id)

    async def _get(self, ticket_id: int) -> Ticket:
        ticket = await self._repo.get(ticket_id)
        if ticket is None:
            raise TicketNotFound
        return ticket

    async def _store_in(
        self, ticket: Ticket, customer: Person, written: Written, now: datetime
    ) -> None:
        await self._repo.add_message(_said(ticket.id, "in", customer, written, now))
        if ticket.status == "waiting":
            await self._repo.set_status(ticket.id, "taken")


async def _unheard(ticket: Ticket, card: bool) -> None:
    return None


def _said(
    ticket_id: int,
    direction: str,
    who: Person,
    written: Written,
    now: datetime,
    *,
    relayed: bool = False,
) -> NewMessage:
    return NewMessage(
        ticket_id,
        direction,
        written.kind,
        now,
        text=written.text,
        file_id=written.file_id,
        media_group_id=written.media_group_id,
        author_id=who.id,
        author_name=who.name,
        source_chat_id=written.chat_id,
        source_message_id=written.message_id,
        relayed=relayed,
    )


def _subject(description: Written | None, problem: str | None) -> str:
    text = " ".join(((description.text if description else None) or problem or "").split())
    return shorten(text, SUBJECT_LIMIT) or "—"


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut after a whole word with "…"; spaces collapsed."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = textwrap.shorten(text, limit, placeholder="…", break_on_hyphens=False)
    if cut == "…":  # the first word alone is longer than the limit: cut inside it
        return text[: limit - 1] + "…"
    # A cut right after a separator (" · ", " → ") reads better without it.
    return cut.removesuffix("…").rstrip(" ·→") + "…"
