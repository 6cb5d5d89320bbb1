"""Plain (non-async) filters run on the event loop instead of a worker thread.

aiogram runs every plain callable filter through ``asyncio.to_thread``
(``CallableObject.call``), so each ``F.text`` check costs a trip to a thread and back,
and dozens of them per update were the bot's main cost. Magic filters and the bot's
own plain filters are pure attribute checks: they are marked awaitable here, wrapped
in a coroutine that calls them on the loop. This mutates aiogram's ``CallableObject``
(its ``callback`` and ``awaitable`` fields) after registration.
"""

from __future__ import annotations

from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.handler import CallableObject


def inline_sync_filters(root: Router) -> None:
    for router in root.chain_tail:
        for observer in router.observers.values():
            for handler in (observer._handler, *observer.handlers):
                for check in handler.filters or ():
                    if not check.awaitable:
                        _run_inline(check)


def _run_inline(check: CallableObject) -> None:
    plain = check.callback

    async def inline(*args: Any, **kwargs: Any) -> Any:
        return plain(*args, **kwargs)

    check.callback, check.awaitable = inline, True
