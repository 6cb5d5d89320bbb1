"""Benchmark of the support bot against a bare aiogram baseline, in one run.

    .venv/bin/python bench/run.py --quick
    .venv/bin/python bench/run.py --customers 200 --messages 5 --big-db --json out.json

See bench/README.md for what each figure means and the targets.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import shlex
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# First: the harness's own aiogram (the emulator's client side) is built type by type on
# first use, as the bot's is; built whole, its heap slowed the harness the bot waits on.
import bot as _lazy_types  # noqa: E402, F401, I001

from bench import bigdb, scale  # noqa: E402
from bench.burst import UNPACED, run_burst  # noqa: E402
from bench.harness import (  # noqa: E402
    Child,
    CodeBox,
    LagMonitor,
    Processes,
    ReplyTracker,
    own_cpu_seconds,
    read_status_kb,
    sqlite_pages_bytes,
    sqlite_size,
    summary_ms,
    wait_first_poll,
)
from bench.scenario import (  # noqa: E402
    MAX_CUSTOMERS,
    PARTS,
    Customer,
    Load,
    add_users,
    baseline_customer,
    customers,
    drive,
    exchange,
    exchanges_per_customer,
    normalise_mix,
    support_customer,
    write_market,
)
from bot import speedups  # noqa: E402
from bot.settings import Settings  # noqa: E402
from emulator import BotApiEmulator, SimUser  # noqa: E402
from tests.e2e.peers import SmsEndpoint, SmtpInbox  # noqa: E402

BOT_TOKEN = "700001:BENCH-support"  # noqa: S105 - a fake token for the emulator
BASELINE_TOKEN = "700002:BENCH-baseline"  # noqa: S105
SMS_TOKEN = "bench-sms"  # noqa: S105
FORUM = -1001000000001
AGENT = 9001
BIG_DB_CUSTOMER = 300_001
STARTUP_TIMEOUT = 60.0
TARGETS = {
    "ratio_min": 0.60,  # of the baseline's replies/s, at 200 concurrent customers
    "ratio_customers": 200,
    "p99_ms_max": 300.0,  # at 100 customers
    "p99_customers": 100,
    "peak_rss_mb_max": 200.0,
    "startup_big_db_s_max": 3.0,
    "queue_s_max": 1.0,
}
_DEFAULT_MESSAGES_PER_MINUTE = 20


@dataclass
class Peers:
    sms: SmsEndpoint
    smtp: SmtpInbox
    codes: CodeBox


# --- arguments -------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/run.py", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=50, help="concurrent customers (50)")
    parser.add_argument(
        "--messages",
        type=int,
        default=5,
        help="messages each customer writes into the ticket (plain texts without 'support'); 5",
    )
    parser.add_argument(
        "--latency", type=float, default=0.0, help="added to every Bot API call, seconds (0)"
    )
    parser.add_argument(
        "--mix",
        default=",".join(PARTS),
        help=f"scenario parts, comma-separated, from {','.join(PARTS)} (all)",
    )
    parser.add_argument(
        "--big-db",
        type=int,
        nargs="?",
        const=100_000,
        default=None,
        metavar="TICKETS",
        help="also measure start-up and /queue on a database of TICKETS tickets (100000)",
    )
    parser.add_argument(
        "--ticket-messages",
        type=int,
        default=None,
        help="ticket messages in the big database (10 x TICKETS)",
    )
    parser.add_argument(
        "--open-tickets", type=int, default=10_000, help="open tickets in it, for /queue (10000)"
    )
    parser.add_argument("--queue-runs", type=int, default=5, help="times /queue is sent (5)")
    parser.add_argument(
        "--burst",
        type=int,
        nargs="?",
        const=500,
        default=None,
        metavar="CUSTOMERS",
        help="also run the burst: CUSTOMERS write into open tickets at once, under 429s (500)",
    )
    parser.add_argument(
        "--burst-messages", type=int, default=3, help="lines each burst customer writes (3)"
    )
    parser.add_argument(
        "--burst-seconds", type=float, default=60.0, help="the burst is written within (60s)"
    )
    parser.add_argument(
        "--burst-group-limit",
        type=int,
        default=600,
        help="posts per minute the emulator allows the forum, and the bot's pace for it\n"
        "(600; Telegram's is 20: the drain there is forum posts / 20 minutes)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="tiny numbers everywhere; well under a minute"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="load runs per side; the run with the median replies/s is reported (1)",
    )
    parser.add_argument(
        "--speedups",
        default="on",
        type=_speedups,
        help="the support bot's SPEEDUPS: on, off or the ones to keep, e.g. gc,lazy_types (on)",
    )
    parser.add_argument("--no-baseline", action="store_true", help="skip the baseline run")
    parser.add_argument("--no-load", action="store_true", help="skip both load runs")
    parser.add_argument("--timeout", type=float, default=30.0, help="one exchange's limit (30s)")
    parser.add_argument(
        "--max-seconds", type=float, default=900.0, help="one load run's limit (900s)"
    )
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument(
        "--profile",
        type=Path,
        help="run the support bot under cProfile, writing the stats to this file",
    )
    parser.add_argument(
        "--bot-command",
        help="start the support bot with this command instead of '<python> -m bot'\n"
        "(for A/B runs, e.g. another checkout or interpreter flags)",
    )
    _scale_arguments(parser)
    args = parser.parse_args(argv)
    _check_scale(parser, args)
    if args.quick:
        args.customers, args.messages = 5, 2
        args.big_db = 1_000 if args.big_db is None else min(args.big_db, 1_000)
        args.ticket_messages = 10 * args.big_db
        args.queue_runs = 3
        args.burst = 10 if args.burst is None else min(args.burst, 10)
        args.burst_messages, args.burst_seconds = 3, 2.0
        args.max_seconds = min(args.max_seconds, 40.0)
        args.timeout = min(args.timeout, 15.0)
    if args.big_db is not None and args.ticket_messages is None:
        args.ticket_messages = 10 * args.big_db
    if not 1 <= args.customers <= MAX_CUSTOMERS:
        parser.error(f"--customers must be 1..{MAX_CUSTOMERS}")
    if args.messages < 0:
        parser.error("--messages must be 0 or more")
    if args.burst is not None and not (
        1 <= args.burst <= MAX_CUSTOMERS and args.burst_messages > 0
    ):
        parser.error(f"--burst must be 1..{MAX_CUSTOMERS}, --burst-messages 1 or more")
    if not 1 <= args.repeat <= 20:  # noqa: PLR2004
        parser.error("--repeat must be 1..20")
    try:
        args.mix = normalise_mix([p.strip() for p in args.mix.split(",") if p.strip()])
    except ValueError as error:
        parser.error(str(error))
    return args


def _scale_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--scale",
        type=int,
        nargs="*",
        default=None,
        metavar="WORKERS",
        help="after the SQLite polling run, 'python -m bot webhook --workers N' on PostgreSQL\n"
        "and Redis for each N (1 2 4), same customers and mix; replies/s, latency and\n"
        "CPU per update of the bot, PostgreSQL and Redis side by side",
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("TEST_POSTGRES_URL", scale.DEFAULT_POSTGRES),
        help=f"PostgreSQL server for --scale, a database per run ({scale.DEFAULT_POSTGRES})",
    )
    parser.add_argument(
        "--redis",
        default=os.environ.get("TEST_REDIS_URL", scale.DEFAULT_REDIS),
        help=f"Redis for --scale, keys of a bot id per run, deleted after ({scale.DEFAULT_REDIS})",
    )
    parser.add_argument(
        "--synchronous-commit",
        choices=scale.SYNCHRONOUS_COMMIT,
        help="PostgreSQL's synchronous_commit for --scale's databases (the server's own)",
    )


def _check_scale(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if args.scale is None:
        return
    args.scale = args.scale or list(scale.DEFAULT_WORKERS)
    if not all(1 <= n <= 64 for n in args.scale):  # noqa: PLR2004 - the bot's own limit
        parser.error("--scale takes worker counts 1..64")
    if args.no_load:
        parser.error("--scale is a load run: not with --no-load")


def _speedups(value: str) -> str:
    try:
        speedups.parse(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return value


# --- starting bots ---------------------------------------------------------------------


def child_env(values: dict[str, str]) -> dict[str, str]:
    """The environment minus every bot setting the shell may carry, plus ``values``."""
    settings = {name.upper() for name in Settings.model_fields}
    env = {k: v for k, v in os.environ.items() if k.upper() not in settings}
    extra = env.get("PYTHONPATH")
    env["PYTHONPATH"] = f"{ROOT}{os.pathsep}{extra}" if extra else str(ROOT)
    env.update(values)
    return env


def support_env(
    emu: BotApiEmulator, peers: Peers, db: Path, market: Path, kept: str
) -> dict[str, str]:
    return {
        "SPEEDUPS": kept,
        "BOT_TOKEN": emu.token,
        "TELEGRAM_API_URL": emu.base_url,
        "DATABASE_PATH": str(db),
        "SMS_GATEWAY_URL": peers.sms.url,
        "SMS_GATEWAY_TOKEN": SMS_TOKEN,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(peers.smtp.port),
        "SMTP_STARTTLS": "false",
        "SMTP_FROM": "support@example.com",
        "MARKETPLACE_DATA": str(market),
        "SUPPORT_CHAT_ID": str(FORUM),
        "ADMIN_IDS": str(AGENT),
        "SUPPORT_HOURS": "",
        "DEFAULT_LOCALE": "ru",
    }


def bot_argv(profile: Path | None, command: str | None = None) -> list[str]:
    if command:
        return shlex.split(command)
    if profile is not None:
        return [sys.executable, "-m", "cProfile", "-o", str(profile.resolve()), "-m", "bot"]
    return [sys.executable, "-m", "bot"]


async def new_emulator(token: str, latency: float, private_burst: int = 1) -> BotApiEmulator:
    emu = BotApiEmulator(token=token, latency=latency, private_burst=private_burst)
    await emu.start()
    emu.add_user(AGENT, "Olga Agent", language_code="en")
    emu.add_forum(FORUM, "Support desk", members={AGENT: "administrator"})
    return emu


# --- the load runs ---------------------------------------------------------------------


def load_figures(load: Load, child: Child, chats: list[int], cpu: dict[str, float]) -> dict:
    stats = load.stats
    return {
        "updates": len(stats.latencies),
        "failed_customers": stats.error_count,
        "errors": stats.errors,
        "seconds": round(stats.wall_seconds, 2),
        "forum_backlog_s": (
            round(max(stats.drained - stats.last_reply, 0.0), 2)
            if stats.drained is not None and stats.last_reply is not None
            else None
        ),
        "replies_per_s": round(stats.replies_per_second, 1),
        "latency": summary_ms(stats.latencies),
        "latency_by_step": {k: summary_ms(v) for k, v in sorted(stats.by_step.items())},
        "extra_replies": load.tracker.total(chats) - load.expected_replies,
        "peak_rss_mb": child.peak_rss_mb(),
        "rss_end_mb": child.rss_mb(),
        **cpu,
    }


async def measure_load(
    load: Load,
    child: Child,
    runs: list[Any],
    chats: list[int],
    deadline: float,
    probe: scale.Probe | None = None,
) -> dict[str, Any]:
    """One load run; with a ``probe`` (webhook workers), the bot's CPU is its workers'."""
    if probe is not None:
        await probe.start()
    bot_cpu, own_cpu, wall = child.cpu() or 0.0, own_cpu_seconds(), time.perf_counter()
    calls_before = _api_calls(load.emu)
    lag = LagMonitor()
    lag.start()
    try:
        await drive(load, runs, deadline)
        if load.expected_forum_lines:
            await _forum_drained(load, deadline)
    finally:
        lag_ms = await lag.stop()
        if probe is not None:
            await probe.stop()
    wall = max(time.perf_counter() - wall, 1e-9)
    harness_cpu = own_cpu_seconds() - own_cpu
    bot_cpu = probe.bot.seconds if probe is not None else (child.cpu() or 0.0) - bot_cpu
    answered = max(len(load.stats.latencies), 1)
    cpu = {
        "bot_cpu_percent": round(100 * bot_cpu / wall, 1),
        "bot_cpu_ms_per_update": round(1000 * bot_cpu / answered, 2),
        "api_calls_per_update": round((_api_calls(load.emu) - calls_before) / answered, 2),
        "harness_cpu_percent": round(100 * harness_cpu / wall, 1),
        "harness_cpu_ms_per_update": round(1000 * harness_cpu / answered, 2),
        "harness_loop_lag": lag_ms,
    }
    await asyncio.sleep(0.5)  # late replies would show up as extra_replies
    return load_figures(load, child, chats, cpu)


async def _forum_drained(load: Load, deadline: float) -> None:
    """Wait for the relay's backlog: the customers' lines it has yet to post."""
    try:
        await load.tracker.wait_forum_lines(load.expected_forum_lines, deadline)
    except TimeoutError:
        load.stats.failed(
            f"{load.expected_forum_lines - load.tracker.forum_lines} ticket lines never "
            f"reached the forum within {deadline:g}s"
        )
    load.stats.drained = load.tracker.last_forum_line


def _api_calls(emu: BotApiEmulator) -> int:
    """Bot API calls the bot made so far, its long polls aside."""
    return sum(1 for call in emu.calls if call.method != "getUpdates")


def load_env(
    args: argparse.Namespace, emu: BotApiEmulator, peers: Peers, db: Path, market: Path
) -> dict[str, str]:
    # The load run measures the bot's own speed, like for like with the baseline,
    # which does not pace either; delivery under Telegram's limits is the burst's part.
    env = {**support_env(emu, peers, db, market, args.speedups), **UNPACED}
    if args.messages + 1 >= _DEFAULT_MESSAGES_PER_MINUTE:
        # Keep the scenario what it is: no "slow down" replies inside one ticket.
        env["CUSTOMER_MESSAGES_PER_MINUTE"] = str(args.messages + 10)
    return env


def support_load(
    args: argparse.Namespace,
    emu: BotApiEmulator,
    tracker: ReplyTracker,
    peers: Peers,
    people: list[Customer],
    users: list[SimUser],
) -> tuple[Load, list[Any], list[int]]:
    """The customers' runs, once the bot is up: the load, its runs and their chats."""
    load = Load(emu, tracker, args.timeout, peers.codes, FORUM, emu.user(AGENT))
    if "support" in args.mix:
        load.expected_forum_lines = args.customers * args.messages
    runs = [
        support_customer(load, user, person, args.mix, args.messages)
        for user, person in zip(users, people, strict=True)
    ]
    return load, runs, [u.id for u in users]


