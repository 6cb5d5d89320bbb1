import asyncio
import sqlite3
from pathlib import Path

from storage.db import Database
from storage.migrations import available, migrate


async def _tables(db: Database) -> set[str]:
    async with db.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'") as cur:
        return {row[0] for row in await cur.fetchall()}


async def test_fresh_database_gets_every_migration(db: Database) -> None:
    assert {"customers", "fsm", "accounts", "orders", "schema_migrations"} <= await _tables(db)
    async with db.conn.execute("SELECT name FROM schema_migrations ORDER BY name") as cur:
        applied = [row[0] for row in await cur.fetchall()]
    assert applied == [name for name, _ in available()]


async def test_migrated_database_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "twice.sqlite3"
    first = await Database.open(path)
    await first.conn.execute(
        "INSERT INTO customers VALUES (1, 'Anna', NULL, NULL, 'ru', 'en', 'x', 'x')"
    )
    await first.close()
    second = await Database.open(path)
    async with second.tx() as conn:
        assert await migrate(conn) == []
        async with conn.execute("SELECT locale FROM customers") as cur:
            assert [row[0] for row in await cur.fetchall()] == ["en"]
    await second.close()


async def test_old_database_gets_only_the_missing_migrations(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    first_name, first_sql = available()[0]
    with sqlite3.connect(path) as conn:
        conn.executescript(first_sql)
        conn.execute("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
        conn.execute("INSERT INTO schema_migrations VALUES (?, 'before')", (first_name,))
    db = await Database.open(path)
    async with db.conn.execute("SELECT name, applied_at FROM schema_migrations") as cur:
        rows = dict(tuple(row) for row in await cur.fetchall())
    await db.close()
    assert rows[first_name] == "before"
    assert set(rows) == {name for name, _ in available()}


def test_migration_files_are_numbered_in_order() -> None:
    names = [name for name, _ in available()]
    numbers = [int(name.split("_")[0]) for name in names]
    assert numbers == list(range(1, len(names) + 1))


async def test_database_uses_wal_and_foreign_keys(db: Database) -> None:
    async with db.conn.execute("PRAGMA journal_mode") as cur:
        assert (await cur.fetchone())[0] == "wal"
    async with db.conn.execute("PRAGMA foreign_keys") as cur:
        assert (await cur.fetchone())[0] == 1


async def test_cancelling_a_transaction_midway_leaves_the_database_usable(db: Database) -> None:
    # aiosqlite finishes a queued BEGIN/COMMIT even when its caller is cancelled; the
    # connection must still agree with SQLite about whether a transaction is open.
    insert = "INSERT INTO fsm (key, state, updated_at) VALUES (:k, 's', 'now')"
    for step in range(40):
        task = asyncio.create_task(db.execute(insert, {"k": f"key-{step}"}))
        for _ in range(step % 8):
            await asyncio.sleep(0)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        assert not db.conn.in_transaction
    await db.execute(insert, {"k": "after"})
    assert await db.fetchone("SELECT 1 FROM fsm WHERE key = 'after'") is not None
