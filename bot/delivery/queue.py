"""Updates that came by webhook, handled once, in order per chat, by whichever worker.

An update is answered 200 only once it is committed to the `incoming` table (Telegram
sends again anything else, and a copy is dropped there). Several worker processes
share that table as a queue: a worker claims, in one transaction, the oldest unhandled
update of a chat when nothing of that chat before it is unhandled or still to send,
with a lease it renews while the handler runs. The mark that the update is handled
commits with the handler's writes only while the lease is still this worker's, and its
answers go out from that commit (``bot.delivery.answers``), as under polling. A worker
that dies lets its leases run out, and another takes its updates over: nothing lost,
nothing twice. The worker that received an update claims at once; every worker also
looks for free updates every second, and for answers a dead worker left unsent.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import TelegramObject, Update
from pydantic import ValidationError

from bot.delivery.answers import Answers
from bot.delivery.background import Background, wake_or_tick
from bot.delivery.intake import MAX_STARTS, around_builtins
from bot.delivery.leader import iso, worker_name
from storage.queue import Claimed, Lease, QueueRepo

log = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
LEASE_SECONDS = 5.0  # a dead worker's update waits this long for another
RENEW_SECONDS = 1.5
POLL_SECONDS = 1.0
IN_HAND = 64  # updates one worker handles at once (of different chats)
KEEP_HANDLED = timedelta(hours=1)  # Telegram may send an update again within it
FLUSH_EVERY = 60  # passes between two clean-ups of what is kept


def chat_key(update: Mapping[str, Any]) -> str | None:
    """The chat an update belongs to, its topic in a forum; else its sender."""
    for kind, payload in update.items():
        if kind == "update_id" or not isinstance(payload, dict):
            continue
        message = payload.get("message") if kind == "callback_query" else payload
        chat = message.get("chat") if isinstance(message, dict) else None
        if isinstance(message, dict) and isinstance(chat, dict) and "id" in chat:
            topic = message.get("is_topic_message") and message.get("message_thread_id")
            return f"{chat['id']}:{topic}" if topic else str(chat["id"])
        sender = payload.get("from") or payload.get("user")
        if isinstance(sender, dict) and "id" in sender:
            return f"user:{sender['id']}"
    return None


def _row(claimed: Claimed) -> tuple[int, int]:
    return claimed.update_id, claimed.starts


class LeaseLost(Exception):
    """The update's lease went to another worker, which handles it."""