async def run_support(
    args: argparse.Namespace, work: Path, procs: Processes, peers: Peers, run: int = 1
) -> dict[str, Any]:
    people = customers(args.customers)
    market, db = work / "market.json", work / f"support-{run}.sqlite3"
    write_market(market, people)
    emu = await new_emulator(BOT_TOKEN, args.latency)
    tracker = ReplyTracker(emu, forum_id=FORUM)
    try:
        users = add_users(emu, people)
        child = await procs.spawn(
            "support bot",
            bot_argv(args.profile, args.bot_command),
            child_env(load_env(args, emu, peers, db, market)),
            work,
            work / f"support-{run}.log",
        )
        first_poll = await wait_first_poll(emu, child, STARTUP_TIMEOUT)
        ready_rss = child.rss_mb()
        sms_before = peers.codes.received
        before = sqlite_size(db)
        before["logical"] = await asyncio.to_thread(sqlite_pages_bytes, db)
        load, runs, chats = support_load(args, emu, tracker, peers, people, users)
        figures = await measure_load(load, child, runs, chats, args.max_seconds)
        during = sqlite_size(db)
        during["logical"] = await asyncio.to_thread(sqlite_pages_bytes, db)
        figures["exit_code"] = await child.stop()
        after = sqlite_size(db)
        figures["startup_to_first_poll_s"] = round(first_poll, 2)
        figures["rss_at_first_poll_mb"] = ready_rss
        figures["db_bytes"] = {"before_load": before, "after_load": during, "after_stop": after}
        figures["sms_sent"] = peers.codes.received - sms_before
        return figures
    finally:
        tracker.close()
        await procs.stop_all()
        await emu.stop()


