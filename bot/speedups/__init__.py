"""Speed-ups that reach into aiogram's or pydantic's internals, all of them here.

Each is one module of this package, and the bot calls them only through the functions
below. The setting SPEEDUPS turns them off, all (``off``) or some (a comma list of the
ones to keep, e.g. ``gc,lazy_types``); without them the bot uses aiogram's public API
only and behaves the same, only slower (CI runs the e2e suite both ways). What each
buys, what upstream issue it works around and how to remove it: README.md here.

This module imports no aiogram: ``bot/__init__`` imports it before aiogram is imported.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiogram import Router
    from aiogram.client.session.aiohttp import AiohttpSession

NAMES = ("lazy_types", "gc", "inline_filters", "response_types", "json_bodies")
ENV = "SPEEDUPS"
_ALL, _NONE = "on", "off"

_lazy_types_applied = False


def parse(value: str) -> frozenset[str]:
    """``on`` (or nothing): every speed-up; ``off``: none; else the ones named."""
    value = value.strip().lower()
    if value in ("", _ALL):
        return frozenset(NAMES)
    if value == _NONE:
        return frozenset()
    kept = {name.strip() for name in value.split(",") if name.strip()}
    if unknown := sorted(kept - set(NAMES)):
        raise ValueError(
            f"unknown speed-up {', '.join(unknown)}: use on, off or a comma list of "
            f"{', '.join(NAMES)}"
        )
    return frozenset(kept)


def import_aiogram() -> None:
    """Import aiogram, with lazy_types when SPEEDUPS keeps it. Read from the environment
    only: this runs at ``import bot``, before the settings (and .env) are read."""
    global _lazy_types_applied  # noqa: PLW0603 - a fact about this process, set once
    try:
        kept = parse(os.environ.get(ENV, _ALL))
    except ValueError:
        kept = frozenset(NAMES)  # the settings refuse the value, with one line
    if "lazy_types" in kept:
        from bot.speedups.lazy_types import import_aiogram  # noqa: PLC0415

        _lazy_types_applied = import_aiogram()


def describe(kept: frozenset[str]) -> str:
    """One line for the start-up log: what runs, and a lazy_types .env cannot change."""
    running = [n for n in NAMES if n in kept and n != "lazy_types"]
    if _lazy_types_applied:
        running.insert(0, "lazy_types")
    line = f"speed-ups: {', '.join(running) or 'none'}"
    if ("lazy_types" in kept) != _lazy_types_applied:
        line += f" (lazy_types follows {ENV} in the environment, not .env)"
    return line


def session(kept: frozenset[str], api_url: str | None) -> AiohttpSession:
    """The bot's HTTP session: aiogram's, or one that posts JSON bodies."""
    from aiogram.client.session.aiohttp import AiohttpSession  # noqa: PLC0415
    from aiogram.client.telegram import TelegramAPIServer  # noqa: PLC0415

    cls: type[AiohttpSession] = AiohttpSession
    if "json_bodies" in kept:
        from bot.speedups.json_bodies import JsonSession  # noqa: PLC0415

        cls = JsonSession
    made = cls(api=TelegramAPIServer.from_base(api_url)) if api_url else cls()
    if "response_types" in kept:
        from bot.speedups.response_types import KeepResponseTypes  # noqa: PLC0415

        made.middleware(KeepResponseTypes())
    return made


def apply_routing(kept: frozenset[str], root: Router) -> None:
    """Once the router tree is built: its plain filters run on the event loop."""
    if "inline_filters" in kept:
        from bot.speedups.inline_filters import inline_sync_filters  # noqa: PLC0415

        inline_sync_filters(root)


def settle_gc(kept: frozenset[str]) -> None:
    """Once start-up is over, before the first update."""
    if "gc" in kept:
        from bot.speedups.gc import settle  # noqa: PLC0415

        settle()


def release(*routers: Router) -> None:
    """Not a speed-up, never turned off: lets one process build the router tree again
    (tests build an app each); does nothing the first time."""
    from bot.speedups.rebuild import release as detach  # noqa: PLC0415

    detach(*routers)
