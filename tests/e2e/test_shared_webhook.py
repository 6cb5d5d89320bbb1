"""Two webhook workers on PostgreSQL and Redis, as real processes: Telegram's limits are
the bot's, not a worker's. A 429 one worker meets holds the chat for the other too, and
the forum's posts a minute are counted for both together.

Which worker handles an update is the kernel's choice (both listen on one port); each
update's worker is read from the queue (``incoming.lease_holder``), and the tests check
that both took part."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest

from emulator import SimUser
from emulator.server import ApiCall
from tests.e2e.conftest import AGENT, FORUM
from tests.e2e.crash import WAIT_SECONDS
from tests.e2e.test_webhook import WebhookCrash

pytestmark = pytest.mark.own_backend

HOLD = 4  # seconds of the 429's retry_after
BUDGET, WINDOW = 6, 5.0  # the forum's posts, and the seconds they are counted in
# A post's slot is taken on Redis's clock and reaches the emulator a moment later; two
# posts a window apart may arrive a little closer than that.
SLACK = 1.0
_PACED = ("send", "copy", "forward")
ROUNDS = 3


def _worker(holder: str) -> str:
    """The process in a lease's holder (host:pid:nonce); the nonce differs per lease."""
    return holder.split(":")[1]


class TwoWorkers(WebhookCrash):
    """Two workers sharing a fresh database and the test's own keys in Redis; every post
    to the forum is timed as it reaches the emulator."""

    def __init__(self, tmp_path: Path, postgres: str, **settings: str) -> None:
        super().__init__(tmp_path, None, postgres, workers=2, redis=True)
        self.settings = settings
        self.posts: list[tuple[float, ApiCall]] = []

    async def __aenter__(self) -> TwoWorkers:
        # A connection per update: the kernel spreads them over the two workers.
        self.emu.webhooks.keep_alive = False
        await super().__aenter__()
        log = self.tmp_path / "bot-1.log"
        await self.emu.wait_for(
            lambda: log.read_text().count("webhook worker listening") >= 2, WAIT_SECONDS
        )
        return self

    def _on_call(self, call: ApiCall) -> bool:
        paced = call.method.lower().startswith(_PACED) and call.method != "sendChatAction"
        if paced and str(call.params.get("chat_id")) == str(FORUM):
            self.posts.append((time.monotonic(), call))
        return super()._on_call(call)

    async def tickets(self, count: int) -> tuple[list[SimUser], list[int]]:
        """``count`` customers each open a ticket, side by side: their topics."""
        customers = [
            self.emu.add_user(2001 + n, f"Клиент {n}", language_code="ru") for n in range(count)
        ]

        async def open_one(customer: SimUser, number: int) -> None:
            await customer.send("/support")
            await customer.next_message(timeout=WAIT_SECONDS)
            await customer.send(f"Вопрос {number}")
            await customer.next_message(timeout=WAIT_SECONDS)

        await asyncio.gather(*(open_one(c, n) for n, c in enumerate(customers)))
        cards = await self.emu.wait_for(
            lambda: (
                (found := [m for m in self.emu.messages(FORUM) if m.button_texts()])
                and len(found) >= count
                and found
            ),
            WAIT_SECONDS,
        )
        return customers, [card.thread_id for card in cards]

    async def workers_of(self, message_ids: list[int]) -> dict[int, str]:
        """The worker that handled the update of each of these forum messages."""
        await self._settled()
        assert self._db is not None
        rows = await self._db.fetchall("SELECT body, lease_holder FROM incoming")
        found = {}
        for body, holder in rows:
            message = json.loads(body).get("message", {})
            if message.get("chat", {}).get("id") == FORUM:
                found[message["message_id"]] = _worker(holder)
        return {m: found[m] for m in message_ids}

    async def leader(self) -> str:
        assert self._db is not None
        row = await self._db.fetchone("SELECT holder FROM leases WHERE name = 'delivery'")
        assert row is not None
        return _worker(row[0])

    def replied(self, asked: list[int]) -> bool:
        replies = {m.reply_to_message_id for m in self.emu.messages(FORUM)}
        return all(m in replies for m in asked)


