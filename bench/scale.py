"""`--scale`: where the CPU goes when the bot runs as webhook workers on PostgreSQL and
Redis, and how long the write transactions serialise each other.

Everything is measured from outside the bot, during the load only:

* the bot's CPU: the supervisor and each of its workers, from ``/proc/<pid>/stat``
  (a worker started again mid-run counts whole);
* PostgreSQL's: the backends connected to the run's own database, found in
  ``pg_stat_activity`` every few samples and read from ``/proc`` (the server must run on
  this machine); the server's background processes (WAL writer, checkpointer...) apart,
  as they serve every database;
* Redis's: ``used_cpu_sys + used_cpu_user`` of ``INFO cpu`` before and after (the whole
  server's);
* the write locks: ``pg_locks`` sampled every 10 ms for the advisory locks the write
  transactions take (``storage.postgres``): every write transaction holds
  ``WRITE_LOCK``, shared by those of a chat and alone by the background work. The mean
  number holding it is how many run side by side; the share of samples that find it
  held alone, times the wall time, is the time the workers were serialised; backends
  waiting for any advisory lock are the contention.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.harness import cpu_seconds
from storage.postgres import WRITE_LOCK

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"
DEFAULT_WORKERS = (1, 2, 4)
SYNCHRONOUS_COMMIT = ("on", "off", "local", "remote_write", "remote_apply")
LOCK_SAMPLE_SECONDS = 0.01
PROCS_EVERY = 20  # lock samples between two looks for new processes (0.2 s)
CONNECT_TIMEOUT = 5.0
_LISTEN = "0A"  # TCP_LISTEN in /proc/net/tcp

_LOCK_SQL = """
SELECT l.granted, l.classid = 0 AND l.objid = $2, l.mode = 'ExclusiveLock'
FROM pg_locks l
WHERE l.locktype = 'advisory' AND l.database = $1 AND l.objsubid = 1
"""
_COUNTERS_SQL = """
SELECT xact_commit + xact_rollback, tup_inserted + tup_updated + tup_deleted
FROM pg_stat_database WHERE datid = $1
"""
_WAL_SQL = "SELECT wal_sync FROM pg_stat_wal"  # PostgreSQL 14 and later


# --- the services ----------------------------------------------------------------------


@dataclass
class Servers:
    postgres: str  # postgresql://user@host:port, no database
    redis: str


async def unreachable(servers: Servers) -> str | None:
    """Why the webhook runs cannot go ahead, in one line; None if they can."""
    try:
        import asyncpg  # noqa: PLC0415 - optional extras, as in the bot
        import redis.asyncio as redis_asyncio  # noqa: PLC0415
    except ImportError as error:
        return f"needs asyncpg and redis ({error.name} missing): pip install -e '.[dev]'"
    try:
        conn = await asyncpg.connect(f"{servers.postgres}/postgres", timeout=CONNECT_TIMEOUT)
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        return f"no PostgreSQL at {servers.postgres} ({type(error).__name__})"
    await conn.close()
    client = redis_asyncio.Redis.from_url(servers.redis, socket_connect_timeout=CONNECT_TIMEOUT)
    try:
        await client.ping()
    except Exception as error:  # any failure means: skip, and say why
        return f"no Redis at {servers.redis} ({type(error).__name__})"
    finally:
        await client.aclose()
    return None


@contextlib.asynccontextmanager
async def fresh_database(server: str, synchronous_commit: str | None) -> AsyncIterator[str]:
    """A new, empty database for one configuration, dropped afterwards; with
    ``synchronous_commit``, every session of it runs with that setting."""
    import asyncpg  # noqa: PLC0415

    admin = await asyncpg.connect(f"{server}/postgres", timeout=CONNECT_TIMEOUT)
    name = f"bench_{secrets.token_hex(6)}"
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        if synchronous_commit is not None:  # one of SYNCHRONOUS_COMMIT: no quoting needed
            await admin.execute(
                f'ALTER DATABASE "{name}" SET synchronous_commit = {synchronous_commit}'
            )
        yield f"{server}/{name}"
    finally:
        with contextlib.suppress(Exception):
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def new_bot_id() -> int:
    """A bot id of its own: every Redis key the bot writes names it."""
    return 10**9 + secrets.randbelow(10**9)


async def forget_redis_keys(url: str, bot_id: int) -> int:
    import redis.asyncio as redis_asyncio  # noqa: PLC0415

    client = redis_asyncio.Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT)
    try:
        keys = [key async for key in client.scan_iter(match=f"*{bot_id}*", count=1000)]
        if keys:
            await client.delete(*keys)
        return len(keys)
    finally:
        await client.aclose()


# --- processes ----------------------------------------------------------------------------


def children(pid: int) -> list[int]:
    """A process's children, whichever of its threads started them."""
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                found.extend(int(c) for c in (task / "children").read_text().split())
    return found