# --- webhook workers on PostgreSQL and Redis (--scale) ----------------------------------

WEBHOOK_URL = "https://bench.example.com/telegram/hook"


async def run_webhook(
    args: argparse.Namespace, work: Path, procs: Processes, peers: Peers, workers: int, run: int
) -> dict[str, Any]:
    """The load run's customers against `python -m bot webhook --workers N`, on a fresh
    PostgreSQL database and Redis keys of a bot id of its own (both gone afterwards)."""
    people = customers(args.customers)
    market = work / "market.json"
    write_market(market, people)
    bot_id, port = scale.new_bot_id(), scale.free_port()
    emu = await new_emulator(f"{bot_id}:BENCH-scale", args.latency)
    emu.webhooks.proxy = f"http://127.0.0.1:{port}"  # the TLS proxy's stand-in
    tracker = ReplyTracker(emu, forum_id=FORUM)
    try:
        async with scale.fresh_database(args.postgres, args.synchronous_commit) as url:
            users = add_users(emu, people)
            env = load_env(args, emu, peers, work / "unused.sqlite3", market)
            del env["DATABASE_PATH"]
            env |= {
                "DATABASE_URL": url,
                "REDIS_URL": args.redis,
                "WEBHOOK_URL": WEBHOOK_URL,
                "WEBHOOK_SECRET": secrets.token_urlsafe(16),
                "WEBHOOK_HOST": "127.0.0.1",
                "WEBHOOK_PORT": str(port),
            }
            argv = [sys.executable, "-m", "bot", "webhook", "--workers", str(workers)]
            log = work / f"webhook-{workers}-{run}.log"
            child = await procs.spawn(f"webhook x{workers}", argv, child_env(env), work, log)
            try:
                ready = await wait_listening(emu, child, port, workers)
                sms_before = peers.codes.received
                load, runs, chats = support_load(args, emu, tracker, peers, people, users)
                figures = await _measure_webhook(args, child, url, load, runs, chats)
            finally:
                await _stop_webhook(child)
            figures["workers"] = workers
            figures["database"], figures["bot_id"] = url.rsplit("/", 1)[1], bot_id
            figures["startup_to_listening_s"] = round(ready, 2)
            figures["sms_sent"] = peers.codes.received - sms_before
            return figures
    finally:
        tracker.close()
        await procs.stop_all()
        await emu.stop()
        with contextlib.suppress(Exception):
            await scale.forget_redis_keys(args.redis, bot_id)


