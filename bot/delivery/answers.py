"""What a handler sends goes out only after what it wrote is committed, from that commit.

A handler runs in one transaction with the mark that its update is handled (see
``bot.delivery.intake``). The Telegram calls it makes meanwhile (answers, edits, posts to
the forum) are held here instead of sent: they are written in that same transaction
and sent once it commits, each row removed as its call goes out. So a crash before
the commit leaves nothing sent and nothing written, and the update is handled again
from the start; a crash after it leaves the update handled, and the next start sends
what was not sent yet. Nothing is done twice, and nothing is lost.

A held call returns None to the handler: handlers never use what a send returns.
Calls that only read (``get*``) go out at once; so does an upload, which has no
JSON body to keep (handlers send files by id, never upload).
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from typing import Any, cast

from aiogram import Bot, methods
from aiogram.client.session.middlewares.base import NextRequestMiddlewareType
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType
from pydantic import ValidationError

from bot.delivery.session import json_body
from storage import keys
from storage.answers import Answer, AnswerRepo
from storage.db import Database

log = logging.getLogger(__name__)

_METHODS: dict[str, type[TelegramMethod[Any]]] = {
    cls.__api_method__: cls
    for name in dir(methods)
    if isinstance(cls := getattr(methods, name), type)
    and issubclass(cls, TelegramMethod)
    and cls is not TelegramMethod
}


class _Held:
    """The calls one update's handler made, in order."""

    def __init__(self, update_id: int) -> None:
        self.update_id = update_id
        self.calls: list[tuple[TelegramMethod[Any], bytes]] = []
        self.open = True


_held: contextvars.ContextVar[_Held | None] = contextvars.ContextVar("held", default=None)

# Around an update's transaction: state kept outside the database, written after it.
StateWrites = Callable[[], AbstractAsyncContextManager[None]]
# The transaction's last step: that state put aside under the update's id.
StateStage = Callable[[int], Awaitable[None]]


class Answers:
    def __init__(self, db: Database, repo: AnswerRepo) -> None:
        self._db, self._repo = db, repo
        self._bot: Bot | None = None
        self._state_writes: StateWrites = nullcontext
        self._state_stage: StateStage = _nothing_staged

    def defer_state(self, writes: StateWrites, stage: StateStage) -> None:
        """FSM state kept outside the database (Redis) is written by ``writes`` once the
        update's transaction has committed, before its answers go: not in the middle of
        the handler, where a crash would leave a step taken that the database never saw.
        ``stage`` puts it aside just before the COMMIT, for a crash right after it."""
        self._state_writes, self._state_stage = writes, stage

    def install(self, bot: Bot) -> None:
        """Outermost on the session: a held call waits for nothing, not even pacing."""
        self._bot = bot
        bot.session.middleware(self.requests)

    async def requests(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        # aiogram types a session middleware's result as Response[...]; what flows
        # through it at run time is the call's result itself.
        held = _held.get()
        if held is None or not held.open or method.__api_method__.startswith("get"):
            return await make_request(bot, method)
        body = json_body(bot.session, bot, method)
        if body is None:
            return await make_request(bot, method)
        held.calls.append((method, body))
        return cast(Response[TelegramType], None)  # held: sent after the commit

    @asynccontextmanager
    async def transaction(self, update_id: int, data: Mapping[str, Any]) -> AsyncIterator[None]:
        """One update's handling: its writes and its calls commit together, and the calls
        go out after the commit. A failure rolls back both: nothing was sent. Its
        transaction is its chat's: other chats' run beside it."""
        held = _Held(update_id)
        token = _held.set(held)
        try:
            async with self._state_writes(), self._db.tx(_chat_key(data)):
                yield
                held.open = False
                ids = [
                    await self._repo.add(update_id, call.__api_method__, body.decode())
                    for call, body in held.calls
                ]
                await self._state_stage(update_id)
        finally:
            held.open = False
            _held.reset(token)
        refused = await self._send([(i, c) for i, (c, _) in zip(ids, held.calls, strict=True)])
        if refused is not None:
            # A post the person would have read was refused: they must not be left with
            # silence. Raised to the errors handler, which apologises.
            raise refused

    async def send_left(self) -> None:
        """At start-up: what the last run committed and did not send, in order."""
        left = await self._repo.all()
        if left:
            log.warning("sending %d answers the last run committed and did not send", len(left))
        await self._send(await self._calls(left))

    async def send_of(self, update_id: int) -> None:
        """What one update's handling committed and the worker that handled it, gone
        since, did not send."""
        left = await self._repo.of_update(update_id)
        if left:
            log.warning("sending %d answers of update %s a worker left", len(left), update_id)
        await self._send(await self._calls(left))

    async def _calls(self, left: list[Answer]) -> list[tuple[int, TelegramMethod[Any]]]:
        calls = []
        for answer in left:
            try:
                call = _METHODS[answer.method].model_validate_json(answer.body)
            except (KeyError, ValidationError):
                log.exception("answer %s kept unreadable; dropping it", answer.id)
                await self._repo.sent(answer.id)
                continue
            calls.append((answer.id, call))
        return calls

    async def _send(
        self, calls: list[tuple[int, TelegramMethod[Any]]]
    ) -> TelegramBadRequest | None:
        """Send in order; each call is sent once, whatever came of the one before.
        Returns the first post Telegram refused as malformed."""
        refused = None
        if not calls:
            return refused
        assert self._bot is not None  # noqa: S101 - installed before any update
        for answer_id, call in calls:
            try:
                await self._bot(call)
            except TelegramAPIError as error:
                # Refused (blocked, gone, expired tap, already so): sending it again would
                # fail the same way; the pacer has already retried what a retry can fix.
                log.info("%s refused: %s", call.__api_method__, error.message)
                if isinstance(error, TelegramBadRequest) and _posts(call) and refused is None:
                    refused = error
            except Exception:
                log.exception("%s failed; not sent", call.__api_method__)
            await self._repo.sent(answer_id)
        return refused


async def _nothing_staged(update_id: int) -> None:
    return None


def _chat_key(data: Mapping[str, Any]) -> str | None:
    """aiogram's context of the update: its chat and topic, else its sender."""
    chat, user = data.get("event_chat"), data.get("event_from_user")
    if chat is not None:
        return keys.chat(chat.id, data.get("event_thread_id"))
    return keys.chat(user.id) if user is not None else None


def _posts(call: TelegramMethod[Any]) -> bool:
    # A new message; an edit, a reaction or a tap's answer that fails leaves what was
    # there before, and handlers always let those go.
    return call.__api_method__.startswith(("send", "copy", "forward"))
