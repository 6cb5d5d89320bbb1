# ruff: noqa: RUF001 - Russian test data, as customers write it
"""A large support database for the start-up and /queue measurements.

The schema comes from the project itself (``storage.db.Database.open`` applies the
migrations); the rows are then written with plain ``sqlite3`` ``executemany`` in one
transaction, which is far faster than going through the bot's services.

The data is shaped like a long-running production database: most tickets are closed
and rated, ``open_tickets`` are still in the queue (new, taken or waiting, all overdue
ones already announced, as a running bot would have done), and every message is
already relayed, so the bot starts with nothing pending.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from storage.db import Database

_OPEN_STATUSES = ("new", "new", "taken", "waiting")
_SUBJECTS = (
    "Где мой заказ? Трек не обновляется третий день",
    "Пришёл не тот товар",
    "Коробка помята, чайник разбит",
    "Не могу оплатить картой",
    "Wrong size, want to return it",
    "Верните деньги за отменённый заказ",
)
_LINES = (
    "Здравствуйте! Заказ должен был приехать вчера, но его всё ещё нет.",
    "Проверяем, напишем, как только склад ответит.",
    "Спасибо, жду.",
    "Курьер передал посылку в пункт выдачи, можно забирать.",
    "Фото упаковки прикладываю, внутри всё разбито.",
    "Оформили возврат, деньги придут на карту за 2–3 рабочих дня.",
    "Hello, I still have not received the refund.",
    "We have escalated this to the warehouse.",
)


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def _insert_sql(conn: sqlite3.Connection, table: str, values: dict[str, Any]) -> list[str]:
    """The columns of ``values`` that the table has; fails clearly if a required one is
    missing (a newer migration added a NOT NULL column without a default)."""
    info = list(conn.execute(f"PRAGMA table_info({table})"))
    present = [name for name in values if name in {row[1] for row in info}]
    required = {row[1] for row in info if row[3] and row[4] is None and not row[5]}
    missing = required - set(present)
    if missing:
        raise RuntimeError(f"bench/bigdb.py does not fill {table}.{sorted(missing)}: update it")
    return present


def _tickets(
    count: int, open_count: int, now: datetime, rng: random.Random
) -> Iterator[dict[str, Any]]:
    # Ids 1..count in creation order: the oldest are closed, the newest still open.
    span = timedelta(days=365)
    first_open = count - open_count + 1
    for ticket_id in range(1, count + 1):
        is_open = ticket_id >= first_open
        if is_open:
            # Open tickets arrived over the last two days.
            created = now - timedelta(minutes=2 * 24 * 60 * (count - ticket_id + 1) / open_count)
        else:
            created = now - span + span * (ticket_id / count) - timedelta(days=2)
        status = _OPEN_STATUSES[ticket_id % len(_OPEN_STATUSES)] if is_open else "closed"
        answered = status != "new"
        customer = 5_000_000 + ticket_id
        yield {
            "id": ticket_id,
            "customer_id": customer,
            "customer_name": f"Клиент {ticket_id}",
            "customer_username": f"user{ticket_id}" if ticket_id % 3 else None,
            "account_id": None,
            "locale": "ru" if ticket_id % 4 else "en",
            "status": status,
            "subject": _SUBJECTS[ticket_id % len(_SUBJECTS)],
            "order_number": f"{40000000 + ticket_id:08d}-0001" if ticket_id % 2 else None,
            "problem": "late" if ticket_id % 2 else None,
            "context": "{}",
            "assignee_id": 9001 if answered else None,
            "assignee_name": "Olga Agent" if answered else None,
            "topic_id": 1000 + ticket_id,
            "topic_closed": 0 if is_open else 1,
            "created_at": _iso(created),
            "first_response_at": _iso(created + timedelta(minutes=7)) if answered else None,
            "closed_at": None if is_open else _iso(created + timedelta(hours=5)),
            "overdue_announced_at": _iso(created + timedelta(minutes=16)) if is_open else None,
            # Told to the admins long ago too: a start must not bring them every open ticket.
            "overdue_escalated_at": _iso(created + timedelta(minutes=31)) if is_open else None,
            "unreachable": 0,
            "rating": None if is_open else rng.randint(1, 5),
            "rating_comment": None,
        }


def _messages(
    tickets: int, total: int, now: datetime, rng: random.Random
) -> Iterator[dict[str, Any]]:
    per_ticket, extra = divmod(total, tickets)
    message_id = 0
    for ticket_id in range(1, tickets + 1):
        created = now - timedelta(days=365) + timedelta(days=365) * (ticket_id / tickets)
        for index in range(per_ticket + (1 if ticket_id <= extra else 0)):
            message_id += 1
            inbound = index % 2 == 0
            at = _iso(min(created + timedelta(minutes=3 * index), now))
            yield {
                "id": message_id,
                "ticket_id": ticket_id,
                "direction": "in" if inbound else "out",
                "author_id": 5_000_000 + ticket_id if inbound else 9001,
                "author_name": f"Клиент {ticket_id}" if inbound else "Olga Agent",
                "kind": "text",
                "text": rng.choice(_LINES),
                "file_id": None,
                "media_group_id": None,
                "source_chat_id": 5_000_000 + ticket_id if inbound else -1001000000001,
                # Message ids are per chat: the forum's run across its tickets.
                "source_message_id": index + 1 if inbound else message_id,
                "edit_of": None,
                "relayed_id": index + 1,
                "created_at": at,
                "relayed_at": at,
                "attempts": 0 if inbound else 1,
                "failed": None,
            }


def _fill(path: Path, tickets: int, messages: int, open_tickets: int, seed: int) -> int:
    """Insert everything in one transaction; returns the file's size."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    now = datetime.now(UTC)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("BEGIN")
        sample_ticket = next(_tickets(1, 1, now, rng))
        ticket_columns = _insert_sql(conn, "tickets", sample_ticket)
        conn.executemany(
            _insert(ticket_columns, "tickets"),
            (
                [row[c] for c in ticket_columns]
                for row in _tickets(tickets, open_tickets, now, rng)
            ),
        )
        if messages:
            sample_message = next(_messages(1, 1, now, rng))
            message_columns = _insert_sql(conn, "ticket_messages", sample_message)
            conn.executemany(
                _insert(message_columns, "ticket_messages"),
                (
                    [row[c] for c in message_columns]
                    for row in _messages(tickets, messages, now, rng)
                ),
            )
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return path.stat().st_size


def _insert(columns: list[str], table: str) -> str:
    marks = ", ".join("?" for _ in columns)
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608 - our own names


async def build(
    path: Path, tickets: int, messages: int, open_tickets: int, seed: int = 7
) -> dict[str, Any]:
    """Create a fresh database at ``path``; returns what was written and how long it took."""
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    started = time.perf_counter()
    db = await Database.open(path)  # the project's migrations, exactly as the bot applies them
    await db.close()
    open_tickets = min(open_tickets, tickets)
    size = await asyncio.to_thread(_fill, path, tickets, messages, open_tickets, seed)
    return {
        "tickets": tickets,
        "open_tickets": open_tickets,
        "messages": messages,
        "seconds": round(time.perf_counter() - started, 2),
        "bytes": size,
    }