async def _measure_webhook(
    args: argparse.Namespace,
    child: Child,
    url: str,
    load: Load,
    runs: list[Any],
    chats: list[int],
) -> dict[str, Any]:
    probe = scale.Probe(url, args.redis, child.pid)
    await probe.open()
    try:
        figures = await measure_load(load, child, runs, chats, args.max_seconds, probe)
        pids = scale.children(child.pid)
        peaks = [kb for pid in pids if (kb := read_status_kb(pid, "VmHWM")) is not None]
        figures["peak_rss_mb"] = round(max(peaks) / 1024, 1) if peaks else None
        figures["exit_code"] = await _stop_webhook(child)
        figures |= probe.figures(figures["updates"], await probe.counters_after())
    finally:
        await probe.close()
    return figures


async def wait_listening(emu: BotApiEmulator, child: Child, port: int, workers: int) -> float:
    """Until the webhook is set and every worker listens; seconds since the spawn."""
    async with asyncio.timeout(STARTUP_TIMEOUT):
        while not (emu.calls_to("setWebhook") and scale.listening(port) >= workers):
            child.check()
            await asyncio.sleep(0.02)
    return time.perf_counter() - child.started_at


async def _stop_webhook(child: Child) -> int | None:
    """SIGTERM to the parent, which stops its workers; any of them still there after
    the parent's end (it was killed) is killed by its pid."""
    pids = scale.children(child.pid)
    code = await child.stop()
    for pid in pids:
        if scale.is_worker(pid):  # not a pid the kernel has given to another since
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    return code


