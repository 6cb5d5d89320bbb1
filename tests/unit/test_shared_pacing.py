"""Pacing shared through Redis: two workers (two pacers on one Redis) together keep the
bot's budgets, and a 429 one of them hears holds the chat for both. Real time with
windows of a fraction of a second, so each test takes about one."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable
from typing import Any

import pytest

from bot.delivery.pacing import PRIVATE_BURST, Pacer
from bot.delivery.shared_pacing import SharedPacer, build_pacer
from bot.settings import Settings
from tests.conftest import RedisScope

redis_asyncio = pytest.importorskip("redis.asyncio")

from bot.delivery.redis_budget import RedisBudget  # noqa: E402 - after the skip above

CUSTOMER, OTHER, FORUM = 1001, 1002, -1001000000001
# Two posts a worker records are a round trip apart at most in Redis's own time.
SLACK = 0.03


@pytest.fixture
async def redis(redis_scope: RedisScope) -> AsyncIterator[Any]:
    client = redis_asyncio.Redis.from_url(redis_scope.url)
    yield client
    await client.aclose()


def _workers(redis: Any, scope: RedisScope, **rates: Any) -> tuple[SharedPacer, SharedPacer]:
    """Two pacers with their own turns and windows, one budget: two workers of one bot."""
    settings = {"chat_per_second": 1.0, "group_per_minute": 20.0, "global_per_second": 1000.0}
    settings |= rates
    windows = {k: settings.pop(k) for k in ("group_window", "global_window") if k in settings}
    return tuple(  # type: ignore[return-value]
        SharedPacer(
            RedisBudget(redis, f"pacing:{scope.bot_id}"),
            settings["chat_per_second"],
            settings["group_per_minute"],
            settings["global_per_second"],
            **windows,
        )
        for _ in range(2)
    )


async def _sent_at(*posts: Awaitable[None]) -> list[float]:
    times: list[float] = []

    async def one(post: Awaitable[None]) -> None:
        await post
        times.append(time.monotonic())

    await asyncio.gather(*(one(post) for post in posts))
    return sorted(times)


def _most_within(times: list[float], seconds: float) -> int:
    return max(sum(1 for t in times if start <= t < start + seconds) for start in times)


async def test_two_workers_together_post_no_more_to_the_forum_than_its_budget(
    redis: Any, redis_scope: RedisScope
) -> None:
    # 4 posts per 0.3 s stands for the forum's 20 a minute.
    a, b = _workers(redis, redis_scope, group_per_minute=4, group_window=0.3)
    start = time.monotonic()
    times = await _sent_at(*(pacer.acquire(FORUM) for pacer in (a, b) for _ in range(6)))
    assert len(times) == 12
    assert _most_within(times, 0.3 - SLACK) <= 4
    assert times[-1] - start >= 0.6 - SLACK  # three windows' worth: nobody posted alone


async def test_the_bots_global_budget_is_shared(redis: Any, redis_scope: RedisScope) -> None:
    # 5 posts per 0.2 s for the whole bot; every post to a chat of its own.
    a, b = _workers(redis, redis_scope, global_per_second=5, global_window=0.2)
    start = time.monotonic()
    posts = [pacer.acquire(2000 + i) for i, pacer in enumerate([a, b] * 6)]
    times = await _sent_at(*posts)
    assert _most_within(times, 0.2 - SLACK) <= 5
    assert times[-1] - start >= 0.4 - SLACK


async def test_a_private_chat_keeps_its_burst_across_workers(
    redis: Any, redis_scope: RedisScope
) -> None:
    a, b = _workers(redis, redis_scope, chat_per_second=30)  # 3 per 0.1 s
    times = await _sent_at(*(pacer.acquire(CUSTOMER) for pacer in (a, b) for _ in range(3)))
    assert _most_within(times, 0.1 - SLACK) <= PRIVATE_BURST
    assert times[-1] - times[0] >= 0.1 - SLACK


async def test_a_429_heard_by_one_worker_holds_the_chat_for_the_other(
    redis: Any, redis_scope: RedisScope
) -> None:
    a, b = _workers(redis, redis_scope)
    await a.flooded(CUSTOMER, 0.4)
    start = time.monotonic()
    await b.acquire(OTHER)  # other chats go on
    assert time.monotonic() - start < 0.2
    await b.acquire(CUSTOMER)
    assert time.monotonic() - start >= 0.4 - SLACK
    assert b.pressed(CUSTOMER)  # it had to wait: the relay merges what it can


async def test_a_shorter_429_never_cuts_a_longer_hold(redis: Any, redis_scope: RedisScope) -> None:
    budget = RedisBudget(redis, f"pacing:{redis_scope.bot_id}")
    await budget.hold(CUSTOMER, 5)
    await budget.hold(CUSTOMER, 0.1)
    wait, _ = await budget.take(CUSTOMER, 1, (3, 3.0), (30, 1.0))
    assert wait > 4


async def test_a_full_window_takes_nothing_and_names_the_wait(
    redis: Any, redis_scope: RedisScope
) -> None:
    budget = RedisBudget(redis, f"pacing:{redis_scope.bot_id}")
    group, overall = (2, 10.0), (30, 1.0)
    assert await budget.take(FORUM, 1, group, overall) == (0, 1)
    assert await budget.take(FORUM, 1, group, overall) == (0, 2)
    wait, used = await budget.take(FORUM, 1, group, overall)
    assert 9 < wait <= 10
    assert used == 2  # the refused take left nothing behind
    # An album bigger than the whole window waits for it to empty.
    wait, _ = await budget.take(FORUM, 3, group, overall)
    assert 9 < wait <= 10
    # The bot's window took both posts as well.
    wait, _ = await budget.take(OTHER, 29, (30, 1.0), overall)
    assert wait > 0


async def test_a_worker_that_cannot_reach_redis_paces_alone() -> None:
    # Nothing listens on port 1: every take fails at once, and the local windows pace.
    unreachable = redis_asyncio.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1)
    pacer = SharedPacer(RedisBudget(unreachable, "pacing:1"), 1, 20, 1000)
    try:
        for _ in range(PRIVATE_BURST):
            await pacer.acquire(CUSTOMER)
        assert pacer.delay(CUSTOMER) > 0
        await pacer.flooded(OTHER, 5)
        assert pacer.delay(OTHER) > 4
    finally:
        await unreachable.aclose()


async def test_the_pacer_is_shared_only_with_redis(redis: Any, redis_scope: RedisScope) -> None:
    settings = Settings(_env_file=None, bot_token=redis_scope.token)  # type: ignore[call-arg]
    assert type(build_pacer(settings, None)) is Pacer
    shared = build_pacer(settings, redis)
    assert isinstance(shared, SharedPacer)
    await shared.acquire(CUSTOMER)  # keyed by the bot's id: two bots on one Redis keep apart
    assert await redis.keys(f"{{pacing:{redis_scope.bot_id}}}:chat:{CUSTOMER}")
