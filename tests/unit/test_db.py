"""The database helper: reads beside a transaction, and wake-ups after the commit."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

import storage.sqlite
from storage.db import Database, DatabaseUnavailable
from storage.sqlite import SqliteDatabase

_COUNT = "SELECT count(*) FROM bans"
_BAN = "INSERT INTO bans (telegram_id, banned_by, at) VALUES (:id, 1, 'now')"


async def _count(db: Database) -> int:
    row = await db.fetchone(_COUNT)
    assert row is not None
    return int(row[0])


async def test_a_read_beside_a_transaction_sees_only_what_is_committed(db: Database) -> None:
    inside, release = asyncio.Event(), asyncio.Event()

    async def writer() -> None:
        async with db.tx():
            await db.execute(_BAN, {"id": 1})
            assert await _count(db) == 1  # the transaction sees its own write
            inside.set()
            await release.wait()

    task = asyncio.create_task(writer())
    await inside.wait()
    assert await _count(db) == 0  # not committed yet, and the read did not wait for it
    release.set()
    await task
    assert await _count(db) == 1


async def test_after_commit_waits_for_the_commit_and_skips_a_rollback(db: Database) -> None:
    calls: list[str] = []
    async with db.tx():
        await db.execute(_BAN, {"id": 1})
        db.after_commit(lambda: calls.append(f"seen {calls!r}"))
        assert calls == []
    assert calls == ["seen []"]

    with pytest.raises(RuntimeError):
        async with db.tx():
            db.after_commit(lambda: calls.append("rolled back"))
            raise RuntimeError
    assert calls == ["seen []"]
    db.after_commit(lambda: calls.append("now"))
    assert calls[-1] == "now"


async def test_a_lone_write_is_atomic_and_counted(db: Database) -> None:
    written = await db.execute(_BAN, {"id": 7})
    assert written.rowcount == 1
    assert await _count(db) == 1
    again = f"{_BAN} ON CONFLICT DO NOTHING"
    assert (await db.execute(again, {"id": 7})).rowcount == 0


async def test_an_insert_returns_its_id_or_0_when_nothing_was_written(db: Database) -> None:
    add = "INSERT INTO answers (update_id, method, body) VALUES (:u, 'm', '{}') RETURNING id"
    assert [await db.insert(add, {"u": u}) for u in (5, 5)] == [1, 2]
    canned = "INSERT INTO canned_replies (key, locale, text) VALUES (:k, 'en', 'hi')"
    once = f"{canned} ON CONFLICT DO NOTHING RETURNING 1"
    assert [await db.insert(once, {"k": "a"}) for _ in (1, 2)] == [1, 0]


class Checkpoints:
    """The checkpointer's rounds off the loop, as they end: a test waits for them."""

    def __init__(self, db: SqliteDatabase, monkeypatch: pytest.MonkeyPatch) -> None:
        self.rounds = 0
        self.ended = asyncio.Condition()
        keeper = db._keeper  # the connection whose thread the rounds run on
        assert keeper is not None
        run = keeper.execute_fetchall

        async def counted(sql: str) -> Any:
            rows = await run(sql)
            async with self.ended:
                self.rounds += 1
                self.ended.notify_all()
            return rows

        monkeypatch.setattr(keeper, "execute_fetchall", counted)

    async def until(self, done: Callable[[], bool]) -> None:
        """Looks at ``done`` again as each round ends."""
        async with asyncio.timeout(10), self.ended:
            await self.ended.wait_for(done)


@pytest.fixture
async def checkpointed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[SqliteDatabase, Path, Checkpoints]]:
    """A database file whose checkpointer runs every 20 ms."""
    monkeypatch.setattr(storage.sqlite, "CHECKPOINT_EVERY", 0.02)
    path = tmp_path / "wal.sqlite3"
    db = await SqliteDatabase.open_at(path)
    yield db, path, Checkpoints(db, monkeypatch)
    await db.close()


async def test_writes_reach_the_database_file_by_checkpoints_off_the_loop(
    checkpointed: tuple[SqliteDatabase, Path, Checkpoints],
) -> None:
    db, path, checkpoints = checkpointed
    size = path.stat().st_size
    async with db.tx():  # about 100 pages: the writer itself never checkpoints
        for n in range(400):
            await db.execute(_BAN, {"id": n})
            await db.execute(
                "UPDATE bans SET banned_by = :by WHERE telegram_id = :id",
                {"by": "x" * 1000, "id": n},
            )
    assert path.stat().st_size == size
    await checkpoints.until(lambda: path.stat().st_size > size)
    assert path.stat().st_size > size + 100_000


async def test_the_wal_starts_over_while_writes_keep_coming(
    checkpointed: tuple[SqliteDatabase, Path, Checkpoints],
) -> None:
    db, path, checkpoints = checkpointed
    commits = 0
    async with asyncio.timeout(10):
        while checkpoints.rounds < 20:  # each turn commits, then lets the loop run once
            await db.execute(_BAN, {"id": commits})
            commits += 1
            await asyncio.sleep(0)
    wal = path.with_name(f"{path.name}-wal").stat().st_size
    # every commit appends at least one 4 KiB page; a WAL that never starts over would
    # hold them all
    assert wal < commits * 4096 / 4


async def test_a_database_is_held_by_one_opener_until_it_is_closed(tmp_path: Path) -> None:
    path = tmp_path / "held.sqlite3"
    first = await Database.open(path)
    with pytest.raises(DatabaseUnavailable, match="is in use by another bot process"):
        await Database.open(path)
    await first.close()
    second = await Database.open(path)  # the lock went with the close
    await second.close()


async def test_a_database_that_cannot_be_opened_leaves_no_lock(tmp_path: Path) -> None:
    path = tmp_path / "broken.sqlite3"
    path.write_bytes(b"not a database at all, but long enough to be read as one" * 100)
    with pytest.raises(DatabaseUnavailable, match="cannot be opened: file is not a database"):
        await Database.open(path)
    path.unlink()
    db = await Database.open(path)
    await db.close()


@pytest.mark.parametrize(
    ("where", "reason"),
    [
        (lambda tmp: tmp, "is a directory"),
        (lambda tmp: tmp / "file" / "db.sqlite3", "which is a file, not a folder"),
    ],
)
async def test_a_path_that_cannot_hold_a_database_says_why(
    tmp_path: Path, where: Callable[[Path], Path], reason: str
) -> None:
    (tmp_path / "file").write_text("", "utf-8")
    with pytest.raises(DatabaseUnavailable, match=reason) as refused:
        await Database.open(where(tmp_path))
    assert "\n" not in str(refused.value)