class Claims:
    def __init__(
        self, repo: QueueRepo, answers: Answers, background: Background, *, exclusive: bool
    ) -> None:
        self._repo, self._answers, self._background = repo, answers, background
        # The only process of its database (SQLite): every lease left is a dead one's.
        self.exclusive = exclusive
        self.holder = worker_name()
        self._in_hand: set[int] = set()
        self._flushes = 0
        self._alone = False  # a suspect runs: it is handled with nothing beside it
        self._lost: set[int] = set()
        self._committed: set[int] = set()
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._loop: asyncio.Task[None] | None = None
        self._bot: Bot | None = None
        self._dp: Dispatcher | None = None

    def lease(self) -> Lease:
        now = datetime.now(UTC)
        return Lease(self.holder, iso(now), iso(now + timedelta(seconds=LEASE_SECONDS)))

    def install(self, dp: Dispatcher, bot: Bot) -> None:
        """Around aiogram's own update middlewares (errors, the FSM's lock), and inside."""
        around_builtins(dp, self.updates, self.turns)

    async def record(self, body: str, update: Mapping[str, Any]) -> None:
        """Committed before the 200; then this worker tries to handle it at once."""
        at = iso(datetime.now(UTC))
        await self._repo.record(update["update_id"], body, chat_key(update), at)
        self._wake.set()

    async def replay(self, bot: Bot, dispatcher: Dispatcher) -> None:
        """Last at start-up: what the last run left is in the queue like anything else."""
        self._bot, self._dp = bot, dispatcher
        if self.exclusive:
            await self._repo.release_all()
        unkeyed = await self._repo.unkeyed()
        if unkeyed:
            await self._repo.set_keys([(i, chat_key(json.loads(b))) for i, b in unkeyed])
        self._loop = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """No more claims; what is in hand finishes (``wait_idle``)."""
        if self._loop is not None:
            self._loop.cancel()
            await asyncio.gather(self._loop, return_exceptions=True)
            self._loop = None

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self._pass()
            except Exception:  # the loop outlives a failed pass; the next one tries again
                log.exception("a pass over the update queue failed")
            await wake_or_tick(self._wake, POLL_SECONDS)

    async def _pass(self) -> None:
        for update_id in await self._repo.adopt_answers(self.lease(), IN_HAND):
            await self._answers.send_of(update_id)
        room = IN_HAND - len(self._in_hand)
        if self._alone or room <= 0:
            return
        taken = await self._repo.claim(self.lease(), room, self._choose)
        # A suspect another worker took meanwhile is not this one's to wait for.
        self._alone = any(c.starts for c in taken)
        for claimed in taken:
            if claimed.starts >= MAX_STARTS:
                # Every claim of it ended with its worker gone: one update must not
                # keep the bot down. Its row stays, marked, to be looked at.
                log.error("update %s let go: %d runs did not finish it", *_row(claimed))
                await self._repo.let_go(claimed.update_id, self.holder)
                self._alone = False
                self._wake.set()
                continue
            if claimed.starts:
                log.warning("update %s taken over: its last run did not finish", claimed.update_id)
            self._in_hand.add(claimed.update_id)
            self._idle.clear()
            self._background.spawn(self._handle(claimed))
        self._flushes += 1
        if self._flushes % FLUSH_EVERY == 0:
            await self.flush()

    def _choose(self, free: list[Claimed]) -> list[Claimed]:
        # One that was claimed before and not finished may have ended its worker: it is
        # handled alone, so that only the one that does it again is counted.
        fresh = [c for c in free if not c.starts]
        suspects = [c for c in free if c.starts]
        if suspects and not self._in_hand:
            return suspects[:1]
        return fresh

    async def _handle(self, claimed: Claimed) -> None:
        assert self._bot is not None and self._dp is not None  # noqa: S101 - set at start
        renewing = asyncio.create_task(self._renew(claimed.update_id))
        try:
            update = Update.model_validate_json(claimed.body, context={"bot": self._bot})
        except ValidationError:
            log.exception("update %s kept unreadable; letting it go", claimed.update_id)
            await self._repo.let_go(claimed.update_id, self.holder)
        else:
            try:
                await self._dp.feed_update(self._bot, update)
            except Exception:
                log.exception("update %s failed", claimed.update_id)
        finally:
            renewing.cancel()
            self._in_hand.discard(claimed.update_id)
            self._alone = False
            if not self._in_hand:
                self._idle.set()
            self._wake.set()  # its chat's next update is free now

    async def _renew(self, update_id: int) -> None:
        while True:
            await asyncio.sleep(RENEW_SECONDS)
            try:
                if not await self._repo.renew(update_id, self.lease()):
                    log.warning("update %s: its lease went to another worker", update_id)
                    return
            except Exception:  # the next round tries again, before the lease runs out
                log.exception("lease of update %s not renewed", update_id)

    async def updates(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        """Outermost: one whose handler failed is marked handled (its writes were rolled
        back; the apology is its answer), unless another worker has it."""
        update_id = event.update_id  # type: ignore[attr-defined]
        try:
            return await handler(event, data)
        finally:
            if update_id in self._committed or update_id in self._lost:
                self._committed.discard(update_id)
                self._lost.discard(update_id)
            else:
                await self._mark_failed(update_id)

    async def turns(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        """The handler's writes, the mark and what it sends commit together, and only
        while the lease is this worker's; what it sends goes out after."""
        update_id = event.update_id  # type: ignore[attr-defined]
        try:
            async with self._answers.transaction(update_id, data):
                result = await handler(event, data)
                if not await self._repo.handled(update_id, self.holder):
                    raise LeaseLost
        except LeaseLost:
            log.warning("update %s went to another worker; this run is rolled back", update_id)
            self._lost.add(update_id)
            return UNHANDLED
        self._committed.add(update_id)
        return result

    async def _mark_failed(self, update_id: int) -> None:
        try:
            await self._repo.handled(update_id, self.holder)
        except Exception:  # at worst it is handled again once its lease runs out
            log.exception("update %s could not be marked handled", update_id)

    async def wait_idle(self) -> None:
        await self._idle.wait()

    async def flush(self) -> None:
        """Handled updates are kept a while, to drop a copy Telegram sends again."""
        await self._repo.forget(iso(datetime.now(UTC) - KEEP_HANDLED))
