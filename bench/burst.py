"""The burst: many customers write into their open tickets within a minute, while the
emulator enforces Telegram's flood limits with 429s.

Two phases on one database. First the bot runs unpaced against an unlimited emulator
and every customer opens a ticket (so each has a topic). Then the bot restarts with its
real pacing, the emulator starts answering 429 above the group limit, and the customers
write. Reported: every message delivered or not, in order per ticket, duplicates, the
forum posts it took (merged relays), 429s received, the busiest minute, and how long
the backlog took to drain.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bench.harness import Processes, ReplyTracker, tag, wait_first_poll
from bench.scenario import Customer, add_users, customers, write_market
from emulator import BotApiEmulator, SimUser

_LINE = re.compile(r"\[c(\d+)\] burst (\d+)")
_OPEN_CONCURRENCY = 100
UNPACED = {
    "OUTBOUND_CHAT_PER_SECOND": "100000",
    "OUTBOUND_GROUP_PER_MINUTE": "6000000",
    "OUTBOUND_GLOBAL_PER_SECOND": "100000",
}


class ForumLog:
    """Every numbered burst line the agents' forum got, in order, with its post time."""

    def __init__(self, emu: BotApiEmulator, forum_id: int) -> None:
        self.lines: dict[int, list[int]] = defaultdict(list)
        self.seen = 0
        self.posts: list[float] = []
        self.last_at = 0.0
        self._forum = forum_id
        self._signal = asyncio.Event()
        self._unsubscribe = emu.subscribe(self._on_event)

    def close(self) -> None:
        self._unsubscribe()

    def _on_event(self, event: dict[str, Any]) -> None:
        if event.get("type") != "bot_message" or int(event["chat_id"]) != self._forum:
            return
        now = time.perf_counter()
        self.posts.append(now)
        text = str((event.get("message") or {}).get("text") or "")
        for customer, number in _LINE.findall(text):
            self.lines[int(customer)].append(int(number))
            self.seen += 1
            self.last_at = now
        self._signal.set()

    async def wait_for(self, count: int, timeout: float) -> bool:  # noqa: ASYNC109
        try:
            async with asyncio.timeout(timeout):
                while self.seen < count:
                    self._signal.clear()
                    await self._signal.wait()
        except TimeoutError:
            return False
        return True


def _busiest_minute(times: list[float]) -> int:
    window: deque[float] = deque()
    most = 0
    for at in sorted(times):
        window.append(at)
        while window[0] <= at - 60:
            window.popleft()
        most = max(most, len(window))
    return most


async def _open_tickets(users: list[SimUser], tracker: ReplyTracker, seconds: float) -> None:
    gate = asyncio.Semaphore(_OPEN_CONCURRENCY)

    async def one(user: SimUser) -> None:
        async with gate:
            await user.send("/support")
            await user.send(f"{tag(user.id)} Посылка не пришла")
            await tracker.wait_topic(user.id, seconds)

    await asyncio.gather(*(one(u) for u in users))


async def _write(
    users: list[SimUser], messages: int, spread: float, seed: int
) -> tuple[float, float]:
    """Each customer writes ``messages`` lines at random moments within ``spread`` seconds;
    returns when the first and the last were pushed."""
    rng = random.Random(seed)  # noqa: S311 - load shape, not security
    plan = sorted((rng.uniform(0, spread), user, k) for user in users for k in range(messages))
    # Per customer the lines go in order whatever their random moments are.
    counters: dict[int, int] = defaultdict(int)
    start = time.perf_counter()
    for at, user, _ in plan:
        delay = start + at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        number = counters[user.id]
        counters[user.id] += 1
        await user.send(f"{tag(user.id)} burst {number} — коробку так и не привезли")
    return start, time.perf_counter()


async def run_burst(
    args: Any,
    new_emulator: Callable[[], Awaitable[BotApiEmulator]],
    work: Path,
    procs: Processes,
    env_for: Callable[[BotApiEmulator, Path, Path], dict[str, str]],
    argv: list[str],
    forum_id: int,
    startup_timeout: float,
) -> dict[str, Any]:
    people: list[Customer] = customers(args.burst)
    market, db = work / "market-burst.json", work / "burst.sqlite3"
    write_market(market, people)
    emu = await new_emulator()
    tracker = ReplyTracker(emu, forum_id=forum_id)
    forum = ForumLog(emu, forum_id)
    try:
        users = add_users(emu, people)
        env = env_for(emu, db, market)
        opening = await procs.spawn(
            "support bot (opening tickets)", argv, {**env, **UNPACED}, work, work / "burst-1.log"
        )
        await wait_first_poll(emu, opening, startup_timeout)
        opened_at = time.perf_counter()
        await _open_tickets(users, tracker, seconds=max(60.0, args.burst / 5))
        opening_s = time.perf_counter() - opened_at
        await opening.stop()

        # Telegram's limits from here on, in the emulator and in the bot's settings.
        limiter = emu.limiter
        limiter.enabled, limiter.group_per_minute = True, args.burst_group_limit
        forum.posts.clear()
        paced = {**env, "OUTBOUND_GROUP_PER_MINUTE": str(args.burst_group_limit)}
        polls = len(emu.calls_to("getUpdates"))
        bot = await procs.spawn("support bot (burst)", argv, paced, work, work / "burst-2.log")
        async with asyncio.timeout(startup_timeout):
            while len(emu.calls_to("getUpdates")) <= polls:
                bot.check()
                await asyncio.sleep(0.01)
        total = args.burst * args.burst_messages
        first, last = await _write(users, args.burst_messages, args.burst_seconds, seed=1)
        # The forum's limit decides the drain; allow twice the time it needs one by one.
        allowed = max(60.0, 2 * 60 * total / args.burst_group_limit)
        done = await forum.wait_for(total, allowed)
        await asyncio.sleep(1.0)  # a duplicate would show up now
        figures = _figures(args, forum, users, total, first, last, done)
        figures.update(
            opening_s=round(opening_s, 1),
            rejected_429=limiter.rejected,
            peak_rss_mb=bot.peak_rss_mb(),
            exit_code=await bot.stop(),
        )
        return figures
    finally:
        forum.close()
        tracker.close()
        await procs.stop_all()
        await emu.stop()


def _figures(
    args: Any,
    forum: ForumLog,
    users: list[SimUser],
    total: int,
    first: float,
    last: float,
    done: bool,
) -> dict[str, Any]:
    expected = list(range(args.burst_messages))
    out_of_order = duplicates = missing = 0
    for user in users:
        got = forum.lines.get(user.id, [])
        missing += len(set(expected) - set(got))
        duplicates += len(got) - len(set(got))
        if got != sorted(got):
            out_of_order += 1
    posts = [at for at in forum.posts if at >= first]
    return {
        "customers": args.burst,
        "messages": total,
        "written_in_s": round(last - first, 1),
        "delivered": forum.seen - duplicates,
        "missing": missing,
        "duplicates": duplicates,
        "tickets_out_of_order": out_of_order,
        "all_delivered": done and missing == 0,
        "forum_posts": len(posts),
        "group_limit_per_minute": args.burst_group_limit,
        "busiest_minute_posts": _busiest_minute(posts),
        "drain_s": round(forum.last_at - first, 1) if forum.seen else None,
        "drain_after_last_write_s": round(forum.last_at - last, 1) if forum.seen else None,
    }