def listening(port: int) -> int:
    """Sockets listening on this TCP port (one per worker, with SO_REUSEPORT)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                local, state = fields[1], fields[3]
                if state == _LISTEN and int(local.rsplit(":", 1)[1], 16) == port:
                    count += 1
    return count


def is_worker(pid: int) -> bool:
    """Whether the process is a webhook worker of the bot (by its command line)."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"webhook" in argv and b"--serve" in argv


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class ProcSet:
    """CPU seconds of a changing set of processes over a window: each from its reading
    at the start (or from zero, if it appeared later) to its last reading."""

    first: dict[int, float] = field(default_factory=dict)
    last: dict[int, float] = field(default_factory=dict)

    def start(self, pids: list[int]) -> None:
        for pid in pids:
            if (cpu := cpu_seconds(pid)) is not None:
                self.first[pid] = self.last[pid] = cpu

    def update(self, pids: list[int]) -> None:
        for pid in {*pids, *self.last}:
            if (cpu := cpu_seconds(pid)) is not None:
                self.first.setdefault(pid, 0.0)
                self.last[pid] = cpu

    @property
    def seconds(self) -> float:
        return sum(self.last[pid] - self.first[pid] for pid in self.last)


# --- the probe ----------------------------------------------------------------------------


@dataclass
class LockSamples:
    samples: int = 0
    open: int = 0  # write transactions holding WRITE_LOCK, summed over samples
    alone: int = 0  # samples that find it held alone: every other writer waits
    waiting: int = 0  # backends waiting for an advisory lock, summed over samples

    def add(self, rows: list[Any]) -> None:
        self.samples += 1
        for granted, write_lock, exclusive in rows:
            if not granted:
                self.waiting += 1
            elif write_lock:
                self.open += 1
                self.alone += exclusive

    def mean(self, count: int) -> float | None:
        return round(count / self.samples, 2) if self.samples else None


