"""Carries ticket messages between customers and the agents' forum.

It reads only what the ticket service stored as pending, in order, and marks each
message relayed with the copy's id. 429 waits retry_after; 5xx and network errors
back off and try again; a deleted or closed-by-hand topic is recreated; a customer
who blocked the bot is marked unreachable, and the agents are told.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
from collections.abc import Iterator
from dataclasses import replace
from functools import partial
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import Message, ReplyParameters

from bot.delivery.background import Workers
from bot.delivery.outbox import Outbox
from bot.delivery.pacing import Pacer, finish_even_if_cancelled
from bot.delivery.send import (
    CAPTIONED,
    TEXT_LIMIT,
    caption_of,
    posts_of,
    send_stored,
    text_parts,
    visible_length,
)
from bot.domain.values import Direction, MessageKind, TicketStatus
from bot.keyboards.support import ticket_card_buttons
from bot.ports.marketplace import MarketplacePort
from bot.services.tickets import TicketService
from bot.settings import Settings
from bot.telegram.cards import card_tail, context_card, topic_title
from bot.telegram.i18n import Texts, Translator
from bot.telegram.text_keys import RELAY_KINDS
from storage.messages import MessageRepo, TicketMessage
from storage.tickets import Ticket, TicketRepo

log = logging.getLogger(__name__)

# A topic closed by hand while its ticket is open counts as gone: agents look for open
# tickets in open topics.
_TOPIC_GONE = ("thread not found", "topic_deleted", "topic_id_invalid", "topic_closed")
_MAX_BACKOFF = 30.0
_WORKERS = 1000  # tickets delivered side by side; the rest wait for the next pass
_MERGE_MAX = 50
_CLOSE_PER_PASS = 20  # topics left open by a failed close, retried each pass
# Forum deliveries at once. Unlimited, they took CPU from answering customers (p99 at
# 200 customers about 1.2 s against 0.75 s, in paired runs); one at a time, the forum's
# backlog drained serially while the CPU idled. At Telegram's 20 posts a minute for a
# group, only one is ever on the wire anyway.
_FORUM_SENDS = 4
_MERGE_ROOM = 3500  # under Telegram's 4096 with the header
_STAMP = len("[00:00] \n")


class TopicGone(Exception):
    pass


class ClosedWithTicket(Exception):
    pass


class Relay:
    def __init__(
        self,
        bot: Bot,
        repo: TicketRepo,
        messages: MessageRepo,
        tickets: TicketService,
        marketplace: MarketplacePort,
        translator: Translator,
        settings: Settings,
        wake: asyncio.Event,
        pacer: Pacer,
        outbox: Outbox,
        *,
        tick: float = 5.0,
        album_settle: float = 1.0,
    ) -> None:
        self._bot, self._repo, self._tickets = bot, repo, tickets
        self._messages = messages
        self._marketplace, self._translator = marketplace, translator
        self._pacer, self._outbox = pacer, outbox
        self._forum = settings.support_chat_id
        self._sign = settings.sign_agent_replies
        self._zone = ZoneInfo(settings.support_timezone)
        self._agents_t = translator(settings.default_locale)
        self._album_settle = album_settle
        self._wake = wake
        self._album_seen: dict[str, float] = {}
        self._forum_sends = asyncio.Semaphore(_FORUM_SENDS)
        self._forum_queued = 0  # deliveries waiting for one of those
        # One worker per ticket and direction: tickets go side by side, each direction in
        # its own order, and a slow forum (20 posts a minute) holds up no agent's reply.
        self._workers = Workers(
            "relay",
            self._pending_queues,
            self._deliver_next,
            wake,
            tick=tick,
            retry=album_settle,
            also=self._each_pass,
            describe=_queue_name,
        )

    def poke(self, ticket_id: int, to_customer: bool) -> None:
        """New work in one of the ticket's queues: its worker starts at once."""
        self._workers.poke(ticket_id * 2 + to_customer)

    def album_part(self, media_group_id: str) -> None:
        """Albums arrive one update per item; wait for the last before relaying."""
        self._album_seen[media_group_id] = asyncio.get_running_loop().time()

    async def start(self) -> None:
        await self._workers.start()

    async def stop(self) -> None:
        # A send already on the wire finishes and is recorded (see _deliver), so a
        # restart does not send it again; waiting for a slot is simply dropped.
        await self._workers.stop()

    async def _pending_queues(self) -> list[int]:
        queues = await self._messages.pending_queues(limit=_WORKERS)
        return [ticket_id * 2 + outbound for ticket_id, outbound in queues]

    async def _deliver_next(self, queue: int) -> bool | None:
        """Deliver the queue's next message (or album, or merged run): True when sent,
        False when it must wait, None when nothing is left."""
        ticket_id, outbound = divmod(queue, 2)
        if not await self._messages.pending_of(ticket_id, bool(outbound), 1):
            return None
        if outbound:
            return await self._deliver_head(ticket_id, outbound)
        # A few tickets at a time to the forum, so that under load most of the CPU goes
        # to the customers waiting for an answer while the forum's backlog drains.
        self._forum_queued += 1
        try:
            await self._forum_sends.acquire()
        finally:
            self._forum_queued -= 1
        try:
            return await self._deliver_head(ticket_id, outbound)
        finally:
            self._forum_sends.release()

    async def _deliver_head(self, ticket_id: int, outbound: int) -> bool | None:
        # The ticket is read once the turn is ours; a customer's chat is known before.
        chat = (await self._tickets.get(ticket_id)).customer_id if outbound else self._forum
        if chat is None:
            return False  # kept until an agents' forum is configured; /queue still shows it
        async with self._pacer.turn(chat):
            await self._pacer.ready(chat)
            # Read again: what arrived while waiting for the slot can travel together.
            waiting = await self._messages.pending_of(ticket_id, bool(outbound), _MERGE_MAX)
            # Other tickets queued for the forum are pressure too: fewer, merged posts.
            pressed = self._pacer.pressed(chat) or (not outbound and self._forum_queued > 0)
            batch, covered = self._batch(waiting, pressed)
            if not batch:
                self._workers.wake_later(self._album_settle)
                return False
            ticket = await self._tickets.get(ticket_id)  # as it is now, after the wait
            if outbound:
                # A customer's chat keeps its turn through the whole send: a long reply
                # is several messages, and nothing may come between them.
                return await self._deliver(ticket, chat, batch, covered)
            posts = posts_of(batch)
            await self._pacer.ready(chat, posts)  # an album takes a slot per item
            self._pacer.take(chat, posts)
        # In the forum only the order within a topic matters, and this worker keeps it.
        # The slot is taken, so the next ticket's turn starts while this one is sent:
        # held through the send, the turn let the forum have one send on the wire at a time.
        with self._pacer.paid(chat, posts):
            return await self._deliver(ticket, chat, batch, covered)

    def _batch(
        self, messages: list[TicketMessage], pressed: bool
    ) -> tuple[list[TicketMessage], list[TicketMessage]]:
        """What to send now, and which stored messages it delivers."""
        first = messages[0]
        group = first.media_group_id
        if group is None:
            run = mergeable_run(messages) if pressed else []
            if len(run) > 1:
                return [merge(run, self._zone)], run
            return [first], [first]
        seen = self._album_seen.get(group)
        if seen is not None and asyncio.get_running_loop().time() - seen < self._album_settle:
            return [], []
        self._album_seen.pop(group, None)
        parts = [m for m in messages if m.media_group_id == group][:10]  # Telegram's limit
        return parts, parts

    async def _deliver(
        self, ticket: Ticket, chat: int, batch: list[TicketMessage], covered: list[TicketMessage]
    ) -> bool:
        """True when the batch is done (sent or failed for good); False to retry later."""
        delay = 1.0
        recreated = False
        for _ in range(5):
            try:
                await finish_even_if_cancelled(
                    self._send_and_record(ticket, batch, covered), self._pacer
                )
            except TelegramRetryAfter as error:
                self._pacer.hold(chat, error.retry_after)
                await self._pacer.ready(chat)
            except (TelegramServerError, TelegramNetworkError) as error:
                log.warning("relay of ticket %s: %s; retrying", ticket.id, type(error).__name__)
                await asyncio.sleep(delay)
                delay = min(delay * 2, _MAX_BACKOFF)
            except ClosedWithTicket:
                pass  # the next try, with the ticket read again, reopens the topic
            except TopicGone:
                if recreated:  # twice in a row: something else is wrong; not a topic a try
                    log.error("topic of ticket %s gone again at once; retrying later", ticket.id)
                    delay = _MAX_BACKOFF
                    break
                log.warning("topic of ticket %s is gone; opening a new one", ticket.id)
                await self._repo.set_topic(ticket.id, None)
                recreated = True
            except TelegramForbiddenError:
                await self._unreachable(ticket, covered)
                return True
            except TelegramBadRequest as error:
                log.error("relay of ticket %s refused: %s", ticket.id, error.message)
                for message in covered:
                    await self._messages.failed(message.id, error.message[:200])
                return True
            else:
                return True
            # The failed try may have opened the topic: the next one posts into it.
            ticket = await self._tickets.get(ticket.id)
        self._workers.wake_later(delay)
        return False

    async def _send_and_record(
        self, ticket: Ticket, batch: list[TicketMessage], covered: list[TicketMessage]
    ) -> None:
        # The copy's ids are written before the message counts as delivered.
        sent = await self._send(ticket, batch)
        now = covered[0].created_at
        if sent is not None and len(sent) == len(covered):
            # An album's items each map to their own copy, so an edit finds the right one.
            copies = {m.id: ids for m, ids in zip(covered, sent, strict=True)}
            await self._messages.relayed_each(copies, now)
            return
        ids = [message.id for message in covered]  # merged texts share their one copy
        await self._messages.relayed_many(ids, sent[0][0] if sent else None, now)

    async def _send(self, ticket: Ticket, batch: list[TicketMessage]) -> list[list[int]] | None:
        first = batch[0]
        if first.direction == Direction.OUT and first.kind == MessageKind.EDIT:
            await self._edit_customer_copy(ticket, first)
            return None
        if first.direction == Direction.OUT:
            header = self._customer_header(ticket, first.author_name)
            t = self._translator(ticket.locale)
            return await send_stored(
                self._bot,
                ticket.customer_id,
                None,
                batch,
                header,
                describe=partial(in_words, t),
            )
        assert self._forum is not None  # noqa: S101 - _deliver checks
        topic = ticket.topic_id
        if topic is None or ticket.card_pending:
            topic, card = await self._open_topic(ticket, _rider(batch))
            # As it is now: it may have been closed while its card waited.
            ticket = await self._tickets.get(ticket.id)
            if card is not None:  # the customer's first words went with the card
                await self._close_with_ticket(ticket, topic)
                return [[card.message_id]]
        header = self._header(ticket, first)
        reply = await self._reply_target(first)
        try:
            if ticket.topic_closed or ticket.status == TicketStatus.CLOSED:
                # Closed with the ticket: reopen for a late line (a rating) or a reopen.
                # Reopened by hand already, or never closed, it is fine as it is.
                with _unless("topic_not_modified"):
                    await self._bot.reopen_forum_topic(self._forum, topic)
            sent = await send_stored(
                self._bot,
                self._forum,
                topic,
                batch,
                header,
                reply=reply,
                describe=partial(in_words, self._agents_t),
            )
        except TelegramBadRequest as error:
            if "topic_closed" in error.message.lower():
                fresh = await self._tickets.get(ticket.id)
                if fresh.status == TicketStatus.CLOSED or fresh.topic_closed:
                    # Closed with its ticket while this line was on its way: the next
                    # try reopens it. Closed by hand with the ticket open: a new topic.
                    raise ClosedWithTicket from error
            _raise_if_topic_gone(error)
            raise
        finally:
            await self._close_with_ticket(ticket, topic)
        if ticket.topic_closed and ticket.status != TicketStatus.CLOSED:
            await self._repo.set_topic_closed(ticket.id, False)
        return sent

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
            with _unless("topic_not_modified"):  # closed already
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

    async def _edit_customer_copy(self, ticket: Ticket, edit: TicketMessage) -> None:
        """An agent edited a reply: the customer's copy follows. It comes after the reply
        in the ticket's queue, so the copy exists by now (unless it never could)."""
        original = await self._messages.get(edit.edit_of) if edit.edit_of else None
        if original is None or original.relayed_id is None:
            return
        chat, lead = ticket.customer_id, self._customer_header(ticket, original.author_name)
        lead = f"{lead}\n"
        if original.kind in CAPTIONED:
            if (
                original.media_group_id
                and await self._messages.album_head(original) != original.id
            ):
                lead = ""  # only an album's first item carries the header
            caption = caption_of(lead, edit.text)
            with _unless("message is not modified"):
                await self._bot.edit_message_caption(
                    chat_id=chat, message_id=original.relayed_id, caption=caption
                )
            return
        if original.kind != MessageKind.TEXT:
            return  # a sticker, a location...: nothing a Telegram client lets one edit
        copies = original.relayed_ids or (original.relayed_id,)
        parts = text_parts(lead, edit.text or "")
        if len(parts) != len(copies):
            # A long reply went in parts; the edit would need more, or fewer, of them.
            await self._tickets.event(
                ticket.id, self._agents_t("agents-edit-not-followed", parts=len(copies))
            )
            return
        for part, copy in zip(parts, copies, strict=True):
            with _unless("message is not modified"):  # the parts the edit did not touch
                await self._bot.edit_message_text(part, chat_id=chat, message_id=copy)

    def _customer_header(self, ticket: Ticket, agent_name: str | None) -> str:
        t = self._translator(ticket.locale)
        if self._sign and agent_name:
            return t("support-agent-says", name=agent_name)
        return t("support-team-says")

    def _header(self, ticket: Ticket, first: TicketMessage) -> str:
        t = self._agents_t
        if first.direction == Direction.EVENT:
            return ""
        if first.kind == MessageKind.EDIT:
            return t("agents-customer-edited", name=ticket.customer_name)
        return t("agents-customer-says", name=ticket.customer_name)

    async def _reply_target(self, message: TicketMessage) -> ReplyParameters | None:
        if message.edit_of is None:
            return None
        original = await self._messages.get(message.edit_of)
        if original is None or original.relayed_id is None:
            return None
        return ReplyParameters(message_id=original.relayed_id, allow_sending_without_reply=True)

    async def _open_topic(
        self, ticket: Ticket, rider: TicketMessage | None
    ) -> tuple[int, Message | None]:
        """A topic with the ticket's card; returns its id, and the card when `rider` (the
        customer's first text) went in it: in the forum's 20 posts a minute, a new
        ticket then takes one post instead of two."""
        assert self._forum is not None  # noqa: S101 - callers check
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
        if recreated:
            rider = None
        tail = card_tail(self._agents_t, recent, recreated=recreated)
        card = context_card(self._agents_t, ticket, account, tail)
        said = ""
        if rider is not None:
            said = f"{self._header(ticket, rider)}\n{html.escape(rider.text or '', quote=False)}"
            if visible_length(f"{card}\n\n{said}") <= TEXT_LIMIT:
                card = f"{card}\n\n{said}"
            else:
                rider, said = None, ""
        try:
            sent = await self._bot.send_message(
                self._forum,
                card,
                message_thread_id=thread,
                reply_markup=ticket_card_buttons(self._agents_t, ticket),
            )
        except TelegramBadRequest as error:
            _raise_if_topic_gone(error)
            # Refused for good (a bug, never the customer's doing): the topic stays
            # without its card, and the customer's words go on their own.
            log.error("card of ticket %s refused: %s", ticket.id, error.message)
            await self._repo.card_posted(ticket.id)
            return thread, None
        await self._repo.card_posted(ticket.id, sent.message_id, tail, said)
        return thread, sent if rider is not None else None

    async def _unreachable(self, ticket: Ticket, batch: list[TicketMessage]) -> None:
        for message in batch:
            await self._messages.failed(message.id, "customer blocked the bot")
        if not ticket.unreachable:
            await self._repo.set_unreachable(ticket.id, True)
            await self._tickets.event(ticket.id, self._agents_t("agents-unreachable"))

    async def refresh_title(self, ticket: Ticket, *, card: bool = False) -> None:
        """Best effort: the title mirrors the status, and a closed ticket closes its topic;
        a failure here loses no message, and the title is set again at the next change.
        With `card`, the card follows too (its holder, a decision, the order)."""
        if self._forum is None or ticket.topic_id is None:
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
            self._agents_t, ticket, account, ticket.card_tail or "", ticket.card_rider or ""
        )
        with contextlib.suppress(TelegramAPIError):  # the next change draws it again
            await self._bot.edit_message_text(
                text,
                chat_id=self._forum,
                message_id=ticket.card_message_id,
                reply_markup=ticket_card_buttons(self._agents_t, ticket),
            )

    def agents_text(self, key: str, **args: object) -> str:
        """A text in the forum's language, for lines the bot adds to a ticket."""
        return self._agents_t(key, **args)

    def agents_line(self, key: str, said: str = "", **args: object) -> str:
        """A line for a ticket's topic, stored plain (it is escaped when relayed), with what
        a person said after it as they said it."""
        title = self._agents_t.plain(key, **args)
        return f"{title}\n{said}" if said else title

    async def _each_pass(self) -> None:
        if self._forum is None:
            return
        await self._tickets.announce_overdue(self._tell_overdue)
        # A close Telegram refused when the ticket closed (or after a late line).
        for ticket in await self._repo.topics_to_close(limit=_CLOSE_PER_PASS):
            assert ticket.topic_id is not None  # noqa: S101 - the query's condition
            await self._close_with_ticket(ticket, ticket.topic_id)

    async def _tell_overdue(self, ticket: Ticket) -> None:
        assert self._forum is not None  # noqa: S101 - _each_pass checks
        text = self._agents_t(
            "agents-overdue",
            id=ticket.id,
            name=ticket.customer_name,
            minutes=self._tickets.policy.first_response_minutes,
        )
        await self._outbox.put(self._forum, text)


