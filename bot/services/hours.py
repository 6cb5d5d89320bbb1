"""When agents are at work: a daily window in the support team's time zone."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


def parse_window(window: str) -> tuple[time, time] | None:
    """`"09:00-21:00"` -> its two times; blank -> None (around the clock); ValueError."""
    if not window.strip():
        return None
    start, _, end = window.partition("-")
    return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())


class SupportHours:
    """`"09:00-21:00"` every day; an empty window means around the clock."""

    def __init__(self, window: str, zone: str) -> None:
        self.zone = ZoneInfo(zone)
        self._window = parse_window(window)

    @property
    def always(self) -> bool:
        return self._window is None

    def is_open(self, now: datetime) -> bool:
        if self._window is None:
            return True
        start, end = self._window
        local = now.astimezone(self.zone).time()
        return start <= local < end if start < end else not end <= local < start

    def next_open(self, now: datetime) -> datetime:
        """The next moment agents start work (now, if they are at work)."""
        if self._window is None or self.is_open(now):
            return now
        local = now.astimezone(self.zone)
        opening = local.replace(
            hour=self._window[0].hour, minute=self._window[0].minute, second=0, microsecond=0
        )
        return opening if opening > local else opening + timedelta(days=1)
