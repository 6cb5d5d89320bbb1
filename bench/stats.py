"""How long the team's numbers take over a year of tickets: /stats and the stats page.

    .venv/bin/python bench/stats.py                    # 100,000 tickets, SQLite and PostgreSQL
    .venv/bin/python bench/stats.py --tickets 20000 --no-postgres

A fresh SQLite file (and, when the server answers, a scratch PostgreSQL database that is
dropped afterwards) gets ``--tickets`` tickets spread over the year up to now, across
``--forums`` forums and ``--agents`` agents, most closed and many rated; then each
period's report (/stats) and charts (the page) are timed. The exit status is 1 when a
report takes a second or more. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import secrets
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.domain.clock import Clock  # noqa: E402 - after the path is set
from bot.services.stats import Period, StatsService  # noqa: E402
from bot.services.stats_charts import charts  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.stats import StatsRepo  # noqa: E402

LIMIT = 1.0  # seconds, for one report
_COLUMNS = (
    "customer_id",
    "customer_name",
    "locale",
    "status",
    "subject",
    "context",
    "created_at",
    "first_response_at",
    "closed_at",
    "assignee_id",
    "assignee_name",
    "rating",
    "forum_id",
    "topic_id",
)
_INSERT = (
    f"INSERT INTO tickets ({', '.join(_COLUMNS)}) "  # noqa: S608 - constant columns
    f"VALUES ({', '.join(':' + c for c in _COLUMNS)})"
)
_OPEN = ("new", "taken", "waiting")
_RATINGS = (5, 5, 5, 4, 4, 3, 2, 1)


def tickets(count: int, forums: int, agents: int, now: datetime) -> Iterator[dict[str, Any]]:
    """A year of tickets: a steady flow, answered in minutes and closed in hours (log-
    normal, a long tail), the last ones still open, three in five closed ones rated."""
    rng = random.Random(7)  # noqa: S311 - made-up data, the same each run
    year = timedelta(days=365).total_seconds()
    for n in range(count):
        created = now - timedelta(seconds=year * (1 - n / count) + rng.random())
        forum = n % forums
        agent = forum * (agents // forums) + rng.randrange(max(agents // forums, 1)) + 1
        answered = created + timedelta(minutes=rng.lognormvariate(1.6, 1.0))
        closed = answered + timedelta(hours=rng.lognormvariate(0.5, 1.2))
        still_open = closed > now or rng.random() < 0.002  # noqa: PLR2004
        status = rng.choice(_OPEN) if still_open else "closed"
        taken = status != "new"
        yield {
            "customer_id": 10_000 + n % 30_000,
            "customer_name": f"Customer {n % 30_000}",
            "locale": "ru" if n % 3 else "en",
            "status": status,
            "subject": "Where is my order?",
            "context": "{}",
            "created_at": created.isoformat(),
            "first_response_at": answered.isoformat() if taken and answered < now else None,
            "closed_at": None if still_open else closed.isoformat(),
            "assignee_id": agent if taken else None,
            "assignee_name": f"Agent {agent}" if taken else None,
            "rating": rng.choice(_RATINGS) if not still_open and n % 5 < 3 else None,  # noqa: PLR2004
            "forum_id": -1001000000001 - forum,
            "topic_id": n + 1,
        }


async def fill_sqlite(path: Path, rows: list[dict[str, Any]]) -> None:
    db = await Database.open(path)  # the schema, migrated as the bot would
    await db.close()
    conn = sqlite3.connect(path)
    with conn:
        conn.executemany(_INSERT, rows)
    conn.execute("ANALYZE")
    conn.close()


async def fill_postgres(url: str, rows: list[dict[str, Any]]) -> None:
    import asyncpg  # noqa: PLC0415 - only when PostgreSQL is measured

    db = await Database.open(url)
    await db.close()
    conn = await asyncpg.connect(url)
    try:
        records = [tuple(row[c] for c in _COLUMNS) for row in rows]
        await conn.copy_records_to_table("tickets", records=records, columns=list(_COLUMNS))
        await conn.execute("ANALYZE tickets")
    finally:
        await conn.close()


async def measure(where: Path | str, repeat: int) -> dict[str, tuple[float, float]]:
    """Per period: the median seconds of the /stats report and of the page's charts."""
    db = await Database.open(where)
    stats = StatsService(StatsRepo(db), Clock(), "Europe/Moscow")
    figures = {}
    try:
        for period in Period:
            reports, drawn = [], []
            for _ in range(repeat):
                started = time.perf_counter()
                await stats.report(period)
                reports.append(time.perf_counter() - started)
                started = time.perf_counter()
                await charts(stats, period)
                drawn.append(time.perf_counter() - started)
            figures[period.value] = (statistics.median(reports), statistics.median(drawn))
    finally:
        await db.close()
    return figures


def show(name: str, figures: dict[str, tuple[float, float]]) -> bool:
    print(f"{name}: /stats report and page charts, median seconds")  # noqa: T201
    for period, (report, drawn) in figures.items():
        print(f"  {period:6} report {report * 1000:8.1f} ms   charts {drawn * 1000:8.1f} ms")  # noqa: T201
    return all(max(report, drawn) < LIMIT for report, drawn in figures.values())


async def on_postgres(server: str, rows: list[dict[str, Any]], repeat: int) -> bool | None:
    """None when no server answers: the run is on SQLite alone."""
    try:
        import asyncpg  # noqa: PLC0415
    except ImportError:
        return None
    try:
        admin = await asyncpg.connect(f"{server}/test", timeout=5)
    except (OSError, asyncpg.PostgresError) as error:
        print(f"PostgreSQL at {server}: not reachable ({type(error).__name__})")  # noqa: T201
        return None
    name = f"bench_stats_{secrets.token_hex(4)}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        started = time.perf_counter()
        await fill_postgres(f"{server}/{name}", rows)
        print(f"PostgreSQL filled in {time.perf_counter() - started:.1f} s")  # noqa: T201
        return show("PostgreSQL", await measure(f"{server}/{name}", repeat))
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def main(args: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    rows = list(tickets(args.tickets, args.forums, args.agents, now))
    print(f"{len(rows):,} tickets over a year, {args.forums} forums, {args.agents} agents")  # noqa: T201
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "stats.sqlite3"
        started = time.perf_counter()
        await fill_sqlite(path, rows)
        print(f"SQLite filled in {time.perf_counter() - started:.1f} s")  # noqa: T201
        fast = show("SQLite", await measure(path, args.repeat))
    if not args.no_postgres:
        fast = await on_postgres(args.postgres, rows, args.repeat) is not False and fast
    print("under a second: yes" if fast else "under a second: NO")  # noqa: T201
    return 0 if fast else 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--forums", type=int, default=4)
    parser.add_argument("--agents", type=int, default=24)
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (median)")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    return parser


if __name__ == "__main__":
    sys.exit(asyncio.run(main(_parser().parse_args())))
