"""Worker loops stop when told, whatever else happens in the same instant."""

from __future__ import annotations

import asyncio

import pytest

from bot.background import wake_or_tick


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
