"""The app factory: what a start that fails half-way leaves behind."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import bot.app
from bot.app import create_app
from bot.settings import Settings
from storage.db import Database


async def test_a_failure_after_the_database_opened_closes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object) -> object:
        raise RuntimeError("odd")

    # The database's thread outlived such a failure and the process hung at exit.
    monkeypatch.setattr(bot.app, "build_services", broken)
    path = tmp_path / "db.sqlite3"
    settings = Settings(_env_file=None, bot_token="1:x", database_path=path)  # type: ignore[call-arg]
    before = set(threading.enumerate())
    with pytest.raises(RuntimeError, match="odd"):
        await create_app(settings)
    for thread in set(threading.enumerate()) - before:
        thread.join(5)
        assert not thread.is_alive(), thread
    db = await Database.open(path)  # and no lock is left held
    await db.close()
