import asyncio
import sqlite3
from pathlib import Path

import pytest

from storage.db import Database
from storage.migrations import available, for_postgres, migrate, migrate_postgres
from storage.sqlite import SqliteDatabase


async def _tables(db: Database) -> set[str]:
    # information_schema is SQL's own; SQLite keeps the list in sqlite_master.
    sqlite = "SELECT name FROM sqlite_master WHERE type = 'table'"
    standard = "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
    rows = await db.fetchall(sqlite if isinstance(db, SqliteDatabase) else standard)
    return {row[0] for row in rows}


async def test_fresh_database_gets_every_migration(db: Database) -> None:
    assert {"customers", "fsm", "accounts", "orders", "schema_migrations"} <= await _tables(db)
    rows = await db.fetchall("SELECT name FROM schema_migrations ORDER BY name")
    applied = [row[0] for row in rows]
    assert applied == [name for name, _ in available()]


async def test_migrated_database_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "twice.sqlite3"
    first = await Database.open(path)
    await first.execute(
        "INSERT INTO customers VALUES (1, 'Anna', NULL, NULL, 'ru', 'en', 'x', 'x')"
    )
    await first.close()
    second = await Database.open(path)
    await second.close()
    with sqlite3.connect(path) as conn:
        assert migrate(conn) == []
        assert [row[0] for row in conn.execute("SELECT locale FROM customers")] == ["en"]


async def test_old_database_gets_only_the_missing_migrations(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    first_name, first_sql = available()[0]
    with sqlite3.connect(path) as conn:
        conn.executescript(first_sql)
        conn.execute("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
        conn.execute("INSERT INTO schema_migrations VALUES (?, 'before')", (first_name,))
    db = await Database.open(path)
    rows = dict(
        tuple(row) for row in await db.fetchall("SELECT name, applied_at FROM schema_migrations")
    )
    await db.close()
    assert rows[first_name] == "before"
    assert set(rows) == {name for name, _ in available()}


def test_migration_files_are_numbered_in_order() -> None:
    names = [name for name, _ in available()]
    numbers = [int(name.split("_")[0]) for name in names]
    assert numbers == list(range(1, len(names) + 1))


async def test_database_uses_wal_and_foreign_keys(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "wal.sqlite3")
    async with db.tx():  # inside a transaction: the writing connection answers
        assert (await db.fetchone("PRAGMA journal_mode"))[0] == "wal"
        assert (await db.fetchone("PRAGMA foreign_keys"))[0] == 1
    assert (await db.fetchone("PRAGMA foreign_keys"))[0] == 1
    await db.close()


async def test_a_transaction_cancelled_midway_leaves_nothing_behind(db: Database) -> None:
    insert = "INSERT INTO fsm (key, state, updated_at) VALUES (:k, 's', 'now')"

    async def two_writes(step: int) -> None:
        async with db.tx():
            await db.execute(insert, {"k": f"first-{step}"})
            await asyncio.sleep(0)
            await db.execute(insert, {"k": f"second-{step}"})

    for step in range(6):
        task = asyncio.create_task(two_writes(step))
        for _ in range(step % 3):
            await asyncio.sleep(0)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    keys = {row[0] for row in await db.fetchall("SELECT key FROM fsm")}
    # a first write is there only with its second: no transaction committed halfway
    assert {key.replace("first", "second") for key in keys} <= keys
    await db.execute(insert, {"k": "after"})
    assert await db.fetchone("SELECT 1 FROM fsm WHERE key = 'after'") is not None


async def test_copies_of_one_telegram_message_keep_their_text_when_sources_become_unique(
    tmp_path: Path,
) -> None:
    path = tmp_path / "copies.sqlite3"
    before = [(name, sql) for name, sql in available() if name < "0010"]
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
        for name, sql in before:
            conn.executescript(sql)
            conn.execute("INSERT INTO schema_migrations VALUES (?, 'before')", (name,))
        conn.execute(
            "INSERT INTO tickets (id, customer_id, customer_name, locale, status, subject,"
            " context, created_at) VALUES (1, 7, 'Anna', 'ru', 'new', 's', '{}', 'now')"
        )
        for text in ("once", "twice"):
            conn.execute(
                "INSERT INTO ticket_messages (ticket_id, direction, kind, text,"
                " source_chat_id, source_message_id, created_at)"
                " VALUES (1, 'in', 'text', ?, 7, 70, 'now')",
                (text,),
            )
    db = await Database.open(path)
    rows = await db.fetchall("SELECT text, source_message_id FROM ticket_messages ORDER BY id")
    await db.close()
    assert [tuple(r) for r in rows] == [("once", 70), ("twice", None)]


def test_postgres_reads_the_same_files_with_three_changes() -> None:
    assert for_postgres("id INTEGER PRIMARY KEY AUTOINCREMENT, chat_id INTEGER NOT NULL") == (
        "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, chat_id BIGINT NOT NULL"
    )
    assert for_postgres("salt BLOB NOT NULL, note TEXT") == "salt BYTEA NOT NULL, note TEXT"


async def test_every_migration_applies_on_postgres_once(postgres_url: str) -> None:
    asyncpg = pytest.importorskip("asyncpg")
    # Two workers starting at once: one applies everything, the other finds it done.
    first, second = await asyncio.gather(
        migrate_postgres(postgres_url), migrate_postgres(postgres_url)
    )
    assert sorted(first + second) == [name for name, _ in available()]
    assert await migrate_postgres(postgres_url) == []
    conn = await asyncpg.connect(postgres_url)
    try:
        # Telegram's ids outgrew 32 bits: every id column takes them.
        await conn.execute(
            "INSERT INTO customers (telegram_id, first_name, created_at, updated_at)"
            " VALUES ($1, 'Anna', 'now', 'now')",
            2**52,
        )
        assert await conn.fetchval("SELECT telegram_id FROM customers") == 2**52
    finally:
        await conn.close()