class Probe:
    """Samples, around one load run, the bot's, PostgreSQL's and Redis's CPU and the
    write lock. ``start`` just before the first update, ``stop`` after the last."""

    def __init__(self, database_url: str, redis_url: str, supervisor_pid: int) -> None:
        self._url, self._redis_url, self._supervisor = database_url, redis_url, supervisor_pid
        self.bot, self.backends, self.background = ProcSet(), ProcSet(), ProcSet()
        self.sampler = ProcSet()  # this probe's own backend: its cost, shown apart
        self.lock = LockSamples()
        self._conn: Any = None
        self._redis: Any = None
        self._oid = 0
        self._task: asyncio.Task[None] | None = None
        self._before: dict[str, float] = {}
        self._after_redis: dict[str, float] = {}
        self._workers: set[int] = set()
        self._started = self._wall = 0.0
        self.restarts = 0

    async def open(self) -> None:
        import asyncpg  # noqa: PLC0415
        import redis.asyncio as redis_asyncio  # noqa: PLC0415

        server, name = self._url.rsplit("/", 1)
        self._conn = await asyncpg.connect(f"{server}/postgres", timeout=CONNECT_TIMEOUT)
        self._oid = await self._conn.fetchval("SELECT oid FROM pg_database WHERE datname=$1", name)
        self._redis = redis_asyncio.Redis.from_url(self._redis_url)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._conn is not None:
            await self._conn.close()
        if self._redis is not None:
            await self._redis.aclose()

    def bot_pids(self) -> list[int]:
        return [self._supervisor, *children(self._supervisor)]

    async def _pg_pids(self) -> tuple[list[int], list[int]]:
        rows = await self._conn.fetch(
            "SELECT pid, datid FROM pg_stat_activity WHERE datid = $1 OR datid IS NULL",
            self._oid,
        )
        ours = [r["pid"] for r in rows if r["datid"] == self._oid]
        return ours, [r["pid"] for r in rows if r["datid"] is None]

    async def start(self) -> None:
        self._workers = set(children(self._supervisor))
        self.bot.start(self.bot_pids())
        ours, background = await self._pg_pids()
        self.backends.start(ours)
        self.background.start(background)
        self.sampler.start([await self._conn.fetchval("SELECT pg_backend_pid()")])
        self._before = {**await self._redis_figures(), **await self._counters()}
        self._started = time.perf_counter()
        self._task = asyncio.create_task(self._sample())

    async def _sample(self) -> None:
        n = 0
        while True:
            self.lock.add(await self._conn.fetch(_LOCK_SQL, self._oid, WRITE_LOCK))
            n += 1
            if n % PROCS_EVERY == 0:
                await self._look()
            await asyncio.sleep(LOCK_SAMPLE_SECONDS)

    async def _look(self) -> None:
        pids = self.bot_pids()
        self.bot.update(pids)
        self._workers.update(pids[1:])
        ours, background = await self._pg_pids()
        self.backends.update(ours)
        self.background.update(background)
        self.sampler.update([])

    async def stop(self) -> None:
        """The end of the window: the last readings."""
        wall = time.perf_counter() - self._started
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._look()
        self._wall = wall
        self._after_redis = await self._redis_figures()
        self.restarts = max(0, len(self._workers) - len(children(self._supervisor)))

    async def counters_after(self) -> dict[str, float]:
        """pg_stat_database's counts, read once the bot has stopped (its backends
        report them at exit; a live one reports them up to a second late)."""
        return await self._counters()

    async def _redis_figures(self) -> dict[str, float]:
        cpu = await self._redis.info("cpu")
        stats = await self._redis.info("stats")
        return {
            "redis_cpu": float(cpu["used_cpu_sys"]) + float(cpu["used_cpu_user"]),
            "redis_commands": float(stats["total_commands_processed"]),
        }

    async def _counters(self) -> dict[str, float]:
        row = await self._conn.fetchrow(_COUNTERS_SQL, self._oid)
        counters = {"pg_xacts": float(row[0] or 0), "pg_rows": float(row[1] or 0)}
        with contextlib.suppress(Exception):  # an older server: the figure is left out
            counters["pg_wal_syncs"] = float(await self._conn.fetchval(_WAL_SQL))
        return counters

    def figures(self, answered: int, counters: dict[str, float]) -> dict[str, Any]:
        per = 1000 / max(answered, 1)  # ms per update from seconds
        before, after = self._before, self._after_redis
        lock, wall = self.lock, self._wall
        share = lock.alone / lock.samples if lock.samples else None
        alone_ms = None if share is None else round(share * wall * per, 3)
        return {
            "bot_cpu_ms_per_update": round(self.bot.seconds * per, 3),
            "postgres_cpu_ms_per_update": round(self.backends.seconds * per, 3),
            "postgres_background_cpu_ms_per_update": round(self.background.seconds * per, 3),
            "redis_cpu_ms_per_update": round((after["redis_cpu"] - before["redis_cpu"]) * per, 3),
            "redis_commands_per_update": round(
                (after["redis_commands"] - before["redis_commands"]) / max(answered, 1), 2
            ),
            "postgres_transactions_per_update": round(
                (counters["pg_xacts"] - before["pg_xacts"]) / max(answered, 1), 2
            ),
            "postgres_rows_written_per_update": round(
                (counters["pg_rows"] - before["pg_rows"]) / max(answered, 1), 2
            ),
            "wal_flushes_per_update": (
                round((counters["pg_wal_syncs"] - before["pg_wal_syncs"]) / max(answered, 1), 2)
                if "pg_wal_syncs" in before and "pg_wal_syncs" in counters
                else None
            ),
            "probe_postgres_cpu_ms_per_update": round(self.sampler.seconds * per, 3),
            "bot_processes": len(self.bot.last),
            "postgres_backends": len(self.backends.last),
            "workers_restarted": self.restarts,
            "write_lock": {
                "samples": lock.samples,
                "mean_open": lock.mean(lock.open),
                "alone_share": None if share is None else round(share, 3),
                "alone_ms_per_update": alone_ms,
                "mean_waiting": lock.mean(lock.waiting),
                "ceiling_replies_per_s": round(1000 / alone_ms, 1) if alone_ms else None,
            },
        }


# --- the report ---------------------------------------------------------------------------