def in_words(t: Texts, message: TicketMessage) -> str:
    """What a message was, for when Telegram would not pass it on as it is."""
    label = t(RELAY_KINDS.get(message.kind, RELAY_KINDS["other"]))
    details = html.escape(message.text or "", quote=False)
    return "\n".join(filter(None, [label, details, t("relay-in-words")]))


def _plain(message: TicketMessage) -> bool:
    """A text the customer wrote, not an edit: it may share a message with others."""
    return (
        message.direction == Direction.IN
        and message.kind == MessageKind.TEXT
        and message.edit_of is None
    )


def _rider(batch: list[TicketMessage]) -> TicketMessage | None:
    """The customer's plain text (or merged texts) that can go in a new topic's card."""
    return batch[0] if len(batch) == 1 and _plain(batch[0]) else None


def mergeable_run(messages: list[TicketMessage]) -> list[TicketMessage]:
    """The customer's plain texts at the head of the queue that fit in one message."""
    run: list[TicketMessage] = []
    size = 0
    for message in messages:
        if not _plain(message) or message.media_group_id is not None:
            break
        size += len(message.text or "") + _STAMP
        if run and size > _MERGE_ROOM:
            break
        run.append(message)
    return run


def merge(run: list[TicketMessage], zone: ZoneInfo) -> TicketMessage:
    """Several texts as one, each with the time it was written."""
    lines = [f"[{m.created_at.astimezone(zone):%H:%M}] {m.text or ''}" for m in run]
    return replace(run[0], text="\n".join(lines))


@contextlib.contextmanager
def _unless(marker: str) -> Iterator[None]:
    """Let a Bad Request that says `marker` pass: the call had nothing to do."""
    try:
        yield
    except TelegramBadRequest as error:
        if marker not in error.message.lower():
            raise


def _is_topic_gone(error: TelegramBadRequest) -> bool:
    text = error.message.lower()
    return any(marker in text for marker in _TOPIC_GONE)


def _raise_if_topic_gone(error: TelegramBadRequest) -> None:
    if _is_topic_gone(error):
        raise TopicGone from error


def _queue_name(queue: int) -> str:
    ticket_id, outbound = divmod(queue, 2)
    return f"ticket {ticket_id} to the {'customer' if outbound else 'forum'}"
