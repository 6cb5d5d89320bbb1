"""FSM state and per-chat event isolation on Redis (REDIS_URL), for several workers of one
bot: whichever worker takes a chat's next update sees the chat's state, and no two
updates of one chat are handled at once, in one worker or in two.

The connection belongs to the app: the pacing budget shares it, and it is closed after
the last send, not when the dispatcher stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import DefaultKeyBuilder, StateType, StorageKey
from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage
from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.asyncio.lock import Lock
from redis.exceptions import LockError, RedisError
from redis.typing import ExpiryT

log = logging.getLogger(__name__)

UNREACHABLE = (RedisError, OSError)
# A worker that dies holding a chat's lock keeps that chat waiting this long at most; a
# live one keeps renewing it for as long as the update takes (its answers may wait out a
# 429 before the lock is let go).
LOCK_SECONDS = 5.0
# How often an update waiting for its chat's lock looks again.
_LOCK_POLL = 0.02


async def connect(url: str) -> Redis:
    """A client that has answered a PING."""
    # Short timeouts: a post waits on the pacing budget, and a Redis that stalls longer
    # is better given up on (the worker then paces alone) than waited for.
    redis = Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
    try:
        await redis.ping()
    except BaseException:
        await redis.aclose()
        raise
    return redis


# The FSM writes of the update being handled, by key: "state" (a name, or None) and
# "data" (its JSON, or None for none), held until its transaction commits.
Pending = dict[StorageKey, dict[str, str | None]]
# Whether an update's transaction committed (the database's word on it).
Committed = Callable[[int], Awaitable[bool]]
# A staged change is settled at the chat's next read; one never read again goes.
STAGE_SECONDS = 7 * 24 * 3600


class SharedStorage(RedisStorage):
    """aiogram's Redis storage, keyed like the SQLite one: per bot, with the destiny.

    Redis is not part of the database's transaction: within ``deferred`` (one update's
    handling), what a handler writes is kept in memory, read back from there, and
    written to Redis only once the update's transaction has committed. A handler that
    fails, or a crash before the commit, leaves the state as it was, with everything
    else the update wrote; the update handled again finds it so.

    Just before the COMMIT (``stage``) the change is also put beside the state under
    the update's id, and taken away with the write. A crash between the COMMIT and the
    write leaves it there: the chat's next read finds it, asks the database whether
    that update committed, and finishes the write or drops it.
    """

    def __init__(self, redis: Redis, committed: Committed) -> None:
        super().__init__(redis, key_builder=DefaultKeyBuilder(with_bot_id=True, with_destiny=True))
        self._committed = committed
        self._pending: contextvars.ContextVar[Pending | None] = contextvars.ContextVar(
            "fsm_pending", default=None
        )

    def create_isolation(self, **kwargs: Any) -> ChatLocks:
        return ChatLocks(self.redis, self.key_builder, **kwargs)

    async def close(self) -> None:
        """The connection belongs to the app, which closes it after the last send."""

    @contextlib.asynccontextmanager
    async def deferred(self) -> AsyncIterator[None]:
        """One update's FSM writes, written when the block ends without an error (after
        the commit it encloses); dropped when it raises."""
        pending: Pending = {}
        token = self._pending.set(pending)
        try:
            yield
        except BaseException:
            if pending:  # staged, perhaps, and then not committed
                await self._unstage(pending)
            raise
        finally:
            self._pending.reset(token)
        if pending:
            await self._write(pending)

    async def stage(self, update_id: int) -> None:
        """In the update's transaction, its last step before the COMMIT."""
        pending = self._pending.get()
        if not pending:
            return
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for key, change in pending.items():
                    staged = json.dumps({"update": update_id, **change})
                    pipe.set(self._stage_name(key), staged, ex=STAGE_SECONDS)
                await pipe.execute()
        except UNREACHABLE as error:  # then only the write after the COMMIT carries it
            log.error("FSM change of update %s not staged in Redis: %s", update_id, error)

    async def _unstage(self, pending: Pending) -> None:
        with contextlib.suppress(*UNREACHABLE):  # left, it is dropped when next read
            await self.redis.delete(*(self._stage_name(k) for k in pending))

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        pending = self._pending.get()
        if pending is None:
            await super().set_state(key, state)
            return
        pending.setdefault(key, {})["state"] = state.state if isinstance(state, State) else state

    async def get_state(self, key: StorageKey) -> str | None:
        change = self._change(key)
        if "state" in change:
            return change["state"]
        value = await self._read(key, "state")
        return value.decode() if isinstance(value, bytes) else value

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        pending = self._pending.get()
        if pending is None or not isinstance(data, dict):
            await super().set_data(key, data)  # a dict-like refused there, as always
            return
        # Kept as the JSON it would be stored as: what the handler changes afterwards in
        # the dict it passed does not change what is written.
        pending.setdefault(key, {})["data"] = self.json_dumps(data) if data else None

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        change = self._change(key)
        text = change["data"] if "data" in change else await self._read(key, "data")
        return {} if text is None else cast(dict[str, Any], self.json_loads(text))

    async def _read(self, key: StorageKey, part: Literal["state", "data"]) -> Any:
        """The stored value, after what a crash left staged for the chat is settled
        (in the same round trip as the read when nothing is)."""
        name, stage = self.key_builder.build(key, part), self._stage_name(key)
        value, staged = await self.redis.mget(name, stage)
        if staged is None:
            return value
        change = json.loads(staged)
        update_id = change.pop("update")
        if await self._committed(update_id):
            log.warning("FSM change of update %s committed, not written: written now", update_id)
            await self._write({key: change})
        else:
            log.warning("FSM change of update %s never committed: dropped", update_id)
            await self._unstage({key: change})
        return await self.redis.get(name)

    def _stage_name(self, key: StorageKey) -> str:
        return f"{self.key_builder.build(key, 'state')}:staged"

    def _change(self, key: StorageKey) -> dict[str, str | None]:
        pending = self._pending.get()
        return {} if pending is None else pending.get(key, {})

    async def _write(self, pending: Pending) -> None:
        # One MULTI: an update's writes land together or not at all.
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                for key, change in pending.items():
                    if "state" in change:
                        state = self.key_builder.build(key, "state")
                        _put(pipe, state, change["state"], self.state_ttl)
                    if "data" in change:
                        data = self.key_builder.build(key, "data")
                        _put(pipe, data, change["data"], self.data_ttl)
                    pipe.delete(self._stage_name(key))
                await pipe.execute()
        except UNREACHABLE as error:
            # Committed already: the answers still go. The chat keeps its earlier step.
            log.error("FSM state of %d chats not written to Redis: %s", len(pending), error)