PREDICT_CORES = (8, 32)
_ROWS: list[tuple[str, tuple[str, ...]]] = [
    ("updates answered", ("updates",)),
    ("failed customers", ("failed_customers",)),
    ("replies/s", ("replies_per_s",)),
    ("latency p50, ms", ("latency", "p50_ms")),
    ("latency p95, ms", ("latency", "p95_ms")),
    ("latency p99, ms", ("latency", "p99_ms")),
    ("CPU per update, ms: bot", ("bot_cpu_ms_per_update",)),
    ("  PostgreSQL (its backends)", ("postgres_cpu_ms_per_update",)),
    ("  PostgreSQL background", ("postgres_background_cpu_ms_per_update",)),
    ("  Redis", ("redis_cpu_ms_per_update",)),
    ("  sum of the three", ("cpu_ms_per_update_total",)),
    ("  harness (emulator, customers)", ("harness_cpu_ms_per_update",)),
    ("bot CPU, % of one core", ("bot_cpu_percent",)),
    ("Bot API calls per update", ("api_calls_per_update",)),
    ("PostgreSQL transactions per update", ("postgres_transactions_per_update",)),
    ("PostgreSQL rows written per update", ("postgres_rows_written_per_update",)),
    ("WAL flushes per update (server-wide)", ("wal_flushes_per_update",)),
    ("Redis commands per update", ("redis_commands_per_update",)),
    ("write transactions at once, mean", ("write_lock", "mean_open")),
    ("all writes serialised, time share", ("write_lock", "alone_share")),
    ("  per update, ms", ("write_lock", "alone_ms_per_update")),
    ("waiting for a write lock, mean", ("write_lock", "mean_waiting")),
    ("peak RSS per process, MB", ("peak_rss_mb",)),
    *((f"predicted replies/s, {k} cores", ("predicted", str(k))) for k in PREDICT_CORES),
    ("serialised-writes ceiling, replies/s", ("write_lock", "ceiling_replies_per_s")),
]


def complete(polling: dict[str, Any] | None, webhook: dict[str, dict[str, Any]]) -> None:
    """Adds each configuration's CPU sum and what it predicts for a bigger machine."""
    for figures in (polling, *webhook.values()):
        if not figures:
            continue
        parts = (
            "bot_cpu_ms_per_update",
            "postgres_cpu_ms_per_update",
            "postgres_background_cpu_ms_per_update",
            "redis_cpu_ms_per_update",
        )
        total = sum(figures.get(part) or 0.0 for part in parts)
        figures["cpu_ms_per_update_total"] = round(total, 3)
        ceiling = (figures.get("write_lock") or {}).get("ceiling_replies_per_s")
        predicted: dict[str, float | None] = {}
        for cores in PREDICT_CORES:
            # One polling process is one event loop: one core, whatever the machine.
            usable = cores if "write_lock" in figures else 1
            bound = 1000 * usable / total if total else None
            if bound is not None and ceiling:
                bound = min(bound, ceiling)
            predicted[str(cores)] = None if bound is None else round(bound, 1)
        figures["predicted"] = predicted


def table(polling: dict[str, Any] | None, webhook: dict[str, dict[str, Any]]) -> list[str]:
    columns = [("SQLite polling", polling)] + [
        (f"webhook x{n}", figures) for n, figures in webhook.items()
    ]

    def cell(figures: dict[str, Any] | None, path: tuple[str, ...]) -> str:
        value: Any = figures
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if value is None:
            return "—"
        if isinstance(value, float):
            return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"  # noqa: PLR2004
        return str(value)

    out = [f"  {'':36}" + "".join(f"{name:>16}" for name, _ in columns)]
    out.extend(
        f"  {label:<36}" + "".join(f"{cell(f, path):>16}" for _, f in columns)
        for label, path in _ROWS
    )
    for name, figures in columns:
        for error in (figures or {}).get("errors", [])[:3]:
            out.append(f"  ! {name}: {error}")
        if figures and figures.get("workers_restarted"):
            out.append(f"  ! {name}: {figures['workers_restarted']} worker(s) started again")
        if figures and len(figures.get("runs_replies_per_s", [])) > 1:
            runs = ", ".join(f"{v:g}" for v in figures["runs_replies_per_s"])
            out.append(f"  {name} replies/s in each run: {runs} (median run shown)")
    return out
