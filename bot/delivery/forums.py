"""The agents' forums together: which one a ticket is in, and what each pass of the
relay does in all of them: overdue tickets told to their forum at the first-response
target, and to the admins, in their private chats, at twice it."""

from __future__ import annotations

from collections.abc import Iterable

from bot.delivery.forum import Forum
from bot.delivery.outbox import Outbox
from bot.services.tickets import TicketService
from bot.telegram.i18n import Texts
from storage.tickets import Ticket


class Forums:
    """The agents' forums by id; a ticket is in its own, or (from before there were
    several) in the first."""

    def __init__(
        self,
        forums: list[Forum],
        tickets: TicketService,
        outbox: Outbox,
        texts: Texts,
        admin_ids: Iterable[int] = (),
    ) -> None:
        self._forums = {f.chat_id: f for f in forums}
        self._first = forums[0].chat_id if forums else None
        self._tickets = tickets
        self._outbox, self._t, self._admins = outbox, texts, sorted(admin_ids)

    def id_of(self, ticket: Ticket) -> int | None:
        return ticket.forum_id or self._first

    def of(self, ticket: Ticket) -> Forum | None:
        forum_id = self.id_of(ticket)
        return None if forum_id is None else self._forums.get(forum_id)

    async def place_unplaced(self) -> None:
        if self._first is not None:
            await self._tickets.place_unplaced(self._first)

    async def each_pass(self) -> None:
        if not self._forums:
            return
        await self._tickets.announce_overdue(self._tell_overdue)
        await self._tickets.escalate_overdue(self._tell_admins)
        for forum in self._forums.values():
            await forum.each_pass()

    async def _tell_overdue(self, ticket: Ticket) -> None:
        forum = self.of(ticket)
        if forum is not None:
            await forum.tell_overdue(ticket)

    async def _tell_admins(self, ticket: Ticket) -> None:
        """Through the outbox, in the transaction that marks it told: once, paced."""
        forum_id = self.id_of(ticket)
        text = self._t(
            "agents-overdue-admins",
            id=ticket.id,
            name=ticket.customer_name,
            minutes=2 * self._tickets.policy.first_response_minutes,
            forum=self._tickets.routing.label_of(forum_id),
            holder=ticket.assignee_name or self._t("agents-queue-nobody"),
        )
        for admin in self._admins:
            await self._outbox.put(admin, text)
