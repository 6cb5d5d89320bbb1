"""What workers of one bot share: FSM state and chat locks (Redis, with REDIS_URL), and
the work only one of them may do at a time (a PostgreSQL database)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import SimpleEventIsolation

from bot.delivery.answers import Answers
from bot.delivery.leader import Leader, Part, worker_prefix
from storage.db import Database
from storage.fsm import SQLiteStorage
from storage.incoming import IncomingRepo
from storage.leases import LeaseRepo
from storage.queue import QueueRepo

if TYPE_CHECKING:
    from redis.asyncio import Redis


async def let_go_of(db: Database, pid: int) -> None:
    """The worker ``pid`` of this machine is dead: what it held by lease (updates in
    hand, answers to send, the delivery) goes to the others now, not when it runs out."""
    prefix = worker_prefix(pid)
    await LeaseRepo(db).release_all_of(prefix)
    await QueueRepo(db).release_all_of(prefix)


def one_worker_at_a_time(
    db: Database, parts: Sequence[Part], *, shared: bool, alone: bool
) -> list[Part]:
    """``parts`` as the bot starts them: as they are in the only process of its
    database, under the worker's lease when workers share it (bot.delivery.leader);
    ``alone`` (long polling, one process) takes the lease from a dead predecessor."""
    return [Leader(LeaseRepo(db), parts, take_over=alone)] if shared else list(parts)


def fsm_for(
    db: Database, redis: Redis | None, answers: Answers
) -> tuple[BaseStorage, BaseEventIsolation]:
    # One update at a time per person and chat (per topic in the forum): FSM reads and
    # writes of one person never interleave; with REDIS_URL, across every worker.
    if redis is None:
        return SQLiteStorage(db), SimpleEventIsolation()  # written in the update's transaction
    from storage.redis_fsm import SharedStorage  # noqa: PLC0415 - an optional extra

    storage = SharedStorage(redis, IncomingRepo(db).committed)
    answers.defer_state(storage.deferred, storage.stage)  # written right after the commit
    return storage, storage.create_isolation()


class RedisUnavailable(Exception):
    """REDIS_URL is set and Redis cannot be used at start; one line that names it."""


async def connect_redis(url: str) -> Redis:
    try:
        from storage import redis_fsm  # noqa: PLC0415 - an optional extra
    except ImportError:
        raise RedisUnavailable(
            "REDIS_URL is set and the redis package is missing: pip install -e '.[redis]'"
        ) from None
    try:
        return await redis_fsm.connect(url)
    except redis_fsm.UNREACHABLE as error:
        why = f"{type(error).__name__}: {next(iter(str(error).splitlines()), '')}"
        raise RedisUnavailable(f"REDIS_URL {_where(url)} cannot be reached ({why})") from None


def _where(url: str) -> str:
    # The URL may hold a password: only where it points.
    parts = urlsplit(url)
    return parts.path if parts.scheme == "unix" else f"{parts.hostname}:{parts.port or 6379}"
