"""The pacer on a virtual clock: limits per private chat, per group and overall; 429s; order;
and the session middleware that applies it and the retry policy to every call."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Awaitable, Iterable
from typing import Any

import pytest
from aiogram.exceptions import TelegramRetryAfter, TelegramServerError
from aiogram.methods import EditMessageText, SendMessage, TelegramMethod

from bot.delivery.pacing import PRIVATE_BURST, Pacer, PacingMiddleware
from bot.delivery.retry import Backoff, RetryPolicy, retried_later

CUSTOMER, OTHER, FORUM = 1001, 1002, -1001000000001


class VirtualTime:
    """A monotonic clock that jumps straight to the next sleeper's wake-up."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + seconds, next(self._order), future))
        await future

    async def run(self, *jobs: Awaitable[object]) -> None:
        tasks = [asyncio.ensure_future(job) for job in jobs]
        while not all(task.done() for task in tasks):
            for _ in range(20):  # let every runnable task reach its next sleep
                await asyncio.sleep(0)
            if self._sleepers:
                wake, _, future = heapq.heappop(self._sleepers)
                self.now = max(self.now, wake)
                future.set_result(None)
        for task in tasks:
            task.result()


@pytest.fixture
def vt() -> VirtualTime:
    return VirtualTime()


def _pacer(vt: VirtualTime, chat: float = 1, group: float = 20, overall: float = 30) -> Pacer:
    return Pacer(chat, group, overall, clock=vt.clock, sleep=vt.sleep)


async def _send_all(
    vt: VirtualTime, pacer: Pacer, chats: Iterable[int]
) -> list[tuple[int, float]]:
    sent: list[tuple[int, float]] = []

    async def one(chat: int) -> None:
        await pacer.acquire(chat)
        sent.append((chat, vt.now))

    await vt.run(*(one(chat) for chat in chats))
    return sent


def _most_in_window(times: list[float], seconds: float) -> int:
    return max(sum(1 for t in times if start <= t < start + seconds) for start in times)


async def test_a_private_chat_bursts_then_gets_one_a_second(vt: VirtualTime) -> None:
    sent = await _send_all(vt, _pacer(vt), [CUSTOMER] * 9)
    times = [t for _, t in sent]
    assert times[:PRIVATE_BURST] == [0.0] * PRIVATE_BURST
    assert _most_in_window(times, PRIVATE_BURST) == PRIVATE_BURST
    assert times[-1] == pytest.approx(6.0)  # 9 messages, 3 per 3 seconds


async def test_the_forum_gets_twenty_a_minute(vt: VirtualTime) -> None:
    sent = await _send_all(vt, _pacer(vt), [FORUM] * 45)
    times = [t for _, t in sent]
    assert _most_in_window(times, 60) == 20
    assert times[19] == 0.0 and times[20] == pytest.approx(60.0)
    assert times[-1] == pytest.approx(120.0)


async def test_all_chats_together_stay_under_the_global_limit(vt: VirtualTime) -> None:
    customers = range(1, 101)
    sent = await _send_all(vt, _pacer(vt, overall=30), customers)
    times = [t for _, t in sent]
    assert _most_in_window(times, 1.0) == 30
    assert sorted(chat for chat, _ in sent) == list(customers)
    assert times[-1] == pytest.approx(3.0)


async def test_one_busy_chat_does_not_slow_another(vt: VirtualTime) -> None:
    pacer = _pacer(vt)
    sent = await _send_all(vt, pacer, [FORUM] * 25 + [CUSTOMER])
    assert (CUSTOMER, 0.0) in sent


async def test_retry_after_holds_that_chat_only(vt: VirtualTime) -> None:
    pacer = _pacer(vt)
    pacer.hold(CUSTOMER, 7)
    assert pacer.delay(CUSTOMER) == 7
    assert pacer.delay(OTHER) == 0
    sent = await _send_all(vt, pacer, [CUSTOMER, OTHER])
    assert dict(sent) == {CUSTOMER: 7.0, OTHER: 0.0}
    assert pacer.delay(CUSTOMER) == 0


async def test_a_longer_hold_is_not_shortened(vt: VirtualTime) -> None:
    pacer = _pacer(vt)
    pacer.hold(FORUM, 30)
    pacer.hold(FORUM, 5)
    assert pacer.delay(FORUM) == 30


