"""The human queue: what customers and agents write in tickets.

Every message is written here before anyone relays it; the relay only reads what
is pending, so a crash between the two loses nothing. Taking, closing, rating, the
queue, bans and canned replies are the desk's (`bot.services.desk`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from typing import Any

from bot.domain.forums import category_of
from bot.domain.values import Direction, Locale, MessageKind, TicketStatus
from bot.services.desk import QUEUE_LIMIT, TicketDesk, TicketRepos
from bot.services.ticket_terms import (
    RELAYED_KINDS,
    SUBJECT_LIMIT,
    Banned,
    CannotRelay,
    Fed,
    HeldByOther,
    Opened,
    Person,
    QueueEntry,
    TicketClosed,
    TicketError,
    TicketNotFound,
    TicketPolicy,
    Written,
    shorten,
    subject_of,
)
from storage import keys
from storage.messages import NewMessage
from storage.tickets import NewTicket, Standing, Ticket

# The names the flows know the queue by, wherever they are defined.
__all__ = [
    "QUEUE_LIMIT",
    "RELAYED_KINDS",
    "SUBJECT_LIMIT",
    "Banned",
    "CannotRelay",
    "Fed",
    "HeldByOther",
    "Opened",
    "Person",
    "QueueEntry",
    "TicketClosed",
    "TicketError",
    "TicketNotFound",
    "TicketPolicy",
    "TicketRepos",
    "TicketService",
    "Written",
    "shorten",
]


class TicketService(TicketDesk):
    """Tickets opened and fed by customers, answered by agents; the desk's calls too."""

    async def open_ticket(
        self,
        customer: Person,
        *,
        locale: Locale,
        description: Written | None,
        account_id: str | None = None,
        order_number: str | None = None,
        problem: str | None = None,
        context: dict[str, Any] | None = None,
    ) -> Opened:
        """Open a ticket, or join the customer's open one (one open ticket a customer).
        Raises Banned for a banned customer, whichever flow sent them here."""
        now = self._clock.now()
        async with self._db.tx(keys.chat(customer.id)):
            if await self._bans.is_banned(customer.id):
                raise Banned
            ticket = await self._tickets.open_of(customer.id)
            created = ticket is None
            if ticket is None:
                forum_id = await self.routing.pick(category_of(problem), locale)
                new = NewTicket(
                    customer.id,
                    customer.name,
                    customer.username,
                    account_id,
                    locale,
                    subject_of(description, problem),
                    order_number,
                    problem,
                    context or {},
                    now,
                    forum_id=forum_id,
                )
                ticket = await self.get(await self._tickets.create(new))
            moved = not created and _moved(ticket, order_number, problem)
            if moved and order_number is not None:
                # Joined by a complaint about another order or problem: the topic's title
                # and card name what the customer asks about now.
                subject = subject_of(description, problem)
                await self._tickets.set_order(ticket.id, order_number, problem, subject)
                ticket = await self.get(ticket.id)
            if description is not None:
                await self._store_in(ticket, customer, description, now)
            ticket = await self._auto_assign(ticket) if created else ticket
            position = await self._tickets.position(ticket.id)
        self._db.after_commit(partial(self.on_new_work, ticket.id, False))
        back = None if self.hours.is_open(now) else self.hours.next_open(now)
        minutes = self.policy.first_response_minutes
        return Opened(ticket, created, max(position, 1), minutes, back, changed=moved)

    async def _auto_assign(self, ticket: Ticket) -> Ticket:
        """AUTO_ASSIGN: a new ticket goes to an online agent of its forum, told by a line
        in its topic that mentions them (relayed after the card, paced like the rest).
        Not answered yet, it still counts towards the first-response target."""
        if not self.policy.auto_assign or ticket.forum_id is None:
            return ticket
        agent = await self.presence.pick(ticket.forum_id)
        if agent is None:
            return ticket  # nobody online: it waits to be taken, as without
        await self._tickets.assign(ticket.id, agent.id, agent.name)
        await self.event(ticket.id, self.assigned_line(), to=agent)
        return await self.get(ticket.id)

    async def customer_wrote(self, customer: Person, written: Written, locale: Locale) -> Fed:
        """A message from a customer outside any flow: into their ticket, if they have or
        had one. A closed ticket reopens within the window; after it a new one opens."""
        now = self._clock.now()
        if not await self._tickets.known(customer.id):  # most people: no write lock needed
            return Fed(None)
        async with self._db.tx(keys.chat(customer.id)):
            standing = await self._tickets.standing(customer.id, now - timedelta(minutes=1))
            if (refused := self._refused(standing, written)) is not None:
                return refused
            ticket, reopened = standing.open, False
            if ticket is None:
                last = await self._tickets.last_of(customer.id)
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
                await self._tickets.reopen(last.id)
                ticket, reopened = await self.get(last.id), True
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
        async with self._db.tx(keys.chat(customer.id)):
            ticket = await self.get(ticket_id)
            for part in parts:
                await self._store_in(ticket, customer, part, self._clock.now())
        self._db.after_commit(partial(self.on_new_work, ticket_id, False))

    async def customer_edited(self, chat_id: int, message_id: int, text: str) -> bool:
        """Show agents the new wording, next to the original."""
        return await self._edited(Direction.IN, chat_id, message_id, text)

    async def agent_wrote(self, ticket_id: int, agent: Person, written: Written) -> Ticket:
        """An agent's reply, to be relayed to the customer; it reopens a closed ticket."""
        if written.kind not in RELAYED_KINDS:
            raise CannotRelay
        now = self._clock.now()
        async with self._db.tx():
            ticket = await self.locked(ticket_id)
            newer = await self._tickets.open_of(ticket.customer_id)
            # A reply in an old topic reaches the customer, but a customer has one open
            # ticket at a time: the old one reopens only if there is no newer one.
            closed = ticket.status == TicketStatus.CLOSED
            keep_closed = closed and newer is not None
            if closed and not keep_closed:
                await self._tickets.reopen(ticket.id)
            if ticket.assignee_id is None:
                await self._tickets.assign(ticket.id, agent.id, agent.name)
            if not keep_closed:
                await self._tickets.set_status(ticket.id, TicketStatus.WAITING)
            await self._tickets.first_response(ticket.id, now)
            await self._messages.add(_said(ticket.id, Direction.OUT, agent, written, now))
            ticket = await self.get(ticket.id)
        self._db.after_commit(partial(self.on_new_work, ticket.id, True))
        return ticket

    async def agent_edited(self, chat_id: int, message_id: int, text: str) -> bool:
        """An agent edited a reply: queued after it, so the customer's copy follows even
        when the reply itself is still on its way."""
        return await self._edited(Direction.OUT, chat_id, message_id, text)

    async def _edited(self, side: Direction, chat_id: int, message_id: int, text: str) -> bool:
        """An edit of a stored message from that side, queued to follow the original."""
        async with self._db.tx():
            original = await self._messages.by_source(chat_id, message_id)
            if original is None or original.direction != side:
                return False
            await self._messages.add(
                NewMessage(
                    original.ticket_id,
                    side,
                    MessageKind.EDIT,
                    self._clock.now(),
                    text=text,
                    author_id=original.author_id,
                    author_name=original.author_name,
                    edit_of=original.id,
                )
            )
        to_customer = side == Direction.OUT
        self._db.after_commit(partial(self.on_new_work, original.ticket_id, to_customer))
        return True

    async def note(self, ticket_id: int, agent: Person, written: Written) -> None:
        await self.get(ticket_id)
        # Stored as already relayed: a note never leaves the agents' forum.
        note = _said(ticket_id, Direction.NOTE, agent, written, self._clock.now(), relayed=True)
        await self._messages.add(note)

    async def event(self, ticket_id: int, text: str, *, to: Person | None = None) -> None:
        """A line for the agents' topic from the bot itself (relayed like the rest); one
        `to` an agent mentions them, so that Telegram tells them."""
        now = self._clock.now()
        await self._messages.add(
            NewMessage(
                ticket_id,
                Direction.EVENT,
                MessageKind.TEXT,
                now,
                text=text,
                author_id=to.id if to else None,
                author_name=to.name if to else None,
            )
        )
        self._db.after_commit(partial(self.on_new_work, ticket_id, False))

    async def _store_in(
        self, ticket: Ticket, customer: Person, written: Written, now: datetime
    ) -> None:
        await self._messages.add(_said(ticket.id, Direction.IN, customer, written, now))
        if ticket.status == TicketStatus.WAITING:
            await self._tickets.set_status(ticket.id, TicketStatus.TAKEN)


def _moved(ticket: Ticket, order_number: str | None, problem: str | None) -> bool:
    """A complaint about another order, or another problem with it."""
    return order_number is not None and (order_number, problem) != (
        ticket.order_number,
        ticket.problem,
    )


def _said(
    ticket_id: int,
    direction: Direction,
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
