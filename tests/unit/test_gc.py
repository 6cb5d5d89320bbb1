"""Garbage collection settles once start-up is over (bot.app._settle_gc)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from bot import app


@pytest.fixture
def restored_gc() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_start_up_objects_are_frozen_and_young_ones_collected_less_often(
    restored_gc: None,
) -> None:
    older = gc.get_threshold()[1:]
    app._settle_gc()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == (app._YOUNG_OBJECTS_PER_COLLECTION, *older)