def _put(pipe: Pipeline, name: str, value: str | None, ttl: ExpiryT | None) -> None:
    if value is None:
        pipe.delete(name)
    else:
        pipe.set(name, value, ex=ttl)


class ChatLocks(RedisEventIsolation):
    """One update at a time per chat (per topic in the forum) across every worker.

    Within a worker, a chat's updates take its lock in the order they came: Redis's lock
    is taken by whichever waiter polls first once it is free, which would let a chat's
    third message overtake its second. Across workers the webhook's queue orders them.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._turns: dict[str, _Turn] = {}

    @contextlib.asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncIterator[None]:
        name = self.key_builder.build(key, "lock")
        async with self._in_turn(name):
            lock = self.redis.lock(name, timeout=LOCK_SECONDS, sleep=_LOCK_POLL)
            await lock.acquire()
            keeper = asyncio.create_task(_keep(lock, name))
            try:
                yield
            finally:
                keeper.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await keeper
                try:
                    await lock.release()
                except UNREACHABLE as error:  # it expires on its own
                    log.warning("chat lock %s not released: %s", name, error)

    @contextlib.asynccontextmanager
    async def _in_turn(self, name: str) -> AsyncIterator[None]:
        """This worker's updates of one chat, first come first served (asyncio's lock)."""
        turn = self._turns.setdefault(name, _Turn())
        turn.users += 1
        try:
            async with turn.lock:
                yield
        finally:
            turn.users -= 1
            if not turn.users:
                del self._turns[name]


@dataclass
class _Turn:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0  # holding or waiting: the entry goes with the last


async def _keep(lock: Lock, name: str) -> None:
    while True:
        await asyncio.sleep(LOCK_SECONDS / 3)
        try:
            await lock.reacquire()
        except LockError:
            log.warning("chat lock %s was lost; the chat's next update may not wait", name)
            return
        except UNREACHABLE as error:
            log.warning("chat lock %s not renewed: %s", name, error)
