"""Notices the bot sends on its own, not as the answer to someone's update.

An overdue ticket, a phone change applied, a code that could not leave: the code that
decides one writes it here, in its own transaction, and the outbox delivers it after
the commit, in order per chat, through the same pacing as everything else. A restart
or an outage delays a notice; it never loses one, and a notice sent before a stop is
not sent again.
"""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardMarkup

from bot.background import Workers
from bot.clock import Clock
from bot.pacing import Pacer, finish_even_if_cancelled
from storage.db import Database
from storage.outbox import Notice, OutboxRepo

log = logging.getLogger(__name__)

_WORKERS = 1000  # chats served side by side; the rest wait for the next pass
_RETRY_SECONDS = 10.0


class Outbox:
    def __init__(
        self,
        bot: Bot,
        db: Database,
        repo: OutboxRepo,
        pacer: Pacer,
        clock: Clock,
        *,
        tick: float = 5.0,
    ) -> None:
        self._bot, self._db, self._repo, self._pacer, self._clock = bot, db, repo, pacer, clock
        self._wake = asyncio.Event()
        self._workers = Workers(
            "outbox",
            lambda: self._repo.pending_chats(limit=_WORKERS),
            self._deliver_next,
            self._wake,
            tick=tick,
            retry=_RETRY_SECONDS,
        )

    async def put(
        self, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
    ) -> None:
        """Queue a notice. Inside a transaction it is kept or dropped with the rest of
        it, and leaves only after the commit."""
        keyboard = markup.model_dump_json(exclude_none=True) if markup else None
        await self._repo.add(chat_id, text, keyboard, self._clock.now())
        self._db.after_commit(self._wake.set)

    async def start(self) -> None:
        await self._workers.start()

    async def stop(self) -> None:
        await self._workers.stop()

    async def _deliver_next(self, chat_id: int) -> bool | None:
        """Deliver the chat's next notice: True when done with it (sent, or refused for
        good), False when it must wait, None when nothing is left."""
        notice = await self._repo.next_of(chat_id)
        if notice is None:
            return None
        try:
            await finish_even_if_cancelled(self._send_and_record(notice), self._pacer)
        except TelegramRetryAfter as error:
            self._pacer.hold(notice.chat_id, error.retry_after)
            self._workers.wake_later(error.retry_after)
            return False
        except (TelegramServerError, TelegramNetworkError) as error:
            log.warning("notice %s: %s; retrying later", notice.id, type(error).__name__)
            self._workers.wake_later(_RETRY_SECONDS)
            return False
        except TelegramAPIError as error:
            # Blocked, the chat gone or moved: retrying would fail the same way forever,
            # and hold up every notice behind it.
            log.info("notice %s to chat %s refused: %s", notice.id, notice.chat_id, error.message)
            await self._repo.failed(notice.id, error.message[:200])
        return True

    async def _send_and_record(self, notice: Notice) -> None:
        markup = InlineKeyboardMarkup.model_validate_json(notice.markup) if notice.markup else None
        sent = await self._bot.send_message(notice.chat_id, notice.text, reply_markup=markup)
        await self._repo.sent(notice.id, sent.message_id, self._clock.now())
