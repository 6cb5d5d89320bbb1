"""Notices the bot sends on its own, not as the answer to someone's update.

An overdue ticket, a phone change applied, a code that could not leave: the code that
decides one writes it here, in its own transaction, and the outbox delivers it after
the commit, in order per chat, through the same pacing as everything else. A restart
or an outage delays a notice; it never loses one, and a notice sent before a stop is
not sent again.

A notice Telegram cannot take for now (a 429, a 5xx, no network) waits in its row for the
retry policy's next pause (``bot.delivery.retry``); one it refuses for good is given up on.

Notices to a phone or an email (the warnings of a phone change) go the same way: kept
in the transaction that decides them, retried with growing pauses while the gateway or
the mail server is down, and given up on only after ``attempts`` tries, when whoever
is waiting for them (``given_up``) hears of it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import InlineKeyboardMarkup

from bot.delivery.background import Workers, finish_even_if_cancelled
from bot.delivery.pacing import Pacer
from bot.delivery.retry import Backoff, Retries, RetryPolicy, retried_later
from bot.domain.clock import Clock
from bot.domain.phones import mask
from bot.domain.values import Channel
from bot.ports.senders import (
    DeliveryFailed,
    DeliveryRefused,
    MailSender,
    PhoneSender,
    Unconfigured,
)
from storage.db import Database
from storage.outbox import Notice, OutboxRepo

log = logging.getLogger(__name__)

_WORKERS = 1000  # chats served side by side; the rest wait for the next pass
_RETRY_SECONDS = 10.0  # after a pass that failed unexpectedly
_LONGEST_PAUSE = 3600.0

# Told when a notice is given up on (refused for good, or out of attempts): its reason.
GivenUpHook = Callable[[Notice, str], Awaitable[None]]


class Outbox:
    def __init__(
        self,
        bot: Bot,
        db: Database,
        repo: OutboxRepo,
        pacer: Pacer,
        clock: Clock,
        *,
        policy: RetryPolicy | None = None,
        phone: PhoneSender | None = None,
        mail: MailSender | None = None,
        retry_seconds: float = 60.0,
        attempts: int = 10,
        tick: float = 5.0,
    ) -> None:
        self._bot, self._db, self._repo, self._pacer, self._clock = bot, db, repo, pacer, clock
        self._phone, self._mail = phone, mail
        self._retries: Retries[int] = Retries(policy or RetryPolicy())  # per chat
        self._attempts = attempts
        self._backoff = Backoff(retry_seconds, _LONGEST_PAUSE)
        # A code lives for minutes: it is tried again at the policy's pace until it expires.
        self._code_backoff = self._retries.policy.backoff
        self.given_up: GivenUpHook | None = None
        # Told that a notice a phone change waits for is settled (sent or given up on).
        self.settled: Callable[[], None] = lambda: None
        self._wake, self._wake_contacts = asyncio.Event(), asyncio.Event()
        self._workers = Workers(
            "outbox",
            lambda: self._repo.pending_chats(limit=_WORKERS),
            self._deliver_next,
            self._wake,
            tick=tick,
            retry=_RETRY_SECONDS,
        )
        self._contacts = Workers(
            "outbox-contacts",
            lambda: self._repo.due_contacts(self._clock.now(), limit=_WORKERS),
            self._deliver_contact,
            self._wake_contacts,
            tick=tick,
            retry=_RETRY_SECONDS,
        )

    async def put(
        self,
        chat_id: int,
        text: str,
        markup: InlineKeyboardMarkup | None = None,
        *,
        recovery_id: int | None = None,
    ) -> None:
        """Queue a notice. Inside a transaction it is kept or dropped with the rest of
        it, and leaves only after the commit."""
        keyboard = markup.model_dump_json(exclude_none=True) if markup else None
        await self._repo.add(chat_id, text, keyboard, self._clock.now(), recovery_id=recovery_id)
        self._db.after_commit(self._wake.set)

    def can_send(self, channel: Channel) -> bool:
        """Whether anything can go by this channel (sms, call, email) at all."""
        sender = self._sender(channel)
        return sender is not None and not isinstance(sender, Unconfigured)

    def reaches(self, destination: str) -> bool:
        """Whether a notice to this phone or email can go at all (its channel is set up)."""
        return self.can_send(_channel(destination))

    async def put_contact(
        self,
        destination: str,
        subject: str,
        text: str,
        *,
        channel: Channel | None = None,
        code: str | None = None,
        code_id: int | None = None,
        expires_at: datetime | None = None,
        recovery_id: int | None = None,
    ) -> None:
        """Queue a message to a phone (SMS, or a call that says a code) or an email, like
        `put`. One with an ``expires_at`` is dropped once that has passed."""
        await self._repo.add(
            0,
            text,
            None,
            self._clock.now(),
            channel=channel or _channel(destination),
            destination=destination,
            subject=subject,
            recovery_id=recovery_id,
            code=code,
            code_id=code_id,
            expires_at=expires_at,
        )
        self._db.after_commit(self._wake_contacts.set)

    async def deliver_due(self) -> None:
        """One pass over the SMS and email messages whose turn has come, without waiting
        for the workers (they do the same, and retry later what fails here)."""
        for notice_id in await self._repo.due_contacts(self._clock.now(), limit=_WORKERS):
            while await self._deliver_contact(notice_id) is True:
                pass

    def _sender(self, channel: Channel) -> PhoneSender | MailSender | None:
        return self._mail if channel == Channel.EMAIL else self._phone

    async def start(self) -> None:
        await self._workers.start()
        await self._contacts.start()

    async def stop(self) -> None:
        await self._workers.stop()
        await self._contacts.stop()

    async def _deliver_next(self, chat_id: int) -> bool | None:
        """Deliver the chat's next notice: True when done with it (sent, or refused for
        good), False when it must wait, None when nothing is left."""
        if (wait := self._retries.wait(chat_id)) > 0:
            self._workers.wake_later(wait)
            return False
        notice = await self._repo.next_of(chat_id)
        if notice is None:
            return None
        try:
            with retried_later():  # the row is kept: this worker tries again, not the session
                await finish_even_if_cancelled(
                    self._send_and_record(notice), self._pacer.only_waiting
                )
        except TelegramAPIError as error:
            pause = self._retries.failed(chat_id, error)
            if pause is None:
                # Blocked, the chat gone or moved: retrying would fail the same way forever,
                # and hold up every notice behind it.
                log.info("notice %s to chat %s refused: %s", notice.id, chat_id, error.message)
                await self._give_up(notice, error.message[:200])
                return True
            log.warning("notice %s: %s; again in %ss", notice.id, type(error).__name__, pause)
            self._workers.wake_later(pause)
            return False
        self._retries.succeeded(chat_id)
        return True

    async def _deliver_contact(self, notice_id: int) -> bool | None:
        notice = await self._repo.contact(notice_id)
        if notice is None:
            return None
        now = self._clock.now()
        if not notice.live:  # a newer code replaced it, or it was used: nothing to send
            await self._give_up(notice, "superseded")
            return True
        if notice.expires_at and datetime.fromisoformat(notice.expires_at) <= now:
            log.warning(
                "%s %s to %s expired undelivered",
                notice.channel,
                notice.id,
                mask(notice.destination or ""),
            )
            await self._give_up(notice, "expired")
            return True
        try:
            await self._hand_over(notice)
        except DeliveryFailed as error:
            attempts = notice.attempts + 1
            sender = self._sender(notice.channel)
            out_of_tries = attempts >= self._attempts and not notice.code
            if (
                out_of_tries
                or isinstance(error, DeliveryRefused)
                or isinstance(sender, Unconfigured | None)
            ):
                log.warning("notice %s by %s given up: %s", notice.id, notice.channel, error)
                await self._give_up(notice, str(error)[:200])
                return True
            pause = (self._code_backoff if notice.code else self._backoff).pause(attempts)
            log.info(
                "notice %s by %s failed (%s); again in %ss",
                notice.id,
                notice.channel,
                error,
                pause,
            )
            next_at = self._clock.now() + timedelta(seconds=pause)
            await self._repo.retry_at(notice.id, attempts, next_at)
            self._contacts.wake_later(pause)
            return False
        await self._repo.sent(notice.id, None, self._clock.now())
        self._settled(notice)
        return True

    async def _hand_over(self, notice: Notice) -> None:
        """To the SMS gateway or the mail server; DeliveryFailed when it did not take it."""
        where = notice.destination or ""
        if notice.channel == Channel.EMAIL:
            if self._mail is None:
                raise DeliveryFailed("channel not configured")
            await self._mail.send(where, notice.subject or "", notice.text)
            return
        if self._phone is None:
            raise DeliveryFailed("channel not configured")
        await self._phone.send(where, notice.channel, notice.code or "", notice.text)

    async def _give_up(self, notice: Notice, reason: str) -> None:
        async with self._db.tx():  # whoever waits for it hears, or it is not given up
            await self._repo.failed(notice.id, reason)
            if self.given_up is not None and notice.recovery_id is not None:
                await self.given_up(notice, reason)
        self._settled(notice)

    def _settled(self, notice: Notice) -> None:
        if notice.recovery_id is not None:
            self.settled()

    async def _send_and_record(self, notice: Notice) -> None:
        markup = InlineKeyboardMarkup.model_validate_json(notice.markup) if notice.markup else None
        sent = await self._bot.send_message(notice.chat_id, notice.text, reply_markup=markup)
        await self._repo.sent(notice.id, sent.message_id, self._clock.now())
        self._settled(notice)


def _channel(destination: str) -> Channel:
    return Channel.EMAIL if "@" in destination else Channel.SMS
