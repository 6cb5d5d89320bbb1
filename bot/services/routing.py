"""Which agents' forum a new ticket opens in (SUPPORT_CHATS): the first that takes its
kind and language; when that forum's posts for the minute are spent, the least busy of
those that take it and the overflow forums. A ticket stays where it opened."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from bot.domain.clock import Clock
from bot.domain.forums import Category, ForumLane
from bot.domain.values import Locale
from storage.lanes import LaneRepo


@dataclass(frozen=True)
class Lanes:
    forums: tuple[ForumLane, ...] = ()
    posts_per_window: int = 20  # what Telegram lets a bot post into one group
    window: timedelta = field(default=timedelta(minutes=1))


def choose(
    forums: Sequence[ForumLane],
    category: Category,
    locale: Locale,
    loads: Mapping[int, int],
    budget: int,
) -> int:
    """The forum for a ticket of ``category`` in ``locale``, given each one's load."""
    # Taken nowhere as it is: the overflow forums, then the kind in another language.
    fitting = (
        [f for f in forums if f.takes(category, locale)]
        or [f for f in forums if f.overflow]
        or [f for f in forums if any(f.takes(category, other) for other in Locale)]
        or list(forums)
    )
    home = fitting[0]
    if loads.get(home.chat_id, 0) < budget:
        return home.chat_id
    spare = fitting + [f for f in forums if f.overflow and f not in fitting]
    return min(spare, key=lambda f: loads.get(f.chat_id, 0)).chat_id


def forum_for(forums: Sequence[ForumLane], category: Category) -> int | None:
    """The forum for what concerns a kind without a ticket (a recovery's warnings):
    the first that takes that kind in any language, else the first."""
    if not forums:
        return None
    fitting = [f for f in forums if any(f.takes(category, other) for other in Locale)]
    return (fitting or list(forums))[0].chat_id


class Routing:
    def __init__(self, lanes: Lanes, loads: LaneRepo, clock: Clock) -> None:
        self._lanes, self._loads, self._clock = lanes, loads, clock

    @property
    def forums(self) -> tuple[ForumLane, ...]:
        return self._lanes.forums

    def named(self, text: str) -> ForumLane | None:
        """The forum agents mean by ``text``: its name, in any case, or its id."""
        wanted = text.strip().lower()
        fits = (f for f in self.forums if wanted and wanted in (f.name.lower(), str(f.chat_id)))
        return next(fits, None)

    def label_of(self, forum_id: int | None) -> str:
        return next((f.label for f in self.forums if f.chat_id == forum_id), str(forum_id))

    async def pick(self, category: Category, locale: Locale) -> int | None:
        """None without a forum; the one there is without a read."""
        forums = self._lanes.forums
        if len(forums) <= 1:
            return forums[0].chat_id if forums else None
        loads = await self._loads.loads(self._clock.now() - self._lanes.window)
        return choose(forums, category, locale, loads, self._lanes.posts_per_window)
