"""Every update is written down before Telegram is told it arrived, and handled once.

aiogram's polling confirms a batch (the offset of its next getUpdates) as soon as it has
taken it, while the handlers still run: a crash, a kill or running out of memory lost
every update in hand. Here the answer to a getUpdates is written to SQLite before
aiogram sees it, so before the next call confirms it, and a start first handles, in
order, whatever the last run took and did not finish.

An update is marked handled in the transaction its handler writes in, and what the
handler sends goes out from that commit (``bot.delivery.answers``): a replay after a crash
neither repeats a step nor an answer. Handled updates are forgotten once Telegram has
confirmed them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, cast

from aiogram import Bot, Dispatcher
from aiogram.client.session.middlewares.base import NextRequestMiddlewareType
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.methods import GetUpdates, TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiogram.types import TelegramObject, Update
from pydantic import ValidationError

from bot.delivery.answers import Answers
from bot.delivery.background import Background
from storage.incoming import IncomingRepo

log = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
Middleware = Callable[[Handler, TelegramObject, dict[str, Any]], Awaitable[Any]]
MAX_STARTS = 3


def around_builtins(dp: Dispatcher, outer: Middleware, inner: Middleware) -> None:
    """``outer`` before aiogram's own update middlewares (errors, the FSM's per-chat
    lock), ``inner`` after them, next to the handlers."""
    manager = dp.update.outer_middleware
    builtin = list(manager)
    for each in builtin:
        manager.unregister(each)
    manager.register(outer)
    for each in builtin:
        manager.register(each)
    manager.register(inner)


class Incoming:
    def __init__(self, repo: IncomingRepo, answers: Answers, background: Background) -> None:
        self._repo, self._answers, self._background = repo, answers, background
        self._confirmed = 0  # Telegram will not send again an update below this id
        # What the last run left, until Telegram's first answer: it sends again what the
        # last run took and could not confirm, and those are being handled already.
        self._left: dict[int, str] | None = None
        self._again: set[int] = set()
        self._replaying: set[int] = set()
        self._committed: set[int] = set()  # marked handled with their handler's writes
        self._in_hand = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def install(self, dp: Dispatcher, bot: Bot) -> None:
        """On the bot's session, around aiogram's own middlewares (errors, and the FSM's
        per-chat lock: an update waiting for its chat's lock, or failing in there, is in
        hand all the same), and inside them (`turns`)."""
        bot.session.middleware(self.requests)
        around_builtins(dp, self.updates, self.turns)

    async def requests(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        """The session's middleware: keeps each getUpdates answer before aiogram sees it."""
        response = await make_request(bot, method)
        if not isinstance(method, GetUpdates):
            return response
        # At run time a session middleware passes on the call's result, not a Response.
        updates = cast(list[Update], response)
        fresh, again = [], set()
        for update in updates:
            body = update.model_dump_json(exclude_unset=True, by_alias=True)
            if self._left is not None and self._left.get(update.update_id) == body:
                again.add(update.update_id)
            else:
                fresh.append((update.update_id, body))
        if fresh:
            await self._repo.keep(fresh)
        if method.offset is not None and method.offset > self._confirmed:
            # It reached Telegram: what came before is confirmed, and once handled it
            # can be forgotten.
            self._confirmed = method.offset
            await self.flush()
        self._again |= again
        self._left = None
        return cast(Response[TelegramType], updates)

    async def updates(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        """The dispatcher's outermost middleware: counts the updates in hand, and marks
        handled one whose handler failed (its writes were rolled back; the apology is
        its answer)."""
        update_id = event.update_id  # type: ignore[attr-defined]
        if update_id in self._again:
            self._again.discard(update_id)
            return UNHANDLED
        self._in_hand += 1
        self._idle.clear()
        try:
            return await handler(event, data)
        finally:
            self._replaying.discard(update_id)
            if update_id in self._committed:
                self._committed.discard(update_id)
            else:
                await self._mark_handled(update_id)
            self._in_hand -= 1
            if not self._in_hand:
                self._idle.set()

    async def turns(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        """Inside aiogram's per-chat lock: the handler's writes, the mark that the update
        is handled and what it sends commit together, and what it sends goes out after.
        A replayed update has its turn here, and it counts (one that waits behind another
        does not)."""
        update_id = event.update_id  # type: ignore[attr-defined]
        if update_id in self._replaying:
            try:
                await self._repo.turn_taken(update_id)
            except Exception:  # only the count is lost, not the update
                log.exception("replay of update %s not counted", update_id)
        async with self._answers.transaction(update_id, data):
            result = await handler(event, data)
            await self._repo.handled([update_id])
        self._committed.add(update_id)
        return result

    async def _mark_handled(self, update_id: int) -> None:
        try:
            await self._repo.handled([update_id])
        except Exception:  # at worst it is handled again after a restart
            log.exception("update %s could not be marked handled", update_id)

    async def replay(self, bot: Bot, dispatcher: Dispatcher) -> None:
        """At start-up, before polling (and after what the last run committed was sent):
        hand what it left unhandled to the handlers, in the order it came (each chat's
        lock is taken in the order the tasks start)."""
        kept = await self._repo.all()
        self._left = {k.update_id: k.body for k in kept}
        left = [k for k in kept if not k.handled]
        if left:
            log.warning("handling %d updates the last run took and did not finish", len(left))
        # Those that had their turn last time, and did not finish, may have ended it:
        # one at a time first, so that only the one that does it again is counted. The
        # rest only waited behind them (in their chat) or never came to it.
        suspects = [k for k in left if k.starts]
        for k in suspects + [k for k in left if not k.starts]:
            if k.starts >= MAX_STARTS:
                # Every replay of it ended the process before it finished: one update
                # must not keep the bot down. Its row stays, marked, to be looked at.
                log.error("update %s let go: %d replays did not finish it", k.update_id, k.starts)
                await self._repo.let_go(k.update_id)
                continue
            try:
                update = Update.model_validate_json(k.body, context={"bot": bot})
            except ValidationError:
                log.exception("update %s kept unreadable; letting it go", k.update_id)
                await self._repo.let_go(k.update_id)
                continue
            self._replaying.add(k.update_id)
            if k in suspects:
                await self._one_alone(dispatcher.feed_update(bot, update))
            else:
                self._background.spawn(dispatcher.feed_update(bot, update))

    async def _one_alone(self, work: Awaitable[Any]) -> None:
        try:
            await work
        except Exception:
            log.exception("replayed update failed")

    async def wait_idle(self) -> None:
        await self._idle.wait()

    async def flush(self) -> None:
        """Forget the handled updates Telegram has confirmed; the rest are kept, marked
        handled, to recognise them if Telegram sends them again."""
        await self._repo.forget(confirmed_below=self._confirmed)
