"""Worker loops stop when told, whatever else happens in the same instant."""

from __future__ import annotations

import asyncio

import pytest

from bot.delivery.background import Workers, wake_or_tick


async def test_a_stop_that_lands_as_the_worker_is_woken_still_stops_it() -> None:
    wake = asyncio.Event()
    passes = 0

    async def worker() -> None:
        nonlocal passes
        while True:
            wake.clear()
            passes += 1
            await wake_or_tick(wake, 60)

    task = asyncio.create_task(worker())
    await asyncio.sleep(0)  # the worker waits on the event
    wake.set()
    task.cancel()  # in the same turn of the loop as the wake-up
    with pytest.raises(asyncio.CancelledError):
        async with asyncio.timeout(2):
            await task
    assert passes == 1


async def test_the_tick_wakes_a_worker_nobody_woke() -> None:
    wake = asyncio.Event()
    async with asyncio.timeout(2):
        await wake_or_tick(wake, 0.01)
    assert not wake.is_set()


async def test_workers_serve_each_key_in_order_side_by_side_and_retry_a_failure() -> None:
    queues = {1: ["a1", "a2", "a3"], 2: ["b1"]}
    done: list[str] = []
    failed_once = False
    release, progress = asyncio.Event(), asyncio.Condition()

    async def pending() -> list[int]:
        return [key for key, queue in queues.items() if queue]

    async def step(key: int) -> bool | None:
        nonlocal failed_once
        if not queues[key]:
            return None
        if key == 1 and not release.is_set():
            await release.wait()  # key 1 is slow: key 2 must not wait for it
        if key == 2 and not failed_once:
            failed_once = True
            raise RuntimeError("network")
        async with progress:
            done.append(queues[key].pop(0))
            progress.notify_all()
        return True

    workers = Workers("test", pending, step, asyncio.Event(), tick=60, retry=0.01)
    await workers.start()
    try:
        async with asyncio.timeout(2), progress:
            await progress.wait_for(lambda: "b1" in done)  # after one failure and a retry
            release.set()
            await progress.wait_for(lambda: len(done) == 4)
    finally:
        await workers.stop()
    assert done == ["b1", "a1", "a2", "a3"]


async def test_a_poke_serves_its_key_at_once_and_one_during_the_last_look_is_kept() -> None:
    queue: list[str] = []
    served: list[str] = []
    looking, go_on, progress = asyncio.Event(), asyncio.Event(), asyncio.Condition()

    async def pending() -> list[int]:
        return []  # a pass finds nothing: only the pokes bring work

    async def step(key: int) -> bool | None:
        if queue:
            async with progress:
                served.append(queue.pop(0))
                progress.notify_all()
            return True
        looking.set()
        await go_on.wait()  # the queue looked empty; the worker has not left yet
        return None

    workers = Workers("test", pending, step, asyncio.Event(), tick=60, retry=60)
    await workers.start()
    try:
        await asyncio.sleep(0)
        queue.append("a")
        workers.poke(1)
        await looking.wait()
        queue.append("b")
        workers.poke(1)  # while its worker is still looking at the empty queue
        go_on.set()
        async with asyncio.timeout(2), progress:
            await progress.wait_for(lambda: served == ["a", "b"])
    finally:
        await workers.stop()


async def test_a_poke_while_the_workers_stop_starts_nothing_new() -> None:
    steps: list[int] = []

    async def pending() -> list[int]:
        return []

    async def step(key: int) -> bool | None:
        steps.append(key)
        return None

    workers = Workers("test", pending, step, asyncio.Event(), tick=60, retry=60)
    await workers.start()
    await asyncio.sleep(0)
    stopping = asyncio.create_task(workers.stop())
    await asyncio.sleep(0)  # the stop is under way, waiting for its tasks to end
    workers.poke(1)  # an update still finishing commits new work
    await stopping
    # A worker started by the poke would be a task of its own, still to run or running.
    assert not [t for t in asyncio.all_tasks() if t.get_name().startswith("test ")]
    assert steps == []
