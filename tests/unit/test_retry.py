"""The one retry policy: what is tried again, after how long, and by whom."""

from __future__ import annotations

import asyncio

import pytest
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import SendMessage

from bot.delivery.retry import Backoff, Retries, RetryPolicy, Verdict, retried_later, verdict

CALL = SendMessage(chat_id=7, text="hi")
FLOOD = TelegramRetryAfter(CALL, "Too Many Requests", retry_after=12)
DOWN = TelegramServerError(CALL, "Internal Server Error")
OFFLINE = TelegramNetworkError(CALL, "Request timeout error")
MALFORMED = TelegramBadRequest(CALL, "Bad Request: can't parse entities")
BLOCKED = TelegramForbiddenError(CALL, "Forbidden: bot was blocked by the user")


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (FLOOD, Verdict.WAIT),
        (DOWN, Verdict.BACK_OFF),
        (OFFLINE, Verdict.BACK_OFF),
        (MALFORMED, Verdict.REFUSED),
        (BLOCKED, Verdict.REFUSED),
        (RuntimeError("a bug"), Verdict.REFUSED),
    ],
)
def test_each_error_gets_its_verdict(error: Exception, expected: Verdict) -> None:
    assert verdict(error) is expected


def test_a_429_waits_what_telegram_says_however_often_it_came() -> None:
    policy = RetryPolicy()
    assert policy.pause(FLOOD, 1) == 12
    assert policy.pause(FLOOD, 7) == 12


def test_an_outage_backs_off_doubling_up_to_a_ceiling() -> None:
    policy = RetryPolicy(backoff=Backoff(first=0.5, longest=3.0))
    assert [policy.pause(DOWN, n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert policy.pause(OFFLINE, 2) == 1.0


def test_a_refusal_is_never_tried_again() -> None:
    policy = RetryPolicy()
    assert policy.pause(MALFORMED, 1) is None
    assert policy.pause(BLOCKED, 1) is None


async def test_a_caller_that_retries_later_gets_one_try_in_place_in_its_tasks_too() -> None:
    policy = RetryPolicy(tries=5)
    assert policy.tries_in_place() == 5
    with retried_later():
        assert policy.tries_in_place() == 1
        # A send the caller starts in a task of its own (see finish_even_if_cancelled).
        assert await asyncio.ensure_future(_tries(policy)) == 1
    assert policy.tries_in_place() == 5
    assert await asyncio.ensure_future(_tries(policy)) == 5


async def _tries(policy: RetryPolicy) -> int:
    return policy.tries_in_place()


def test_a_queue_that_failed_waits_its_pause_and_a_success_resets_the_count() -> None:
    clock = Clock()
    retries: Retries[str] = Retries(RetryPolicy(backoff=Backoff(1.0, 60.0)), clock)
    assert retries.wait("a") == 0
    assert retries.failed("a", DOWN) == 1.0
    assert retries.failed("a", DOWN) == 2.0  # in a row: doubled
    assert retries.wait("a") == 2.0 and retries.wait("b") == 0
    clock.now = 1.5
    assert retries.wait("a") == 0.5
    clock.now = 2.0
    assert retries.wait("a") == 0
    retries.succeeded("a")
    assert retries.failed("a", DOWN) == 1.0  # a new run of failures


def test_a_refusal_ends_a_run_of_failures_without_a_pause() -> None:
    clock = Clock()
    retries: Retries[int] = Retries(RetryPolicy(backoff=Backoff(1.0, 60.0)), clock)
    retries.failed(1, DOWN)
    assert retries.failed(1, BLOCKED) is None
    assert retries.wait(1) == 0
    assert retries.failed(1, FLOOD) == 12  # the 429's own wait, not a backoff
    assert retries.back_off(1) == 2.0  # a failure not Telegram's still counts in the run
