"""Work that must not hold up a reply, finished (not dropped) on shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine, Hashable, Iterable
from typing import Any, Generic, TypeVar

log = logging.getLogger(__name__)

STOP_GRACE = 10.0  # how long a stop waits for a send already on the wire
K = TypeVar("K", bound=Hashable)


class Background:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background work failed", exc_info=task.exception())

    async def drain(self) -> None:
        # Each piece of work bounds itself (senders have timeouts and few retries).
        if self._tasks:
            await asyncio.wait(set(self._tasks))


async def wake_or_tick(wake: asyncio.Event, seconds: float) -> None:
    """Wait until `wake` is set or `seconds` pass.

    Not asyncio.wait_for: on Python 3.11 it swallows a cancel that lands as the event
    is set, and a worker loop that misses its stop never ends (a shutdown that hangs).
    """
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await wake.wait()


async def finish_even_if_cancelled(
    work: Coroutine[Any, Any, None], only_waiting: Callable[[asyncio.Task[Any]], bool]
) -> None:
    """A stop waits (briefly) for a send in flight and its record, instead of cutting
    between the two and sending it again after the restart. A send still waiting for
    its slot (``only_waiting``) is simply dropped: it is sent after the restart."""
    task = asyncio.ensure_future(work)
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        if only_waiting(task):
            task.cancel()
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await asyncio.wait_for(task, STOP_GRACE)
        raise


class Workers(Generic[K]):
    """One task per key (a ticket, a chat) working through that key's queue in order,
    side by side with the other keys, so one slow chat never holds up the rest.

    Each pass asks `pending` for the keys with work and gives a worker to each key that
    has none. A worker calls `step(key)` until it answers False (must wait: a later
    pass retries) or None (nothing left). `also` runs once per pass. `poke(key)` is
    for a caller that knows which key got work: its worker starts at once, without a
    pass over everything pending (which under load ran for every stored message).
    """

    def __init__(
        self,
        name: str,
        pending: Callable[[], Awaitable[Iterable[K]]],
        step: Callable[[K], Awaitable[bool | None]],
        wake: asyncio.Event,
        *,
        tick: float,
        retry: float,
        also: Callable[[], Awaitable[None]] | None = None,
        describe: Callable[[K], str] = str,
    ) -> None:
        self._name, self._pending, self._step, self._also = name, pending, step, also
        self._describe = describe
        self._wake, self._tick, self._retry = wake, tick, retry
        self._task: asyncio.Task[None] | None = None
        self._workers: dict[K, asyncio.Task[None]] = {}
        # Keys given work while their worker was busy: it looks again before it stops.
        self._again: set[K] = set()
        self._stopping = False

    async def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name=self._name)

    async def stop(self) -> None:
        self._stopping = True  # a poke from an update still finishing starts nothing new
        tasks = [t for t in (self._task, *self._workers.values()) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def wake_later(self, delay: float) -> None:
        asyncio.get_running_loop().call_later(delay, self._wake.set)

    def poke(self, key: K) -> None:
        if self._task is None or self._stopping:  # not running: the first pass of a start finds it
            self._wake.set()
            return
        self._serve(key)

    def _serve(self, key: K) -> None:
        if key in self._workers:
            self._again.add(key)
        else:
            self._workers[key] = asyncio.create_task(
                self._work(key), name=f"{self._name} {self._describe(key)}"
            )

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                for key in await self._pending():
                    self._serve(key)
                if self._also is not None:
                    await self._also()
            except Exception:
                log.exception("%s pass failed; the next pass retries", self._name)
            await wake_or_tick(self._wake, self._tick)

    async def _work(self, key: K) -> None:
        try:
            while True:
                self._again.discard(key)
                while (done := await self._step(key)) is True:
                    pass
                # Work given to this key while the step found nothing: look again. The
                # check and the leaving below happen with no await in between.
                if done is None and key in self._again:
                    continue
                break
        except Exception:
            log.exception("%s of %s failed; retrying", self._name, self._describe(key))
            self.wake_later(self._retry)
        finally:
            if self._workers.get(key) is asyncio.current_task():
                del self._workers[key]
                self._again.discard(key)
