"""When a call to Telegram that failed is tried again, and who tries it.

What is retried:
- 429 (``TelegramRetryAfter``): after the ``retry_after`` Telegram gives. The chat is held
  in the pacer for that long, so every post to it waits, whoever sends it.
- 5xx and network errors (``TelegramServerError``, ``TelegramNetworkError``): after a
  pause that doubles from ``first_pause`` up to ``longest_pause``.
- Anything else (``TelegramBadRequest``, ``TelegramForbiddenError``...) is a refusal:
  it would be refused again, so it goes to the caller at once.

Who retries: exactly one layer for any call.
- The relay and the outbox keep their work in the database: they do not retry in place.
  They mark the queue with the policy's next pause, and a later pass tries again, for as
  long as it takes (an outage never loses a message or a notice).
- Every other post (the answers to what a person just did, start-up calls) has nothing to
  come back to later: the session's middleware tries it up to ``tries`` times in place.
- Calls that post nothing (edits, reactions, topic changes, taps' answers) are tried
  once: a failure leaves what was there. Their 429 still holds the chat.
"""

from __future__ import annotations

import contextlib
import contextvars
import time
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Generic, TypeVar

from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError

K = TypeVar("K", bound=Hashable)


class Verdict(Enum):
    WAIT = "wait"  # Telegram said how long (429)
    BACK_OFF = "back off"  # Telegram or the way to it is down for now
    REFUSED = "refused"  # for good: handed to the caller


def verdict(error: BaseException) -> Verdict:
    if isinstance(error, TelegramRetryAfter):
        return Verdict.WAIT
    if isinstance(error, TelegramServerError | TelegramNetworkError):
        return Verdict.BACK_OFF
    return Verdict.REFUSED


@dataclass(frozen=True, slots=True)
class Backoff:
    """A pause that doubles with each failure in a row, up to a ceiling."""

    first: float
    longest: float

    def pause(self, failures: int) -> float:
        """The pause after the ``failures``-th failure in a row (1 for the first)."""
        return min(self.first * 2.0 ** max(failures - 1, 0), self.longest)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    tries: int = 5  # in place, counting the first
    backoff: Backoff = Backoff(first=0.5, longest=30.0)

    def pause(self, error: BaseException, failures: int) -> float | None:
        """Seconds before trying again after ``failures`` in a row; None: never."""
        match verdict(error):
            case Verdict.WAIT:
                assert isinstance(error, TelegramRetryAfter)  # noqa: S101 - the verdict's
                return float(error.retry_after)
            case Verdict.BACK_OFF:
                return self.backoff.pause(failures)
        return None

    def tries_in_place(self) -> int:
        """How often a call is made before its error goes to the caller: once when the
        caller retries later itself (see ``retried_later``)."""
        return 1 if _retried_later.get() else self.tries


_retried_later: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "retried_later", default=False
)


@contextlib.contextmanager
def retried_later() -> Iterator[None]:
    """Calls made inside (and in tasks started inside) are tried once: the caller keeps
    its work and tries it again itself, after the policy's pause."""
    token = _retried_later.set(True)
    try:
        yield
    finally:
        _retried_later.reset(token)


class Retries(Generic[K]):
    """The failures in a row of each queue of a durable sender, and when each may try
    again: a queue that failed waits its pause even when new work wakes it sooner."""

    def __init__(self, policy: RetryPolicy, clock: Callable[[], float] = time.monotonic) -> None:
        self.policy = policy
        self._clock = clock
        self._failures: dict[K, int] = {}
        self._not_before: dict[K, float] = {}

    def wait(self, key: K) -> float:
        """Seconds before this queue may try again; 0 for now."""
        until = self._not_before.get(key)
        if until is None:
            return 0.0
        left = until - self._clock()
        if left <= 0:
            del self._not_before[key]
            return 0.0
        return left

    def failed(self, key: K, error: BaseException) -> float | None:
        """Count a failure; the pause before the next try, or None for a refusal (which
        is the caller's to settle, and ends the run of failures)."""
        failures = self._failures.get(key, 0) + 1
        pause = self.policy.pause(error, failures)
        if pause is None:
            self.succeeded(key)
            return None
        return self._after(key, failures, pause)

    def back_off(self, key: K) -> float:
        """Count a failure that is no error of Telegram's (a topic gone again as soon as
        it was opened): the policy's growing pause."""
        failures = self._failures.get(key, 0) + 1
        return self._after(key, failures, self.policy.backoff.pause(failures))

    def _after(self, key: K, failures: int, pause: float) -> float:
        self._failures[key] = failures
        self._not_before[key] = self._clock() + pause
        return pause

    def succeeded(self, key: K) -> None:
        self._failures.pop(key, None)
        self._not_before.pop(key, None)
