"""FSM state and per-chat event isolation on Redis (REDIS_URL), for several workers of one
bot: whichever worker takes a chat's next update sees the chat's state, and no two
updates of one chat are handled at once, in one worker or in two.

The connection belongs to the app: the pacing budget shares it, and it is closed after
the last send, not when the dispatcher stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from aiogram.fsm.storage.base import DefaultKeyBuilder, StorageKey
from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage
from redis.asyncio import Redis
from redis.asyncio.lock import Lock
from redis.exceptions import LockError, RedisError

log = logging.getLogger(__name__)

UNREACHABLE = (RedisError, OSError)
# A worker that dies holding a chat's lock keeps that chat waiting this long at most; a
# live one keeps renewing it for as long as the update takes (its answers may wait out a
# 429 before the lock is let go).
LOCK_SECONDS = 30.0
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


class SharedStorage(RedisStorage):
    """aiogram's Redis storage, keyed like the SQLite one: per bot, with the destiny."""

    def __init__(self, redis: Redis) -> None:
        super().__init__(redis, key_builder=DefaultKeyBuilder(with_bot_id=True, with_destiny=True))

    def create_isolation(self, **kwargs: Any) -> ChatLocks:
        return ChatLocks(self.redis, self.key_builder, **kwargs)

    async def close(self) -> None:
        """The connection belongs to the app, which closes it after the last send."""


class ChatLocks(RedisEventIsolation):
    """One update at a time per chat (per topic in the forum) across every worker."""

    @contextlib.asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncIterator[None]:
        name = self.key_builder.build(key, "lock")
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
