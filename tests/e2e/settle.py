"""The barrier before a test checks that nothing (more) arrived.

A fixed pause proves nothing: a slow run passes it with the bot still at work. Here the
bot itself says it is done: Telegram's side (the emulator) saw it take every update sent
so far, and its database has each of them marked handled (in the transaction its handler
wrote in) with nothing left to send, whether answers, ticket messages, or notices.
Whatever a wrong handler or worker would send has gone out by then, so an assertion
after it sees the message a bug would have sent.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from emulator import BotApiEmulator
from storage.answers import AnswerRepo
from storage.db import Database
from storage.incoming import IncomingRepo
from storage.messages import MessageRepo
from storage.outbox import OutboxRepo
from tests.e2e.conftest import RunningBot


class ReadOnly:
    """The bot's database file as another process sees it (the crash tests' bot runs
    apart): the repositories' own reads, on a read-only connection."""

    def __init__(self, path: Path) -> None:
        self._connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        self._connection.row_factory = sqlite3.Row

    async def fetchall(self, sql: str, params: Mapping[str, object] | None = None) -> list[Any]:
        return self._connection.execute(sql, params or {}).fetchall()

    def close(self) -> None:
        self._connection.close()


async def unfinished(db: Database | ReadOnly, now: datetime) -> list[str]:
    """What the bot still has to do, in words: empty once it is done. ``now`` is the
    bot's time, for SMS and emails whose (re)try is due."""
    store: Any = db  # ReadOnly offers the one call the repositories' reads need
    left = [f"update {k.update_id}" for k in await IncomingRepo(store).all() if not k.handled]
    left += [f"{a.method} of update {a.update_id}" for a in await AnswerRepo(store).all()]
    left += [f"ticket {t} queue" for t, _ in await MessageRepo(store).pending_queues(limit=10)]
    left += [f"notice to {c}" for c in await OutboxRepo(store).pending_chats(limit=10)]
    left += [f"contact {n}" for n in await OutboxRepo(store).due_contacts(now, limit=10)]
    return left


async def wait_settled(
    emu: BotApiEmulator,
    db: Database | ReadOnly,
    now: Callable[[], datetime],
    timeout: float = 10.0,
) -> None:
    await emu.wait_taken(timeout)

    async def done() -> bool:
        return not await unfinished(db, now())

    try:
        await emu.wait_for(done, timeout)
    except AssertionError:
        left = ", ".join(await unfinished(db, now()))
        raise AssertionError(f"the bot still has to do: {left}") from None


async def settled(running: RunningBot, timeout: float = 10.0) -> None:
    """Every update sent so far is handled, and all the bot decided to send is sent."""
    assert running.app is not None
    await wait_settled(running.emu, running.app.db, running.clock.now, timeout)
