"""A sliding window of sends: the shape of each of Telegram's flood limits."""

from __future__ import annotations

from collections import deque


class Window:
    """At most ``limit`` sends in any ``seconds``-long window."""

    __slots__ = ("limit", "seconds", "sent")

    def __init__(self, limit: int, seconds: float) -> None:
        self.limit, self.seconds = limit, seconds
        self.sent: deque[float] = deque()

    def delay(self, now: float, count: int) -> float:
        while self.sent and self.sent[0] <= now - self.seconds:
            self.sent.popleft()
        over = len(self.sent) + count - self.limit
        if over <= 0:
            return 0.0
        if count > self.limit:  # an album bigger than the window: wait for an empty one
            return self.sent[-1] + self.seconds - now if self.sent else 0.0
        return self.sent[over - 1] + self.seconds - now

    def take(self, now: float, count: int) -> None:
        self.sent.extend([now] * count)

    def filling(self, now: float) -> bool:
        """Half the window is used: better to save the rest."""
        self.delay(now, 0)
        return len(self.sent) * 2 >= self.limit