async def _held_round(run: TwoWorkers, topics: list[int]) -> bool:
    """A 429 for the forum meets the answer to /queue in one topic; meanwhile /queue in
    every other topic (a topic is a queue of its own: these are handled at once, by
    either worker), whose answers must wait for the hold. Whether the other worker
    answered some of them."""
    agent = run.emu.user(AGENT)
    run.emu.fail_next("sendMessage", 429, retry_after=HOLD, chat_id=FORUM)
    before = len(run.posts)
    first = await agent.send_in_topic(FORUM, topics[0], "/queue")
    await run.emu.wait_for(lambda: not run.emu.faults._planned, WAIT_SECONDS)
    refused_at = run.posts[before][0]
    others = await asyncio.gather(
        *(agent.send_in_topic(FORUM, topic, "/queue") for topic in topics[1:])
    )
    asked = [first.message_id, *(m.message_id for m in others)]
    await run.emu.wait_for(lambda: run.replied(asked), WAIT_SECONDS)
    later = [at - refused_at for at, _ in run.posts[before + 1 :]]
    assert len(later) == len(asked)  # the refused one again, and one answer per /queue
    # No post to the forum from either worker inside the hold; all right after it.
    assert min(later) >= HOLD, later
    assert max(later) < HOLD + 3, later
    workers = await run.workers_of(asked)
    return any(worker != workers[first.message_id] for worker in workers.values())


async def test_a_429_one_worker_meets_holds_the_chat_for_the_other(
    tmp_path: Path, postgres_url: str
) -> None:
    async with TwoWorkers(tmp_path, postgres_url) as run:
        _, topics = await run.tickets(8)
        await run._settled()
        # The kernel picks the worker: again until the other one had answers to send.
        for _ in range(ROUNDS):
            if await _held_round(run, topics):
                return
    raise AssertionError(f"in {ROUNDS} rounds the other worker never answered in the hold")


async def test_the_forums_budget_is_counted_for_both_workers_together(
    tmp_path: Path, postgres_url: str
) -> None:
    async with TwoWorkers(
        tmp_path,
        postgres_url,
        OUTBOUND_GROUP_PER_MINUTE=str(BUDGET),
        OUTBOUND_GROUP_WINDOW_SECONDS=str(WINDOW),
    ) as run:
        customers, topics = await run.tickets(4)  # four cards, relayed by the leading worker
        agent = run.emu.user(AGENT)
        asked: list[int] = []

        async def ask(topic: int) -> None:  # answered by whichever worker takes it
            for _ in range(2):
                asked.append((await agent.send_in_topic(FORUM, topic, "/queue")).message_id)

        async def write(customer: SimUser, number: int) -> None:  # relayed to the forum
            for line in range(2):
                await customer.send(f"строка {number}.{line}")

        lines = [f"строка {n}.{line}" for n in range(len(customers)) for line in range(2)]

        def all_arrived() -> bool:
            forum = "\n".join(m.text or "" for m in run.emu.messages(FORUM))
            return run.replied(asked) and all(line in forum for line in lines)

        await asyncio.gather(
            *(ask(topic) for topic in topics),
            *(write(customer, n) for n, customer in enumerate(customers)),
        )
        # The kernel picks the worker: more /queue until the other one answered some.
        for _ in range(ROUNDS - 1):
            await run.emu.wait_for(all_arrived, WAIT_SECONDS)  # nothing lost
            if set((await run.workers_of(asked)).values()) - {await run.leader()}:
                break
            await asyncio.gather(*(ask(topic) for topic in topics))
        await run.emu.wait_for(all_arrived, WAIT_SECONDS)
        workers = set((await run.workers_of(asked)).values())
        leader = await run.leader()
    assert workers - {leader}, f"in {ROUNDS} rounds only the leading worker answered"
    times = [at for at, _ in run.posts]
    assert len(times) > 2 * BUDGET  # more than the budget: some had to wait
    busiest = max(sum(1 for t in times if start <= t < start + WINDOW - SLACK) for start in times)
    assert busiest <= BUDGET, times