async def test_one_chat_keeps_its_order(vt: VirtualTime) -> None:
    pacer = _pacer(vt)
    sent: list[int] = []

    async def one(n: int) -> None:
        await pacer.acquire(FORUM)
        sent.append(n)

    await vt.run(*(one(n) for n in range(30)))
    assert sent == list(range(30))


async def test_an_album_counts_as_its_messages(vt: VirtualTime) -> None:
    pacer = _pacer(vt)
    pacer.take(FORUM, 15)
    assert pacer.delay(FORUM, 5) == 0
    assert pacer.delay(FORUM, 6) == 60
    pacer.take(CUSTOMER, 3)
    assert pacer.delay(CUSTOMER, 10) == pytest.approx(3.0)  # bigger than the window: empty it


async def test_a_turn_spans_several_sends_and_shows_pressure(vt: VirtualTime) -> None:
    pacer = _pacer(vt)
    seen: list[str] = []

    async def holder() -> None:
        async with pacer.turn(FORUM):
            seen.append(f"pressed={pacer.pressed(FORUM)}")
            await vt.sleep(1)  # another sender has queued by now
            seen.append(f"pressed={pacer.pressed(FORUM)}")
            await pacer.acquire(FORUM)  # inside its own turn: does not wait for itself
            await pacer.acquire(FORUM)
            seen.append("holder sent two")

    async def latecomer() -> None:
        await vt.sleep(0.5)
        await pacer.acquire(FORUM)
        seen.append("latecomer sent")

    await vt.run(holder(), latecomer())
    assert seen == ["pressed=False", "pressed=True", "holder sent two", "latecomer sent"]


async def test_a_slot_taken_ahead_serves_one_post_in_this_task_and_its_copies(
    vt: VirtualTime,
) -> None:
    pacer = _pacer(vt, group=2)
    pacer.take(FORUM)  # taken while holding the forum's turn
    times: list[float] = []

    async def post() -> None:
        await pacer.acquire(FORUM)
        times.append(vt.now)

    async def sender() -> None:
        with pacer.paid(FORUM):
            await asyncio.ensure_future(post())  # a send in its own task, as the relay's
            await post()  # a second part, or a retry: it waits for a slot of its own
            await post()
        await post()

    await vt.run(sender())
    assert times == [0, 0, 60, 60]  # two a minute: the taken slot and one more, then wait
    assert pacer.delay(CUSTOMER) == 0  # the slot was for the forum only


async def test_slots_taken_for_an_album_are_not_spent_on_a_single_post(vt: VirtualTime) -> None:
    pacer = _pacer(vt, group=4)
    pacer.take(FORUM, 3)

    async def sender() -> None:
        with pacer.paid(FORUM, 3):
            await pacer.acquire(FORUM)  # a topic's card first: a slot of its own
            await pacer.acquire(FORUM, 3)  # the album: already paid

    await vt.run(sender())
    assert vt.now == 0 and pacer.delay(FORUM) > 0  # four slots used, not seven


async def test_a_chat_that_made_someone_wait_stays_pressed_a_little(vt: VirtualTime) -> None:
    pacer = _pacer(vt)
    assert not pacer.pressed(FORUM)
    pacer.hold(FORUM, 2)
    assert pacer.pressed(FORUM)
    await vt.run(pacer.ready(FORUM))
    assert vt.now == 2 and pacer.pressed(FORUM)  # free now, but the backlog is fresh
    await vt.run(vt.sleep(5))
    assert not pacer.pressed(FORUM)


async def test_a_half_used_window_counts_as_pressure(vt: VirtualTime) -> None:
    pacer = _pacer(vt)
    pacer.take(FORUM, 9)
    assert not pacer.pressed(FORUM)
    pacer.take(FORUM)
    assert pacer.pressed(FORUM)  # 10 of 20 this minute: save the rest
    await vt.run(vt.sleep(60))
    assert not pacer.pressed(FORUM)


async def test_a_slot_taken_ahead_still_waits_out_a_429_that_came_since(vt: VirtualTime) -> None:
    pacer = _pacer(vt)
    pacer.take(FORUM)  # taken while holding the forum's turn

    async def sender() -> None:
        with pacer.paid(FORUM):
            pacer.hold(FORUM, 5)  # another ticket's post to the forum met a 429
            await pacer.acquire(FORUM)

    await vt.run(sender())
    assert vt.now == 5