async def run_baseline(
    args: argparse.Namespace, work: Path, procs: Processes, per_customer: int, run: int = 1
) -> dict[str, Any]:
    people = customers(args.customers)
    emu = await new_emulator(BASELINE_TOKEN, args.latency)
    tracker = ReplyTracker(emu)
    try:
        users = add_users(emu, people)
        env = child_env({"BOT_TOKEN": emu.token, "TELEGRAM_API_URL": emu.base_url})
        argv = [sys.executable, str(ROOT / "bench" / "baseline_bot.py")]
        child = await procs.spawn("baseline bot", argv, env, work, work / f"baseline-{run}.log")
        first_poll = await wait_first_poll(emu, child, STARTUP_TIMEOUT)
        ready_rss = child.rss_mb()
        load = Load(emu, tracker, args.timeout)
        runs = [baseline_customer(load, user, per_customer) for user in users]
        figures = await measure_load(load, child, runs, [u.id for u in users], args.max_seconds)
        figures["exit_code"] = await child.stop()
        figures["startup_to_first_poll_s"] = round(first_poll, 2)
        figures["rss_at_first_poll_mb"] = ready_rss
        return figures
    finally:
        tracker.close()
        await procs.stop_all()
        await emu.stop()


# --- start-up and /queue on a big database -------------------------------------------


async def run_big_db(
    args: argparse.Namespace, work: Path, procs: Processes, peers: Peers
) -> dict[str, Any]:
    db = work / "big.sqlite3"
    built = await bigdb.build(db, args.big_db, args.ticket_messages, args.open_tickets)
    market = work / "market-big.json"
    write_market(market, [Customer(1, BIG_DB_CUSTOMER, "Анна", "+79990009999", "ru")])
    emu = await new_emulator(BOT_TOKEN, args.latency)
    tracker = ReplyTracker(emu, forum_id=FORUM)
    try:
        anna = emu.add_user(BIG_DB_CUSTOMER, "Анна", language_code="ru")
        env = child_env(support_env(emu, peers, db, market, args.speedups))
        child = await procs.spawn(
            "support bot (big db)", bot_argv(None, args.bot_command), env, work, work / "big.log"
        )
        # The update waits in the emulator until the bot polls: start-up is process start
        # to the reply, imports, migrations check, data import and all.
        load = Load(emu, tracker, STARTUP_TIMEOUT)
        async with asyncio.TaskGroup() as group:  # one failing cancels the other
            polled = group.create_task(wait_first_poll(emu, child, STARTUP_TIMEOUT))
            answered = group.create_task(
                exchange(load, anna.id, "start", lambda: anna.send("/start"))
            )
        poll, startup = polled.result(), answered.result()[0].at - child.started_at
        queue = await time_queue(args, emu, tracker)
        figures = {
            "database": built,
            "db_file_mb": round(sqlite_size(db)["total"] / 2**20, 1),
            "startup_to_first_poll_s": round(poll, 2),
            "startup_to_first_reply_s": round(startup, 2),
            "queue": queue,
            "peak_rss_mb": child.peak_rss_mb(),
        }
        figures["exit_code"] = await child.stop()
        return figures
    finally:
        tracker.close()
        await procs.stop_all()
        await emu.stop()


