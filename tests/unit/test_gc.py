"""Garbage collection settles once start-up is over (bot.speedups.gc), when kept."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from bot import speedups
from bot.speedups.gc import YOUNG_OBJECTS_PER_COLLECTION


@pytest.fixture
def restored_gc() -> Iterator[None]:
    threshold = gc.get_threshold()
    gc.unfreeze()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_start_up_objects_are_frozen_and_young_ones_collected_less_often(
    restored_gc: None,
) -> None:
    older = gc.get_threshold()[1:]
    speedups.settle_gc(speedups.parse("gc"))
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == (YOUNG_OBJECTS_PER_COLLECTION, *older)


def test_without_the_speed_up_python_collects_as_it_always_does(restored_gc: None) -> None:
    threshold = gc.get_threshold()
    speedups.settle_gc(speedups.parse("off"))
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == threshold
