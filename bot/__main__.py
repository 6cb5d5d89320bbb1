"""`python -m bot`: run the bot with long polling.

`python -m bot webhook [--workers N]` runs it by webhook instead (WEBHOOK_URL,
WEBHOOK_SECRET): N worker processes on one port behind a TLS proxy.

`python -m bot sandbox` runs the whole bot locally in a web page instead: no token,
no network, nothing from the environment or .env.

`python -m bot stats [--port N]` serves the team's numbers as a read-only web page on
127.0.0.1, from the bot's database, beside the running bot.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Coroutine
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bot.app import TelegramUnavailable, create_app, run_polling
from bot.logs import setup_logging
from bot.ports.datafile import DataFileError
from bot.settings import (
    DatabaseSettings,
    DeskSettings,
    SettingsError,
    describe_error,
    load_settings,
)
from bot.shared import RedisUnavailable, let_go_of
from bot.supervisor import Supervisor, set_webhook
from bot.webhook import serve
from storage.db import Database, DatabaseUnavailable


async def _run() -> None:
    app = await create_app(load_settings())
    await run_polling(app)


def _workers(value: str) -> int:
    count = int(value) if value.isdigit() else 0
    if not 1 <= count <= 64:  # noqa: PLR2004
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of workers (1-64)")
    return count


def _port(value: str) -> int:
    port = int(value) if value.isdigit() else -1
    if not 0 <= port <= 65535:  # noqa: PLR2004
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number (0-65535)")
    return port


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    sandbox = commands.add_parser(
        "sandbox", help="try the bot in a local web page, with no token and no network"
    )
    sandbox.add_argument(
        "--db", type=Path, help="SQLite file to keep the bot's state in (default: a temp file)"
    )
    sandbox.add_argument("--port", type=_port, default=8080, help="web page port (default 8080)")
    sandbox.add_argument("--host", default="127.0.0.1", help="address to listen on")
    sandbox.add_argument("--no-browser", action="store_true", help="do not open a browser")
    webhook = commands.add_parser(
        "webhook", help="receive updates by webhook (WEBHOOK_URL), behind a TLS proxy"
    )
    webhook.add_argument(
        "--workers", type=_workers, default=1, help="worker processes on the one port"
    )
    webhook.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)  # one worker
    stats = commands.add_parser(
        "stats", help="the team's numbers as a read-only web page, beside the running bot"
    )
    stats.add_argument("--port", type=_port, default=8090, help="web page port (default 8090)")
    stats.add_argument("--host", default="127.0.0.1", help="address to listen on")
    commands.add_parser(
        "migrate",
        help="bring the database (DATABASE_URL, or DATABASE_PATH) to the current schema",
    )
    return parser


def _sandbox(args: argparse.Namespace) -> int:
    # Imported here: the emulator, its web server and the mail peers would otherwise
    # cost the real bot start-up time and memory.
    try:
        from sandbox import SandboxError, run_sandbox  # noqa: PLC0415
    except ModuleNotFoundError as error:
        print(  # noqa: T201
            f"The sandbox needs {error.name}: pip install -e '.[sandbox]'", file=sys.stderr
        )
        return 2

    setup_logging()
    # Per-connection lines would bury the URL; warnings still show.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    try:
        asyncio.run(run_sandbox(args.db, args.host, args.port, not args.no_browser))
    except SandboxError as error:
        print(f"Cannot start the sandbox: {error}", file=sys.stderr)  # noqa: T201
        return 2
    except KeyboardInterrupt:
        pass
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "sandbox":
        return _sandbox(args)
    if args.command == "migrate":
        return _migrate()
    setup_logging()
    if args.command == "stats":
        return _stats_page(args)
    if args.command == "webhook":
        return _webhook(args)
    return _guarded(_run)


def _webhook(args: argparse.Namespace) -> int:
    try:
        settings = load_settings()
    except SettingsError as error:
        return _refuse(str(error))
    refusal = settings.webhook_refusal()
    if refusal is not None:
        return _refuse(refusal)
    if args.serve:
        return _guarded(lambda: serve(settings))
    if args.workers > 1 and not settings.postgres_url:
        return _refuse(
            f"--workers {args.workers} needs DATABASE_URL on PostgreSQL: a SQLite database "
            "belongs to one process (use --workers 1)"
        )

    async def supervise() -> int:
        await set_webhook(settings)
        if not settings.postgres_url:  # the one worker's SQLite file is its own
            return await Supervisor(args.workers).run()
        db = await Database.open(settings.postgres_url)
        try:
            return await Supervisor(args.workers, partial(let_go_of, db)).run()
        finally:
            await db.close()

    return _guarded(supervise)


def _guarded(run: Callable[[], Coroutine[Any, Any, int | None]]) -> int:
    """Runs the bot; a start that cannot succeed ends in one line, not a traceback."""
    try:
        code = asyncio.run(run())
    except (SettingsError, TelegramUnavailable, RedisUnavailable) as error:
        return _refuse(str(error))
    except DataFileError as error:
        return _refuse(f"MARKETPLACE_DATA {error}")
    except DatabaseUnavailable as error:
        return _refuse(f"{_database_setting()} {error}")
    except KeyboardInterrupt:
        code = None
    return code or 0


def _migrate() -> int:
    """The start applies what is missing too; this is for a deployment that migrates
    first (several workers, a PostgreSQL database) or wants to know what ran."""
    setup_logging()
    try:
        where = DatabaseSettings()
    except ValidationError as error:
        return _refuse(describe_error(error))
    try:
        ran = asyncio.run(_apply(where))
    except DatabaseUnavailable as error:
        return _refuse(f"{_database_setting()} {error}")
    print(f"applied: {', '.join(ran)}" if ran else "the schema is up to date")  # noqa: T201
    return 0


async def _apply(where: DatabaseSettings) -> list[str]:
    db = await Database.open(where.postgres_url or where.sqlite_path)
    await db.close()
    return db.migrated


def _stats_page(args: argparse.Namespace) -> int:
    from bot.stats_page import serve_stats  # noqa: PLC0415 - this command's

    try:
        settings = DeskSettings()
    except ValidationError as error:
        return _refuse(describe_error(error))
    return _guarded(lambda: serve_stats(settings, args.host, args.port))


def _database_setting() -> str:
    """The setting that names the database, for a refusal to point at."""
    try:
        return "DATABASE_URL" if DatabaseSettings().database_url else "DATABASE_PATH"
    except ValidationError:
        return "DATABASE_URL"


def _refuse(reason: str) -> int:
    """A start that cannot succeed: one line naming the setting, no traceback."""
    print(f"Cannot start: {reason}", file=sys.stderr)  # noqa: T201
    return 2


if __name__ == "__main__":
    sys.exit(main())
