"""Plumbing of the benchmark: child processes, reply tracking, statistics, peers.

Everything here is bounded: every wait takes a timeout, and every child process is
stopped by :meth:`Processes.stop_all`, which ``run.py`` calls in a ``finally``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sqlite3
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emulator import BotApiEmulator

STOP_GRACE_SECONDS = 20.0
_TAG = re.compile(r"\[c(\d+)\]")
# Starts each line a simulated customer writes into their ticket.
FORUM_LINE = "Дополнение"


# --- statistics ----------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile (``share`` in 0..1); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summary_ms(values: list[float]) -> dict[str, float | int | None]:
    """Count and p50/p95/p99/max of latencies given in seconds, in milliseconds."""

    def ms(value: float | None) -> float | None:
        return None if value is None else round(value * 1000, 1)

    return {
        "count": len(values),
        "p50_ms": ms(percentile(values, 0.50)),
        "p95_ms": ms(percentile(values, 0.95)),
        "p99_ms": ms(percentile(values, 0.99)),
        "max_ms": ms(max(values) if values else None),
    }


@dataclass
class Stats:
    """Latencies of one load run, by exchange kind, plus what went wrong."""

    latencies: list[float] = field(default_factory=list)
    by_step: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    first_push: float | None = None
    last_reply: float | None = None
    # When the last of the load's work left the bot, if after the last reply: a relay
    # still queued for the forum is work not done yet.
    drained: float | None = None

    def pushed(self, at: float) -> None:
        if self.first_push is None or at < self.first_push:
            self.first_push = at

    def record(self, step: str, latency: float, done_at: float) -> None:
        self.latencies.append(latency)
        self.by_step[step].append(latency)
        if self.last_reply is None or done_at > self.last_reply:
            self.last_reply = done_at

    def failed(self, what: str) -> None:
        self.error_count += 1
        if len(self.errors) < 20:  # noqa: PLR2004 - keep the report short
            self.errors.append(what)

    @property
    def wall_seconds(self) -> float:
        if self.first_push is None or self.last_reply is None:
            return 0.0
        return max(self.last_reply, self.drained or 0.0) - self.first_push

    @property
    def replies_per_second(self) -> float:
        wall = self.wall_seconds
        return len(self.latencies) / wall if wall > 0 else 0.0


# --- what the bot did, per chat ------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    at: float  # time.perf_counter() when the emulator received it
    kind: str  # bot_message or reaction
    event: dict[str, Any]

    @property
    def message(self) -> dict[str, Any]:
        return dict(self.event.get("message") or {})


class ReplyTracker:
    """Journals every bot message and reaction per chat the moment the emulator gets it.

    Subscribed to emulator events, so timestamps are taken synchronously inside the
    emulator's request handler: that is when the reply "appears in the chat".
    """

    def __init__(self, emu: BotApiEmulator, forum_id: int | None = None) -> None:
        self._items: dict[int, list[Reply]] = defaultdict(list)
        self._signals: dict[int, asyncio.Event] = {}
        self._forum_id = forum_id
        self.topics: dict[int, int] = {}  # customer id -> ticket topic, from tagged texts
        self._topic_signal = asyncio.Event()
        self.forum_lines = 0  # customers' ticket lines relayed into the forum
        self.last_forum_line: float | None = None
        self._forum_signal = asyncio.Event()
        self._unsubscribe = emu.subscribe(self._on_event)

    def close(self) -> None:
        self._unsubscribe()

    def _on_event(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        if kind not in ("bot_message", "reaction"):
            return
        chat_id = int(event["chat_id"])
        self._items[chat_id].append(Reply(time.perf_counter(), kind, event))
        if (signal_ := self._signals.get(chat_id)) is not None:
            signal_.set()
        if chat_id == self._forum_id and kind == "bot_message" and event.get("thread_id"):
            message = event.get("message") or {}
            text = str(message.get("text") or "")
            if (match := _TAG.search(text)) is not None:
                self.topics.setdefault(int(match.group(1)), int(event["thread_id"]))
                self._topic_signal.set()
            # Relayed lines, merged or not, and those that went with a new ticket's card (a
            # card quotes only lines relayed before its topic was deleted: never here).
            if lines := text.count(FORUM_LINE):
                self.forum_lines += lines
                self.last_forum_line = self._items[chat_id][-1].at
                self._forum_signal.set()

    def mark(self, chat_id: int) -> int:
        """A cursor: replies after it belong to the next exchange."""
        return len(self._items[chat_id])

    def count(self, chat_id: int) -> int:
        return len(self._items[chat_id])

    def total(self, chat_ids: list[int]) -> int:
        return sum(len(self._items[c]) for c in chat_ids)

    async def wait(self, chat_id: int, start: int, count: int, timeout: float) -> list[Reply]:  # noqa: ASYNC109
        """The first ``count`` replies in the chat after cursor ``start``."""
        items = self._items[chat_id]
        signal_ = self._signals.setdefault(chat_id, asyncio.Event())
        async with asyncio.timeout(timeout):
            while len(items) - start < count:
                signal_.clear()
                await signal_.wait()
        return items[start : start + count]

    async def wait_forum_lines(self, count: int, timeout: float) -> None:  # noqa: ASYNC109
        async with asyncio.timeout(timeout):
            while self.forum_lines < count:
                self._forum_signal.clear()
                await self._forum_signal.wait()

    async def wait_topic(self, customer_id: int, timeout: float) -> int:  # noqa: ASYNC109
        async with asyncio.timeout(timeout):
            while customer_id not in self.topics:
                self._topic_signal.clear()
                await self._topic_signal.wait()
        return self.topics[customer_id]


def tag(customer_id: int) -> str:
    """A marker put in a ticket's description, so its topic can be found."""
    return f"[c{customer_id}]"