async def time_queue(
    args: argparse.Namespace, emu: BotApiEmulator, tracker: ReplyTracker
) -> dict[str, Any]:
    """An agent sends /queue in the forum's General topic; time to the bot's answer."""
    agent = emu.user(AGENT)
    load = Load(emu, tracker, args.timeout)
    times, first_line = [], ""
    for _ in range(max(1, args.queue_runs)):
        replies = await exchange(
            load, FORUM, "queue", lambda: agent.send_in_topic(FORUM, None, "/queue")
        )
        times.append(load.stats.latencies[-1])
        first_line = str(replies[0].message.get("text") or "").split("\n", 1)[0]
        await asyncio.sleep(0.2)  # let a multi-part answer finish before the next one
    return {
        "first_s": round(times[0], 3),
        "median_s": round(sorted(times)[len(times) // 2], 3),
        "max_s": round(max(times), 3),
        "runs": len(times),
        "answer_first_line": first_line,
    }


# --- report ----------------------------------------------------------------------------


def _fmt(value: object, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.1f}{unit}"
    return f"{value}{unit}"


def _mark(ok: bool | None) -> str:
    return {True: "PASS", False: "FAIL", None: "n/a"}[ok]


def derived(result: dict[str, Any], args: argparse.Namespace) -> None:
    """Ratio, database size per 1,000 messages and the target verdicts, into ``result``."""
    bot, base = result.get("support_bot"), result.get("baseline")
    if bot and base and base["replies_per_s"]:
        result["ratio"] = round(bot["replies_per_s"] / base["replies_per_s"], 3)
    if bot and bot["updates"]:
        sizes = bot["db_bytes"]
        per = 1000 / bot["updates"]
        result["db_per_1000_messages"] = {
            "bytes_incl_wal": round(sizes["after_load"]["total"] * per),
            "bytes_after_stop": round(sizes["after_stop"]["total"] * per),
            "logical_growth_bytes": round(
                ((sizes["after_load"]["logical"] or 0) - (sizes["before_load"]["logical"] or 0))
                * per
            ),
        }
    verdicts: dict[str, bool | None] = {}
    if "ratio" in result:
        applies = args.customers >= TARGETS["ratio_customers"]
        verdicts["ratio"] = result["ratio"] >= TARGETS["ratio_min"] if applies else None
    if bot:
        p99 = bot["latency"]["p99_ms"]
        applies = args.customers >= TARGETS["p99_customers"] and p99 is not None
        verdicts["p99"] = p99 < TARGETS["p99_ms_max"] if applies else None
        rss = bot["peak_rss_mb"]
        verdicts["peak_rss"] = rss < TARGETS["peak_rss_mb_max"] if rss is not None else None
    big = result.get("big_db")
    if big:
        applies = big["database"]["tickets"] >= 100_000  # noqa: PLR2004 - the target's size
        startup_ok = big["startup_to_first_reply_s"] < TARGETS["startup_big_db_s_max"]
        verdicts["startup_big_db"] = startup_ok if applies else None
        applies = big["database"]["open_tickets"] >= 10_000  # noqa: PLR2004
        queue_ok = big["queue"]["max_s"] < TARGETS["queue_s_max"]
        verdicts["queue"] = queue_ok if applies else None
    result["targets"] = {"values": TARGETS, "verdicts": verdicts}
    if "scale" in result:
        scale.complete(bot, result["scale"].get("webhook", {}))


def report(result: dict[str, Any]) -> str:
    out: list[str] = []
    cfg = result["config"]
    bot, base = result.get("support_bot"), result.get("baseline")
    if bot or base:
        out.append(
            f"\nBenchmark: {cfg['customers']} customers in a closed loop, "
            f"{cfg['updates_per_customer']} updates each ({cfg['messages']} ticket messages), "
            f"mix {cfg['mix']}, Bot API latency {cfg['latency']:g}s, {cfg['cpus']} CPUs, "
            f"SPEEDUPS={cfg['speedups']}"
        )
    else:
        out.append(f"\nBenchmark: no load run, {cfg['cpus']} CPUs")
    verdicts = result.get("targets", {}).get("verdicts", {})
    if bot or base:
        out.extend(_load_table(bot, base, result, verdicts))
    if bot:
        out.append("\nSupport bot, latency by step (ms)")
        out.append(
            f"  {'step':<24}{'count':>7}"
            + "".join(f"{h:>10}" for h in ("p50", "p95", "p99", "max"))
        )
        for step, s in bot["latency_by_step"].items():
            out.append(
                f"  {step:<24}{s['count']:>7}"
                + "".join(f"{_fmt(s[k]):>10}" for k in ("p50_ms", "p95_ms", "p99_ms", "max_ms"))
            )
    if "scale" in result:
        out.extend(_scale_lines(result["scale"], bot, cfg))
    big = result.get("big_db")
    if big:
        out.extend(_big_db_lines(big, verdicts))
    if result.get("burst"):
        out.extend(_burst_lines(result["burst"]))
        if base:
            out.append(
                f"  for scale: the bare aiogram baseline (empty, no database) reached its first "
                f"getUpdates {base['startup_to_first_poll_s']}s after its start"
            )
    return "\n".join(out) + "\n"


def _load_table(
    bot: dict[str, Any] | None,
    base: dict[str, Any] | None,
    result: dict[str, Any],
    verdicts: dict[str, bool | None],
) -> list[str]:
    def cell(side: dict[str, Any] | None, *path: str) -> str:
        value: Any = side
        for key in path:
            value = None if value is None else value.get(key)
        return _fmt(value)

    rows = [
        ("updates answered", ("updates",)),
        ("failed customers", ("failed_customers",)),
        ("wall time, s", ("seconds",)),
        ("forum backlog after, s", ("forum_backlog_s",)),
        ("replies/s", ("replies_per_s",)),
        ("latency p50, ms", ("latency", "p50_ms")),
        ("latency p95, ms", ("latency", "p95_ms")),
        ("latency p99, ms", ("latency", "p99_ms")),
        ("latency max, ms", ("latency", "max_ms")),
        ("RSS at the first getUpdates, MB", ("rss_at_first_poll_mb",)),
        ("peak RSS (VmHWM), MB", ("peak_rss_mb",)),
        ("start to first getUpdates, s", ("startup_to_first_poll_s",)),
        ("bot CPU, % of one core", ("bot_cpu_percent",)),
        ("bot CPU per update, ms", ("bot_cpu_ms_per_update",)),
        ("Bot API calls per update", ("api_calls_per_update",)),
        ("harness CPU, % of one core", ("harness_cpu_percent",)),
        ("harness loop lag p99, ms", ("harness_loop_lag", "p99_ms")),
        ("unexpected extra replies", ("extra_replies",)),
    ]
    out = [f"\n{'':34}{'support bot':>14}{'baseline':>14}"]
    out.extend(f"  {label:<32}{cell(bot, *p):>14}{cell(base, *p):>14}" for label, p in rows)
    for side, name in ((bot, "support bot"), (base, "baseline")):
        if side and len(side.get("runs_replies_per_s", [])) > 1:
            runs = ", ".join(f"{v:g}" for v in side["runs_replies_per_s"])
            out.append(f"  {name} replies/s in each run: {runs} (median run shown)")
    if "ratio" in result:
        out.append(
            f"\n  replies/s, bot / baseline: {result['ratio']:.0%}   "
            f"(target >= {TARGETS['ratio_min']:.0%} at {TARGETS['ratio_customers']} customers: "
            f"{_mark(verdicts.get('ratio'))})"
        )
    if bot:
        out.append(
            f"  p99 latency: {_fmt(bot['latency']['p99_ms'])} ms   (target < "
            f"{TARGETS['p99_ms_max']:g} ms at {TARGETS['p99_customers']} customers: "
            f"{_mark(verdicts.get('p99'))})"
        )
        out.append(
            f"  peak RSS: {_fmt(bot['peak_rss_mb'])} MB   (target < "
            f"{TARGETS['peak_rss_mb_max']:g} MB: {_mark(verdicts.get('peak_rss'))})"
        )
    size = result.get("db_per_1000_messages")
    if size:
        out.append(
            f"  database per 1,000 messages: {size['bytes_incl_wal'] / 2**20:.2f} MB "
            f"(file + WAL right after the run); {size['bytes_after_stop'] / 2**20:.2f} MB "
            f"(file after a clean stop); growth of the data itself during the load: "
            f"{size['logical_growth_bytes'] / 2**20:.2f} MB"
        )
    for side, name in ((bot, "support bot"), (base, "baseline")):
        for error in (side or {}).get("errors", [])[:5]:
            out.append(f"  ! {name}: {error}")
    return out


def _scale_lines(
    figures: dict[str, Any], polling: dict[str, Any] | None, cfg: dict[str, Any]
) -> list[str]:
    out = [
        f"\nScale: the same load on one SQLite polling process and on webhook workers "
        f"(PostgreSQL + Redis), {cfg['cpus']} CPUs shared with the databases and the harness"
    ]
    if figures.get("synchronous_commit"):
        out.append(f"  PostgreSQL synchronous_commit = {figures['synchronous_commit']}")
    if figures.get("skipped"):
        out.append(f"  webhook runs skipped: {figures['skipped']}")
    out.extend(scale.table(polling, figures.get("webhook", {})))
    out.append(
        "  predicted = cores x 1000 / (bot + PostgreSQL + Redis CPU ms per update), at most "
        "the ceiling of serialised writes (1000 / their ms per update); one polling\n"
        "  process: one core"
    )
    return out


def _big_db_lines(big: dict[str, Any], verdicts: dict[str, bool | None]) -> list[str]:
    db, queue = big["database"], big["queue"]
    return [
        f"\nBig database: {db['tickets']:,} tickets ({db['open_tickets']:,} open), "
        f"{db['messages']:,} messages, {big['db_file_mb']} MB, generated in {db['seconds']}s",
        f"  start-up, process start to first reply to /start: {big['startup_to_first_reply_s']}s"
        f"   (first getUpdates at {big['startup_to_first_poll_s']}s; target < "
        f"{TARGETS['startup_big_db_s_max']:g}s with 100,000 tickets: "
        f"{_mark(verdicts.get('startup_big_db'))})",
        f"  /queue with {db['open_tickets']:,} open tickets: "
        f"first {queue['first_s'] * 1000:.0f} ms,"
        f" median {queue['median_s'] * 1000:.0f} ms, max {queue['max_s'] * 1000:.0f} ms"
        f" over {queue['runs']} runs   (target < {TARGETS['queue_s_max']:g}s with 10,000 open: "
        f"{_mark(verdicts.get('queue'))})",
        f"  /queue answer begins: {queue['answer_first_line']!r}",
        f"  peak RSS: {_fmt(big['peak_rss_mb'])} MB",
    ]


def burst_clean(burst: dict[str, Any]) -> bool:
    return bool(
        burst["all_delivered"] and not burst["duplicates"] and not burst["tickets_out_of_order"]
    )


def _burst_lines(burst: dict[str, Any]) -> list[str]:
    limit = burst["group_limit_per_minute"]
    clean = burst_clean(burst)
    verdict = "every line delivered once, in order" if clean else "LOST, REPEATED OR REORDERED"
    return [
        f"\nBurst: {burst['customers']} customers wrote {burst['messages']} lines into open "
        f"tickets within {burst['written_in_s']}s; forum limited to {limit} posts/min",
        f"  {verdict}: delivered {burst['delivered']}, missing {burst['missing']}, "
        f"duplicates {burst['duplicates']}, tickets out of order {burst['tickets_out_of_order']}",
        f"  forum posts {burst['forum_posts']} (merged relays), busiest minute "
        f"{burst['busiest_minute_posts']} posts, 429s received {burst['rejected_429']}",
        f"  backlog drained {burst['drain_s']}s after the first line, "
        f"{burst['drain_after_last_write_s']}s after the last; at Telegram's 20/min the "
        f"same posts take {burst['forum_posts'] / 20:.0f} min",
        f"  peak RSS {_fmt(burst['peak_rss_mb'])} MB; tickets opened in {burst['opening_s']}s "
        "beforehand (unpaced)",
    ]


# --- main ------------------------------------------------------------------------------


async def start_peers() -> Peers:
    codes = CodeBox()
    sms = SmsEndpoint(token=SMS_TOKEN, on_message=codes.on_sms)
    await sms.start()
    smtp = SmtpInbox()
    try:
        smtp.start()
    except BaseException:
        await sms.stop()
        raise
    return Peers(sms, smtp, codes)


async def stop_peers(peers: Peers) -> None:
    with contextlib.suppress(Exception):
        await peers.sms.stop()
    with contextlib.suppress(Exception):
        peers.smtp.stop()


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median replies/s, with every run's replies/s alongside."""
    ordered = sorted(runs, key=lambda r: r["replies_per_s"])
    chosen = dict(ordered[(len(ordered) - 1) // 2])
    chosen["runs_replies_per_s"] = [r["replies_per_s"] for r in runs]
    return chosen


async def load_runs(
    args: argparse.Namespace,
    work: Path,
    procs: Processes,
    peers: Peers,
    per_customer: int,
    result: dict[str, Any],
) -> None:
    """Baseline, support bot and, with --scale, each count of webhook workers in turn,
    ``--repeat`` times (never two at the same time)."""
    bot_runs: list[dict[str, Any]] = []
    base_runs: list[dict[str, Any]] = []
    hooks = await _scale_workers(args, result)
    hook_runs: dict[int, list[dict[str, Any]]] = {n: [] for n in hooks}
    for run in range(1, args.repeat + 1):
        label = f" (run {run}/{args.repeat})" if args.repeat > 1 else ""
        if not args.no_baseline:
            progress(
                f"baseline{label}: {args.customers} customers x {per_customer} plain messages"
            )
            base_runs.append(await run_baseline(args, work, procs, per_customer, run))
        progress(f"support bot{label}: {args.customers} customers x {per_customer} updates")
        bot_runs.append(await run_support(args, work, procs, peers, run))
        for n, runs in hook_runs.items():
            progress(f"webhook, {n} worker(s), PostgreSQL + Redis{label}")
            runs.append(await run_webhook(args, work, procs, peers, n, run))
    if base_runs:
        result["baseline"] = median_run(base_runs)
    result["support_bot"] = median_run(bot_runs)
    if hook_runs:
        result["scale"]["webhook"] = {str(n): median_run(r) for n, r in hook_runs.items()}


async def _scale_workers(args: argparse.Namespace, result: dict[str, Any]) -> list[int]:
    """The worker counts --scale asked for, or none, said in one line, if PostgreSQL or
    Redis cannot be used."""
    if args.scale is None:
        return []
    why = await scale.unreachable(scale.Servers(args.postgres, args.redis))
    result["scale"] = {
        "workers": args.scale,
        "synchronous_commit": args.synchronous_commit,
        "skipped": why,
        "webhook": {},
    }
    if why is not None:
        progress(f"--scale: {why}; the webhook runs are skipped")
        return []
    return list(dict.fromkeys(args.scale))


def progress(text: str) -> None:
    sys.stderr.write(f"[bench] {text}\n")
    sys.stderr.flush()


async def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    per_customer = exchanges_per_customer(args.mix, args.messages)
    result: dict[str, Any] = {
        "config": {
            "customers": args.customers,
            "messages": args.messages,
            "mix": ",".join(p for p in PARTS if p in args.mix),
            "latency": args.latency,
            "speedups": args.speedups,
            "updates_per_customer": per_customer,
            "big_db": args.big_db,
            "burst": args.burst,
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
        }
    }
    procs = Processes()
    peers = await start_peers()
    try:
        if not args.no_load:
            await load_runs(args, work, procs, peers, per_customer, result)
        if args.big_db is not None:
            progress(f"big database: {args.big_db:,} tickets, {args.ticket_messages:,} messages")
            result["big_db"] = await run_big_db(args, work, procs, peers)
        if args.burst is not None:
            progress(
                f"burst: {args.burst} customers x {args.burst_messages} lines within "
                f"{args.burst_seconds:g}s, forum limited to {args.burst_group_limit}/min"
            )
            result["burst"] = await run_burst(
                args,
                # Telegram lets a private chat burst a little; so does the bot's pacer.
                lambda: new_emulator(BOT_TOKEN, args.latency, private_burst=3),
                work,
                procs,
                lambda emu, db, market: child_env(
                    support_env(emu, peers, db, market, args.speedups)
                ),
                bot_argv(None, args.bot_command),
                FORUM,
                STARTUP_TIMEOUT,
            )
    finally:
        await procs.stop_all()
        await stop_peers(peers)
    derived(result, args)
    return result


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-", dir=None))
    started = time.perf_counter()
    try:
        result = asyncio.run(run(args, work))
    except KeyboardInterrupt:
        progress("interrupted; every process was stopped")
        return 130
    except Exception as error:  # one line for the operator, the logs stay for a look
        args.keep = True
        progress(f"failed: {type(error).__name__}: {error}")
        progress(f"logs and databases kept in {work}")
        return 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    result["total_seconds"] = round(time.perf_counter() - started, 1)
    sys.stdout.write(report(result))
    sys.stdout.write(f"\nTotal {result['total_seconds']}s")
    sys.stdout.write(f"; work directory kept: {work}\n" if args.keep else "\n")
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", "utf-8")
        sys.stdout.write(f"Figures written to {args.json}\n")
    burst = result.get("burst")
    if burst and not burst_clean(burst):
        progress("the burst lost, repeated or reordered lines")  # a bug, not a slow run
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