class Telegram:
    """The end of the session: records each call on the virtual clock and fails the first
    ones as told."""

    def __init__(self, vt: VirtualTime, *failures: Exception) -> None:
        self.vt, self.failures = vt, list(failures)
        self.calls: list[tuple[float, str]] = []

    async def __call__(self, bot: Any, method: TelegramMethod[Any]) -> str:
        self.calls.append((self.vt.now, getattr(method, "text", "")))
        if self.failures:
            raise self.failures.pop(0)
        return "ok"


def _flood(seconds: int) -> TelegramRetryAfter:
    return TelegramRetryAfter(SendMessage(chat_id=CUSTOMER, text=""), "Too Many", seconds)


def _down() -> TelegramServerError:
    return TelegramServerError(SendMessage(chat_id=CUSTOMER, text=""), "Internal Server Error")


def _middleware(vt: VirtualTime, tries: int = 5) -> PacingMiddleware:
    policy = RetryPolicy(tries=tries, backoff=Backoff(first=0.5, longest=30))
    return PacingMiddleware(_pacer(vt), policy)


async def test_an_answer_is_retried_in_place_and_a_429_holds_its_chat_for_every_post(
    vt: VirtualTime,
) -> None:
    middleware = _middleware(vt)
    telegram = Telegram(vt, _flood(7))
    sent: dict[str, float] = {}

    async def post(chat: int, text: str, after: float = 0) -> None:
        await vt.sleep(after)
        await middleware(telegram, None, SendMessage(chat_id=chat, text=text))  # type: ignore[arg-type]
        sent[text] = vt.now

    await vt.run(post(CUSTOMER, "answer"), post(CUSTOMER, "next", 1), post(OTHER, "elsewhere", 1))
    assert telegram.calls[0] == (0, "answer")  # refused with a 429 for 7 seconds
    assert sent == {"answer": 7, "next": 7, "elsewhere": 1}
    assert len(telegram.calls) == 4  # the answer tried again once, in place


async def test_an_outage_is_retried_in_place_with_doubling_pauses_up_to_the_tries(
    vt: VirtualTime,
) -> None:
    middleware = _middleware(vt, tries=3)
    telegram = Telegram(vt, _down(), _down())
    call = SendMessage(chat_id=CUSTOMER, text="answer")
    await vt.run(middleware(telegram, None, call))  # type: ignore[arg-type]
    assert [t for t, _ in telegram.calls] == [0, 0.5, 1.5]

    telegram = Telegram(vt, _down(), _down(), _down())
    with pytest.raises(TelegramServerError):
        await vt.run(middleware(telegram, None, call))  # type: ignore[arg-type]
    assert len(telegram.calls) == 3  # then it is the caller's


async def test_a_sender_that_retries_later_gets_one_try_but_a_429_still_holds_the_chat(
    vt: VirtualTime,
) -> None:
    middleware = _middleware(vt)
    telegram = Telegram(vt, _flood(7), _down())
    call = SendMessage(chat_id=CUSTOMER, text="relayed")
    with retried_later():
        with pytest.raises(TelegramRetryAfter):
            await vt.run(middleware(telegram, None, call))  # type: ignore[arg-type]
        assert middleware.pacer.delay(CUSTOMER) == 7  # the answers to this chat wait too
        vt.now = 7
        with pytest.raises(TelegramServerError):
            await vt.run(middleware(telegram, None, call))  # type: ignore[arg-type]
    assert len(telegram.calls) == 2
    assert middleware.pacer.delay(CUSTOMER) == 0  # an outage is the sender's to wait out


async def test_an_edit_is_neither_paced_nor_retried_but_its_429_holds_the_chat(
    vt: VirtualTime,
) -> None:
    middleware = _middleware(vt)
    telegram = Telegram(vt, _flood(3))
    edit = EditMessageText(chat_id=CUSTOMER, message_id=1, text="edited")
    with pytest.raises(TelegramRetryAfter):
        await vt.run(middleware(telegram, None, edit))  # type: ignore[arg-type]
    assert len(telegram.calls) == 1
    assert middleware.pacer.delay(CUSTOMER) == 3
