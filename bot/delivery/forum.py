"""The agents' forum side of the relay: a topic per ticket, opened with the ticket's
card, its title mirroring the ticket; lines posted into it, and the topic reopened
and closed with its ticket. A deleted topic (or one closed by hand while its ticket is
open) is reported as gone, and the relay has a new one opened."""

from __future__ import annotations

import contextlib
import html
import logging
from collections.abc import Awaitable, Callable
from functools import partial

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import Message, ReplyParameters

from bot.delivery.merging import in_words, rider_of
from bot.delivery.outbox import Outbox
from bot.delivery.send import TEXT_LIMIT, Resume, send_stored, unless, visible_length
from bot.domain.values import Direction, MessageKind, TicketStatus
from bot.keyboards.support import ticket_card_buttons
from bot.ports.marketplace import MarketplacePort
from bot.services.tickets import TicketService
from bot.telegram.cards import card_tail, context_card, topic_title
from bot.telegram.i18n import Texts
from storage.messages import MessageRepo, TicketMessage
from storage.tickets import Ticket, TicketRepo

log = logging.getLogger(__name__)

# A topic closed by hand while its ticket is open counts as gone: agents look for open
# tickets in open topics.
_TOPIC_GONE = ("thread not found", "topic_deleted", "topic_id_invalid", "topic_closed")
_CLOSE_PER_PASS = 20  # topics left open by a failed close, retried each pass

# Writes down what a post became: for each item of the batch, the ids of its messages.
Record = Callable[[list[list[int]]], Awaitable[None]]


class TopicGone(Exception):
    pass


class ClosedWithTicket(Exception):
    pass


