"""The relay, the outbox and the scheduler in one worker at a time, and in another once
that one stops or dies."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.delivery.leader import Leader
from storage.db import Database
from storage.leases import LeaseRepo


class Part:
    def __init__(self) -> None:
        self.running = False

    async def start(self) -> None:
        self.running = True

    async def stop(self) -> None:
        self.running = False


def _worker(db: Database) -> tuple[Leader, Part]:
    part = Part()
    return Leader(LeaseRepo(db), [part], lease_seconds=0.3, renew_seconds=0.05), part


async def _until(check: Callable[[], bool]) -> None:
    async with asyncio.timeout(5):
        while not check():
            await asyncio.sleep(0.02)


async def test_one_worker_leads_and_another_takes_over_when_it_stops(db: Database) -> None:
    (first, one), (second, two) = _worker(db), _worker(db)
    await first.start()
    await second.start()
    await asyncio.sleep(0.2)  # several renewals: the lease stays where it is
    assert (one.running, two.running) == (True, False)
    await first.stop()
    assert not one.running
    await _until(lambda: two.running)
    await second.stop()


async def test_a_dead_workers_lease_runs_out_and_goes_to_another(db: Database) -> None:
    (first, _), (second, two) = _worker(db), _worker(db)
    await first.start()
    await second.start()
    assert first._task is not None
    first._task.cancel()  # dies: no renewal, no release
    await _until(lambda: two.running)
    assert second.leading
    await second.stop()


async def test_a_dead_workers_lease_is_let_go_by_name_and_one_process_takes_it_at_once(
    db: Database,
) -> None:
    repo = LeaseRepo(db)
    assert await repo.hold("delivery", "host:12:ab", "2026-01-01", "2099-01-01")
    await repo.release_all_of("host:123:")  # another process: still held
    assert not await repo.hold("delivery", "host:7:cd", "2026-01-01", "2099-01-01")
    await repo.release_all_of("host:12:")
    assert await repo.hold("delivery", "host:7:cd", "2026-01-01", "2099-01-01")
    part = Part()
    alone = Leader(repo, [part], lease_seconds=60, renew_seconds=60, take_over=True)
    await alone.start()  # long polling after a crash: its predecessor's lease is its own
    assert part.running
    await alone.stop()
