"""Fault injection and Telegram-like flood limits.

Both only decide whether a call fails; the HTTP layer asks them before
dispatching, so handlers stay free of test plumbing.
"""

from __future__ import annotations

import math
import random
import time
from collections import deque
from collections.abc import Callable, Collection
from dataclasses import dataclass

from .errors import ApiError, too_many_requests
from .models import ChatRecord

_POLLING_METHOD = "getupdates"
_RETRY_STATUS = 429


@dataclass
class _PlannedFailure:
    method: str | None
    status: int
    retry_after: int | None
    description: str | None
    remaining: int
    chat_id: int | None = None

    def matches(self, method: str, chat_id: object) -> bool:
        if self.chat_id is not None and str(chat_id) != str(self.chat_id):
            return False
        if self.method is None:
            # Background polling would otherwise steal "any method" failures at random.
            return method != _POLLING_METHOD
        return self.method == method


class FaultInjector:
    def __init__(self) -> None:
        self._planned: list[_PlannedFailure] = []
        self._rate = 0.0
        self._statuses: tuple[int, ...] = (429, 500)
        self._retry_after = 1
        self._methods: frozenset[str] | None = None
        self._random = random.Random()  # noqa: S311 - test randomness, not security

    def fail_next(
        self,
        method: str | None,
        status: int,
        *,
        retry_after: int | None = None,
        times: int = 1,
        description: str | None = None,
        chat_id: int | None = None,
    ) -> None:
        self._planned.append(
            _PlannedFailure(
                method.lower() if method else None,
                status,
                retry_after,
                description,
                times,
                chat_id,
            )
        )

    def set_failure_rate(
        self,
        rate: float,
        statuses: Collection[int] = (429, 500),
        retry_after: int = 1,
        seed: int | None = None,
        methods: Collection[str] | None = None,
    ) -> None:
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be within [0, 1]")
        self._rate = rate
        self._statuses = tuple(statuses)
        self._retry_after = retry_after
        self._methods = frozenset(m.lower() for m in methods) if methods is not None else None
        self._random = random.Random(seed)  # noqa: S311

    def clear(self) -> None:
        self._planned.clear()
        self._rate = 0.0

    def check(self, method: str, chat_id: object = None) -> None:
        """Raise the injected error for this call, if any."""
        name = method.lower()
        for planned in self._planned:
            if planned.matches(name, chat_id):
                planned.remaining -= 1
                if planned.remaining <= 0:
                    self._planned.remove(planned)
                raise ApiError.injected(
                    planned.status,
                    retry_after=planned.retry_after,
                    description=planned.description,
                )
        in_scope = name in self._methods if self._methods is not None else name.startswith("send")
        if self._rate and in_scope and self._random.random() < self._rate:
            status = self._random.choice(self._statuses)
            raise ApiError.injected(
                status, retry_after=self._retry_after if status == _RETRY_STATUS else None
            )


class RateLimiter:
    """Sliding-window flood control: per group chat per minute, per private chat per second
    (with ``private_burst`` messages allowed at once, then that pace)."""

    def __init__(
        self,
        *,
        enabled: bool = False,
        group_per_minute: int = 20,
        private_per_second: int = 1,
        private_burst: int = 1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.enabled = enabled
        self.group_per_minute = group_per_minute
        self.private_per_second = private_per_second
        self.private_burst = private_burst
        self.rejected = 0  # 429s given, for a benchmark to report
        self._clock = clock
        self._sent: dict[int, deque[float]] = {}

    def _window(self, chat: ChatRecord) -> tuple[float, int]:
        if chat.is_private:
            burst = max(self.private_burst, self.private_per_second)
            return burst / self.private_per_second, burst
        return 60.0, self.group_per_minute

    def check(self, chat: ChatRecord, count: int = 1) -> None:
        if not self.enabled:
            return
        window, limit = self._window(chat)
        now = self._clock()
        sent = self._sent.setdefault(chat.id, deque())
        while sent and sent[0] <= now - window:
            sent.popleft()
        if len(sent) + count > limit:
            self.rejected += 1
            oldest = sent[0] if sent else now
            raise too_many_requests(max(1, math.ceil(oldest + window - now)))

    def record(self, chat: ChatRecord, count: int = 1) -> None:
        if self.enabled:
            self._sent.setdefault(chat.id, deque()).extend([self._clock()] * count)