class Forum:
    def __init__(
        self,
        bot: Bot,
        repo: TicketRepo,
        messages: MessageRepo,
        tickets: TicketService,
        marketplace: MarketplacePort,
        texts: Texts,
        forum: int,
        outbox: Outbox,
    ) -> None:
        self._bot, self._repo, self._tickets = bot, repo, tickets
        self._messages = messages
        self._marketplace, self._t, self._forum, self._outbox = marketplace, texts, forum, outbox

    @property
    def chat_id(self) -> int:
        return self._forum

    async def send(
        self, ticket: Ticket, batch: list[TicketMessage], record: Record, resume: Resume
    ) -> None:
        """Post into the ticket's topic (opened first when it has none); `record` writes
        down the ids of the messages each item of the batch became. It does so as soon
        as the post is taken, before the topic is closed again: a crash while that close
        is on its way must not leave a line the forum has, not marked relayed, to be
        posted again at the next start."""
        topic = ticket.topic_id
        if topic is None or ticket.card_pending:
            topic, card = await self._open_topic(ticket, rider_of(batch), record)
            if card is not None:  # the customer's first words went with the card
                # As it is now: it may have been closed while its card waited.
                await self._close_with_ticket(await self._tickets.get(ticket.id), topic)
                return
            ticket = await self._tickets.get(ticket.id)
        header = self.header(ticket, batch[0])
        reply = await self._reply_target(batch[0])
        try:
            if ticket.topic_closed or ticket.status == TicketStatus.CLOSED:
                # Closed with the ticket: reopen for a late line (a rating) or a reopen.
                # Reopened by hand already, or never closed, it is fine as it is.
                with unless("topic_not_modified"):
                    await self._bot.reopen_forum_topic(self._forum, topic)
            sent = await send_stored(
                self._bot,
                self._forum,
                topic,
                batch,
                header,
                reply=reply,
                describe=partial(in_words, self._t),
                resume=resume,
            )
            await record(sent)
        except TelegramBadRequest as error:
            await self._why_refused(ticket, error)
            raise
        finally:
            await self._close_with_ticket(ticket, topic)
        if ticket.topic_closed and ticket.status != TicketStatus.CLOSED:
            await self._repo.set_topic_closed(ticket.id, False)

    async def _why_refused(self, ticket: Ticket, error: TelegramBadRequest) -> None:
        """Raises what the relay can fix when the refusal was about the topic."""
        if "topic_closed" in error.message.lower():
            fresh = await self._tickets.get(ticket.id)
            if fresh.status == TicketStatus.CLOSED or fresh.topic_closed:
                # Closed with its ticket while this line was on its way: the next
                # try reopens it. Closed by hand with the ticket open: a new topic.
                raise ClosedWithTicket from error
        _raise_if_topic_gone(error)

    def header(self, ticket: Ticket, first: TicketMessage) -> str:
        if first.direction == Direction.EVENT:
            # A line for an agent (a ticket given to them) mentions them: Telegram tells them.
            if first.author_id is None:
                return ""
            name = first.author_name or ""
            return self._t("agents-event-for", agent_id=str(first.author_id), name=name)
        if first.kind == MessageKind.EDIT:
            return self._t("agents-customer-edited", name=ticket.customer_name)
        return self._t("agents-customer-says", name=ticket.customer_name)

    async def _reply_target(self, message: TicketMessage) -> ReplyParameters | None:
        if message.edit_of is None:
            return None
        original = await self._messages.get(message.edit_of)
        if original is None or original.relayed_id is None:
            return None
        return ReplyParameters(message_id=original.relayed_id, allow_sending_without_reply=True)

    async def _open_topic(
        self, ticket: Ticket, rider: TicketMessage | None, record: Record
    ) -> tuple[int, Message | None]:
        """A topic with the ticket's card; returns its id, and the card when `rider` (the
        customer's first text) went in it: in the forum's 20 posts a minute, a new
        ticket then takes one post instead of two."""
        thread = ticket.topic_id if ticket.card_pending else None
        if thread is None:
            topic = await self._bot.create_forum_topic(self._forum, topic_title(ticket))
            thread = topic.message_thread_id
            await self._repo.set_topic(ticket.id, thread)
        account = await self._marketplace.account(ticket.account_id) if ticket.account_id else None
        # Only what the forum had before (a topic deleted by hand) is quoted: lines not
        # relayed yet follow in full, and quoted too they were there twice.
        recent = [m for m in await self._messages.recent(ticket.id, 5) if m.relayed]
        # Anything relayed before means a topic before: this one replaces it, says so,
        # and the words follow it alone.
        recreated = bool(recent) or await self._messages.any_relayed(ticket.id)
        tail = card_tail(self._t, recent, recreated=recreated)
        card = context_card(self._t, ticket, account, tail)
        said = ""
        if rider is not None and not recreated:
            said = f"{self.header(ticket, rider)}\n{html.escape(rider.text or '', quote=False)}"
            if visible_length(f"{card}\n\n{said}") <= TEXT_LIMIT:
                card = f"{card}\n\n{said}"
            else:
                said = ""
        try:
            sent = await self._bot.send_message(
                self._forum,
                card,
                message_thread_id=thread,
                reply_markup=ticket_card_buttons(self._t, ticket),
            )
        except TelegramBadRequest as error:
            _raise_if_topic_gone(error)
            # Refused for good (a bug, never the customer's doing): the topic stays
            # without its card, and the customer's words go on their own.
            log.error("card of ticket %s refused: %s", ticket.id, error.message)
            await self._repo.card_posted(ticket.id)
            return thread, None
        # The card and the words it carried are written down together: a crash between
        # the two would post the words again.
        async with self._tickets.writing_for(ticket):
            await self._repo.card_posted(ticket.id, sent.message_id, tail, said)
            if said:
                await record([[sent.message_id]])
        return thread, sent if said else None

    async def _close_with_ticket(self, ticket: Ticket, topic: int) -> None:
        """A closed ticket's topic is closed again after a late line, and closed for the
        first time when it was opened after the ticket closed (its card waited)."""
        if ticket.status != TicketStatus.CLOSED:
            return
        ticket = await self._tickets.get(ticket.id)  # reopened by a line meanwhile?
        if ticket.status != TicketStatus.CLOSED or ticket.card_pending:  # closed after its card
            return
        closed: bool | None = True
        try:
            with unless("topic_not_modified"):  # closed already
                closed = await self._bot.close_forum_topic(self._forum, topic)
        except TelegramAPIError as error:
            # Deleted by hand, nothing is left to close; else the next pass tries again.
            if not (isinstance(error, TelegramBadRequest) and _is_topic_gone(error)):
                log.warning("topic of closed ticket %s left open: %s", ticket.id, error)
                return
        if closed is None:
            # Held until an agent's update commits (bot.delivery.answers): a later pass sees
            # whether it went.
            return
        if not ticket.topic_closed:
            await self._repo.set_topic_closed(ticket.id, True)

    async def refresh_title(self, ticket: Ticket, *, card: bool = False) -> None:
        """Best effort: the title mirrors the status, and a closed ticket closes its topic;
        a failure here loses no message, and the title is set again at the next change.
        With `card`, the card follows too (its holder, a decision, the order)."""
        if ticket.topic_id is None:
            return
        with contextlib.suppress(TelegramAPIError):
            await self._bot.edit_forum_topic(
                self._forum, ticket.topic_id, name=topic_title(ticket)
            )
        if card:
            await self._refresh_card(ticket)
        # Apart: a title Telegram will not change now must not leave the topic open.
        if not ticket.topic_closed:
            await self._close_with_ticket(ticket, ticket.topic_id)

    async def _refresh_card(self, ticket: Ticket) -> None:
        # Edits post nothing: they take no slot of the forum's 20 posts a minute. A card
        # not posted yet is drawn as the ticket is when it goes.
        if ticket.card_message_id is None or ticket.card_pending:
            return
        account = await self._marketplace.account(ticket.account_id) if ticket.account_id else None
        text = context_card(
            self._t, ticket, account, ticket.card_tail or "", ticket.card_rider or ""
        )
        with contextlib.suppress(TelegramAPIError):  # the next change draws it again
            await self._bot.edit_message_text(
                text,
                chat_id=self._forum,
                message_id=ticket.card_message_id,
                reply_markup=ticket_card_buttons(self._t, ticket),
            )

    async def each_pass(self) -> None:
        # A close Telegram refused when the ticket closed (or after a late line).
        for ticket in await self._repo.topics_to_close(self._forum, limit=_CLOSE_PER_PASS):
            assert ticket.topic_id is not None  # noqa: S101 - the query's condition
            await self._close_with_ticket(ticket, ticket.topic_id)

    async def tell_overdue(self, ticket: Ticket) -> None:
        text = self._t(
            "agents-overdue",
            id=ticket.id,
            name=ticket.customer_name,
            minutes=self._tickets.policy.first_response_minutes,
        )
        await self._outbox.put(self._forum, text)


def _is_topic_gone(error: TelegramBadRequest) -> bool:
    text = error.message.lower()
    return any(marker in text for marker in _TOPIC_GONE)


def _raise_if_topic_gone(error: TelegramBadRequest) -> None:
    if _is_topic_gone(error):
        raise TopicGone from error
