"""Carries ticket messages between customers and the agents' forum.

It reads only what the ticket service stored as pending, in order, and marks each
message relayed with the copy's id. A send Telegram cannot take for now (429, 5xx, no
network) is tried again after the retry policy's pause (``bot.delivery.retry``); a
deleted or closed-by-hand topic is recreated; a customer who blocked the bot is marked
unreachable, and the agents are told.
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial
from typing import NamedTuple
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramForbiddenError

from bot.delivery.background import Workers, finish_even_if_cancelled
from bot.delivery.forum import ClosedWithTicket, Forum, TopicGone
from bot.delivery.forums import Forums
from bot.delivery.merging import merge, mergeable_run
from bot.delivery.outbox import Outbox
from bot.delivery.pacing import Pacer
from bot.delivery.retry import Retries, RetryPolicy, retried_later
from bot.delivery.send import Resume, posts_of
from bot.delivery.to_customer import CustomerSide
from bot.domain.values import Direction
from bot.ports.marketplace import MarketplacePort
from bot.services.tickets import TicketService
from bot.settings import Settings
from bot.telegram.i18n import Translator
from storage.messages import MessageRepo, TicketMessage
from storage.tickets import Ticket, TicketRepo

__all__ = ["Relay", "TicketQueue", "merge", "mergeable_run"]

log = logging.getLogger(__name__)

_WORKERS = 1000  # tickets delivered side by side; the rest wait for the next pass
_MERGE_MAX = 50
# Forum deliveries at once. Unlimited, they took CPU from answering customers (p99 at
# 200 customers about 1.2 s against 0.75 s, in paired runs); one at a time, the forum's
# backlog drained serially while the CPU idled. At Telegram's 20 posts a minute for a
# group, only one is ever on the wire anyway.
_FORUM_SENDS = 4


class TicketQueue(NamedTuple):
    """One of a ticket's two queues, each delivered in its own order."""

    ticket_id: int
    to_customer: bool

    def __str__(self) -> str:
        return f"ticket {self.ticket_id} to the {'customer' if self.to_customer else 'forum'}"


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
        policy: RetryPolicy,
        *,
        tick: float = 5.0,
        album_settle: float = 1.0,
    ) -> None:
        self._repo, self._tickets, self._pacer = repo, tickets, pacer
        self._messages = messages
        self._zone = ZoneInfo(settings.support_timezone)
        self._agents_t = translator(settings.default_locale)
        forums = [
            Forum(bot, repo, messages, tickets, marketplace, self._agents_t, f.chat_id, outbox)
            for f in settings.forums
        ]
        self._forums = Forums(forums, tickets, outbox, self._agents_t, settings.admin_ids)
        self._customers = CustomerSide(
            bot, messages, tickets, translator, self._agents_t, sign=settings.sign_agent_replies
        )
        self._retries: Retries[TicketQueue] = Retries(policy)
        self._album_settle = album_settle
        self._last_work: dict[TicketQueue, float] = {}
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
        )

    def poke(self, ticket_id: int, to_customer: bool) -> None:
        """New work in one of the ticket's queues: its worker starts at once."""
        queue = TicketQueue(ticket_id, to_customer)
        # An album arrives one update per item: it goes once its queue has been quiet.
        self._last_work[queue] = asyncio.get_running_loop().time()
        self._workers.poke(queue)

    async def ticket_changed(self, ticket: Ticket, card: bool) -> None:
        """The ticket's status, holder or subject changed: its topic's title (and with
        `card`, its card) follows. Best effort: see Forum.refresh_title."""
        forum = self._forums.of(ticket)
        if forum is not None:
            await forum.refresh_title(ticket, card=card)

    async def start(self) -> None:
        await self._forums.place_unplaced()
        await self._workers.start()

    async def stop(self) -> None:
        # A send already on the wire finishes and is recorded (see _deliver), so a
        # restart does not send it again; waiting for a slot is simply dropped.
        await self._workers.stop()

    async def _pending_queues(self) -> list[TicketQueue]:
        queues = await self._messages.pending_queues(limit=_WORKERS)
        return [TicketQueue(ticket_id, outbound) for ticket_id, outbound in queues]

    async def _deliver_next(self, queue: TicketQueue) -> bool | None:
        """Deliver the queue's next message (or album, or merged run): True when sent,
        False when it must wait, None when nothing is left."""
        if (wait := self._retries.wait(queue)) > 0:
            self._workers.wake_later(wait)
            return False
        if not await self._messages.pending_of(queue.ticket_id, queue.to_customer, 1):
            self._last_work.pop(queue, None)
            return None
        if queue.to_customer:
            return await self._deliver_head(queue)
        # A few tickets at a time to the forum, so that under load most of the CPU goes
        # to the customers waiting for an answer while the forum's backlog drains.
        self._forum_queued += 1
        try:
            await self._forum_sends.acquire()
        finally:
            self._forum_queued -= 1
        try:
            return await self._deliver_head(queue)
        finally:
            self._forum_sends.release()

    async def _deliver_head(self, queue: TicketQueue) -> bool | None:
        ticket_id, outbound = queue
        # Read again once the turn is ours: its chat is known before.
        known = await self._tickets.get(ticket_id)
        chat = known.customer_id if outbound else self._forums.id_of(known)
        if chat is None:
            return False  # kept until an agents' forum is configured; /queue still shows it
        async with self._pacer.turn(chat):
            await self._pacer.ready(chat)
            # Read again: what arrived while waiting for the slot can travel together.
            waiting = await self._messages.pending_of(ticket_id, outbound, _MERGE_MAX)
            # Other tickets queued for the forum are pressure too: fewer, merged posts.
            pressed = self._pacer.pressed(chat) or (not outbound and self._forum_queued > 0)
            batch, covered = self._batch(queue, waiting, pressed)
            if not batch:
                self._workers.wake_later(self._album_settle)
                return False
            ticket = await self._tickets.get(ticket_id)  # as it is now, after the wait
            if outbound:
                # A customer's chat keeps its turn through the whole send: a long reply
                # is several messages, and nothing may come between them.
                return await self._deliver(queue, ticket, batch, covered)
            posts = posts_of(batch)
            await self._pacer.claim(chat, posts)  # an album takes a slot per item
        # In the forum only the order within a topic matters, and this worker keeps it.
        # The slot is taken, so the next ticket's turn starts while this one is sent:
        # held through the send, the turn let the forum have one send on the wire at a time.
        with self._pacer.paid(chat, posts):
            return await self._deliver(queue, ticket, batch, covered)

    def _batch(
        self, queue: TicketQueue, messages: list[TicketMessage], pressed: bool
    ) -> tuple[list[TicketMessage], list[TicketMessage]]:
        """What to send now, and which stored messages it delivers."""
        first = messages[0]
        group = first.media_group_id
        if group is None:
            run = mergeable_run(messages) if pressed else []
            if len(run) > 1:
                return [merge(run, self._zone)], run
            return [first], [first]
        last = self._last_work.get(queue)
        if last is not None and asyncio.get_running_loop().time() - last < self._album_settle:
            return [], []  # more of the album may be on its way
        parts = [m for m in messages if m.media_group_id == group][:10]  # Telegram's limit
        return parts, parts

    async def _deliver(
        self,
        queue: TicketQueue,
        ticket: Ticket,
        batch: list[TicketMessage],
        covered: list[TicketMessage],
    ) -> bool:
        """True when the batch is done (sent or failed for good); False to try later."""
        recreated = False
        for _ in range(3):  # a topic fixed in place (reopened, or a new one) and sent again
            try:
                with retried_later():  # the rows are kept: this worker tries again, later
                    sending = self._send_and_record(ticket, batch, covered, not recreated)
                    await finish_even_if_cancelled(sending, self._pacer.only_waiting)
            except ClosedWithTicket:
                pass  # the next try, with the ticket read again, reopens the topic
            except TopicGone:
                if recreated:  # twice in a row: something else is wrong; not a topic a try
                    log.error("topic of ticket %s gone again at once; retrying later", ticket.id)
                    break
                log.warning("topic of ticket %s is gone; opening a new one", ticket.id)
                await self._repo.set_topic(ticket.id, None)
                for message in covered:  # a long text's parts went with the old topic
                    await self._messages.parts_sent(message.id, [])
                recreated = True
            except TelegramAPIError as error:
                return await self._failed(queue, ticket, covered, error)
            else:
                self._retries.succeeded(queue)
                return True
            # The failed try may have opened the topic: the next one posts into it.
            ticket = await self._tickets.get(ticket.id)
        self._workers.wake_later(self._retries.back_off(queue))
        return False

    async def _failed(
        self, queue: TicketQueue, ticket: Ticket, covered: list[TicketMessage], error: Exception
    ) -> bool:
        pause = self._retries.failed(queue, error)
        if pause is not None:
            log.warning(
                "relay of ticket %s: %s; again in %ss", ticket.id, type(error).__name__, pause
            )
            self._workers.wake_later(pause)
            return False
        if isinstance(error, TelegramForbiddenError):
            await self._unreachable(ticket, covered)
            return True
        if isinstance(error, TelegramBadRequest):
            log.error("relay of ticket %s refused: %s", ticket.id, error.message)
            for message in covered:
                await self._messages.failed(message.id, error.message[:200])
            return True
        raise error  # not about this message: the worker logs it, a later pass looks again

    async def _send_and_record(
        self, ticket: Ticket, batch: list[TicketMessage], covered: list[TicketMessage], go_on: bool
    ) -> None:
        record = partial(self._record, covered)
        resume = Resume()
        if len(covered) == 1 and batch[0] is covered[0]:  # its own copy, not a merge
            message, sent = covered[0], covered[0].relayed_ids if go_on else ()
            resume = Resume(sent, partial(self._messages.parts_sent, message.id))
        if batch[0].direction == Direction.OUT:
            await record(await self._customers.send(ticket, batch, resume))
            return
        forum = self._forums.of(ticket)
        assert forum is not None  # noqa: S101 - _deliver_head checks
        # Recorded from within: the forum has calls to make after the post.
        await forum.send(ticket, batch, record, resume)

    async def _record(self, covered: list[TicketMessage], sent: list[list[int]] | None) -> None:
        # The copy's ids are written before the message counts as delivered.
        now = covered[0].created_at
        if sent is not None and len(sent) == len(covered):
            # An album's items each map to their own copy, so an edit finds the right one.
            copies = {m.id: ids for m, ids in zip(covered, sent, strict=True)}
            await self._messages.relayed_each(copies, now)
            return
        ids = [message.id for message in covered]  # merged texts share their one copy
        await self._messages.relayed_many(ids, sent[0][0] if sent else None, now)

    async def _unreachable(self, ticket: Ticket, batch: list[TicketMessage]) -> None:
        for message in batch:
            await self._messages.failed(message.id, "customer blocked the bot")
        if not ticket.unreachable:
            await self._repo.set_unreachable(ticket.id, True)
            await self._tickets.event(ticket.id, self._agents_t("agents-unreachable"))

    async def _each_pass(self) -> None:
        await self._forums.each_pass()
