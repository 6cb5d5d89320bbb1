"""The relay, the outbox and the scheduler run in one worker at a time.

Several workers on one database would each relay the same ticket message and send the
same notice. The worker that holds the ``delivery`` lease runs them; it renews the lease
every RENEW_SECONDS, and a renewal that fails (another holds it, the database is
unreachable) stops them at once. A worker that dies stops renewing: LEASE_SECONDS
later another one takes the lease and starts them, and what the dead one left (rows
not marked relayed or sent) is there for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

from storage.leases import LeaseRepo

log = logging.getLogger(__name__)

LEASE_SECONDS = 6.0
RENEW_SECONDS = 2.0
_NAME = "delivery"
# How often the relay and the outbox look for work nobody told them of: workers sharing
# a database tell only their own, so the delivering one learns of another's at a look.
SHARED_TICK = 0.5


class Part(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


def worker_name() -> str:
    """This worker among the others, in leases and logs: its host, process and a nonce
    (a pid comes again after a restart)."""
    return f"{worker_prefix(os.getpid())}{secrets.token_hex(3)}"


def worker_prefix(pid: int) -> str:
    """What the names of the process ``pid`` of this machine begin with."""
    return f"{socket.gethostname()}:{pid}:"


def iso(moment: datetime) -> str:
    """A time as the leases store it: text that sorts as the time does."""
    return moment.isoformat(timespec="microseconds")


class Leader:
    """Runs ``parts`` while this worker holds the lease."""

    def __init__(
        self,
        repo: LeaseRepo,
        parts: Sequence[Part],
        *,
        lease_seconds: float = LEASE_SECONDS,
        renew_seconds: float = RENEW_SECONDS,
        take_over: bool = False,
    ) -> None:
        self._repo, self._parts, self._take_over = repo, parts, take_over
        self._lease, self._renew = lease_seconds, renew_seconds
        self.holder = worker_name()
        self.leading = False
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._take_over:  # the only process: whoever holds it is its own past run
            await self._repo.release_all_of("")
        await self._round()  # the first worker up leads at once, not a renewal later
        self._task = asyncio.create_task(self._run(), name="leader")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.leading:
            await self._follow()
            # Handed over now rather than when it runs out: a restart loses no time.
            with contextlib.suppress(Exception):
                await self._repo.release(_NAME, self.holder)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._renew)
            await self._round()

    async def _round(self) -> None:
        now = datetime.now(UTC)
        try:
            held = await self._repo.hold(
                _NAME, self.holder, iso(now), iso(now + timedelta(seconds=self._lease))
            )
        except Exception:  # this task must outlive a failed round
            log.exception("the delivery lease could not be renewed; delivery stops here")
            held = False
        if held and not self.leading:
            log.info("this worker (%s) now relays, sends notices and applies changes", self.holder)
            self.leading = True
            for part in self._parts:
                await part.start()
        elif not held and self.leading:
            log.warning(
                "this worker (%s) lost the delivery lease; another takes over", self.holder
            )
            await self._follow()

    async def _follow(self) -> None:
        self.leading = False
        for part in reversed(self._parts):
            await part.stop()