# --- codes from the SMS endpoint -----------------------------------------------------


class CodeBox:
    """Routes SMS gateway requests to the customer whose phone they are for."""

    def __init__(self) -> None:
        self._codes: dict[str, list[str]] = defaultdict(list)
        self._signal = asyncio.Event()
        self.received = 0

    def on_sms(self, body: dict[str, Any]) -> None:
        self.received += 1
        if body.get("code"):
            self._codes[str(body.get("phone"))].append(str(body["code"]))
            self._signal.set()

    async def code_for(self, phone: str, timeout: float) -> str:  # noqa: ASYNC109
        codes = self._codes[phone]
        async with asyncio.timeout(timeout):
            while not codes:
                self._signal.clear()
                await self._signal.wait()
        return codes.pop(0)


# --- child processes -----------------------------------------------------------------


def read_status_kb(pid: int, field_name: str) -> int | None:
    """A ``kB`` field of /proc/<pid>/status (VmHWM: peak RSS, VmRSS: current); Linux only."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        if line.startswith(f"{field_name}:"):
            return int(line.split()[1])
    return None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far, from /proc/<pid>/stat."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return ticks / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    usage = os.times()
    return usage.user + usage.system


def file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def sqlite_size(path: Path) -> dict[str, int]:
    """Bytes of an SQLite database with its WAL (and shared-memory index)."""
    main, wal = file_size(path), file_size(Path(f"{path}-wal"))
    return {"db": main, "wal": wal, "total": main + wal}


def sqlite_pages_bytes(path: Path) -> int | None:
    """The database's logical size (page_count x page_size, WAL content included), read
    through a read-only connection: what the file will weigh once checkpointed."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error:
        return None
    try:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        return int(pages) * int(size)
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def log_tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class ChildFailed(RuntimeError):
    pass


@dataclass
class Child:
    name: str
    process: asyncio.subprocess.Process
    log_path: Path
    started_at: float  # perf_counter just before the process was spawned

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.returncode is None

    def peak_rss_mb(self) -> float | None:
        kb = read_status_kb(self.pid, "VmHWM") if self.alive() else None
        return None if kb is None else round(kb / 1024, 1)

    def rss_mb(self) -> float | None:
        kb = read_status_kb(self.pid, "VmRSS") if self.alive() else None
        return None if kb is None else round(kb / 1024, 1)

    def cpu(self) -> float | None:
        return cpu_seconds(self.pid) if self.alive() else None

    def check(self) -> None:
        if not self.alive():
            raise ChildFailed(
                f"{self.name} exited with code {self.process.returncode}; "
                f"the end of its log ({self.log_path}):\n{log_tail(self.log_path)}"
            )

    async def stop(self) -> int | None:
        """SIGTERM, then SIGKILL after a grace period; returns the exit code."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), STOP_GRACE_SECONDS)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    self.process.kill()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.process.wait(), 5)
        return self.process.returncode


class Processes:
    """Every child the benchmark started, so that all of them are stopped at the end."""

    def __init__(self) -> None:
        self._children: list[Child] = []

    async def spawn(
        self, name: str, argv: list[str], env: dict[str, str], cwd: Path, log_path: Path
    ) -> Child:
        with log_path.open("ab") as log:
            started = time.perf_counter()
            process = await asyncio.create_subprocess_exec(
                *argv,
                env=env,
                cwd=cwd,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
            )
        child = Child(name, process, log_path, started)
        self._children.append(child)
        return child

    async def stop_all(self) -> None:
        for child in self._children:
            with contextlib.suppress(Exception):
                await child.stop()
        self._children.clear()


async def wait_first_poll(emu: BotApiEmulator, child: Child, timeout: float) -> float:  # noqa: ASYNC109
    """Wait for the child's first getUpdates call; returns seconds since its spawn."""
    async with asyncio.timeout(timeout):
        while not any(call.method.lower() == "getupdates" for call in emu.calls):
            child.check()
            await asyncio.sleep(0.01)
    return time.perf_counter() - child.started_at


class LagMonitor:
    """How late the benchmark's own event loop wakes up while it measures.

    The emulator and the simulated customers share that loop: when it lags, every
    latency is inflated by as much, for the support bot and the baseline alike.
    """

    def __init__(self, period: float = 0.01) -> None:
        self.period = period
        self.lags: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(self.period)
            self.lags.append(max(0.0, time.perf_counter() - before - self.period))

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> dict[str, float | int | None]:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        return summary_ms(self.lags)
