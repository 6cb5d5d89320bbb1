"""Router tree: commands that work everywhere first, then flows, then the fallback.

Customers are served in private chats; agents in the forum given by SUPPORT_CHAT_ID,
and only when they are its members or admins.
"""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.dispatcher.event.handler import CallableObject, HandlerObject
from aiogram.filters import Command, StateFilter

from bot.telegram.filters import IsAgent, NotCommand
from bot.telegram.i18n import Texts
from bot.telegram.middlewares import ForumTexts
from handlers import (
    common,
    complaints,
    errors,
    fallback,
    leave,
    login,
    orders,
    recovery,
    requests,
    support,
    taps,
)
from handlers.forum import canned as forum_canned
from handlers.forum import recovery as forum_recovery
from handlers.forum import tickets as forum_tickets


def route(dp: Router, support_chat_id: int | None, forum_texts: Texts) -> None:
    """Hang the routers straight on the dispatcher: every router an update passes costs
    aiogram about 24 µs, and a root router of our own (and one for the error handler
    alone) were two more for every update."""
    # A command or a menu button in a flow's step leaves the step before anything reads it.
    # A typed order number and plain requests come after the ticket relay: while a
    # ticket is open, what the customer types is for the agent.
    customer_routers = (
        leave.router,
        common.router,
        login.router,
        recovery.router,
        orders.router,
        complaints.router,
        forum_tickets.admin_router,
        support.router,
        orders.typed_router,
        requests.router,
        fallback.router,
    )
    # Recovery's /reject and the canned replies before the agents' catch-all for unknown
    # commands.
    forum_routers = (forum_recovery.router, forum_canned.router, forum_tickets.router)
    _detach(*forum_routers, *customer_routers, taps.unmatched)
    dp.errors.register(errors.on_error)
    dp.callback_query.middleware(taps.AnswerAfter())

    private = Router(name="private")
    private.message.filter(F.chat.type == "private")
    private.edited_message.filter(F.chat.type == "private")
    private.callback_query.filter(F.message.chat.type == "private")
    private.include_routers(_shortcut(customer_routers), *customer_routers)
    dp.include_router(private)

    if support_chat_id is not None:
        forum = Router(name="forum")
        forum.message.filter(F.chat.id == support_chat_id, IsAgent())
        forum.edited_message.filter(F.chat.id == support_chat_id, IsAgent())
        forum.callback_query.filter(F.message.chat.id == support_chat_id, IsAgent())
        for observer in (forum.message, forum.edited_message, forum.callback_query):
            observer.middleware(ForumTexts(forum_texts))
        forum.include_routers(*forum_routers)
        dp.include_router(forum)
    dp.include_router(taps.unmatched)
    _inline_sync_filters(dp)


def _shortcut(routers: tuple[Router, ...]) -> Router:
    """A shortcut for the commonest updates, built from the routers' own order.

    Walking the routers costs aiogram about 24 µs each, and most updates would walk a
    dozen only to skip them. Two kinds need not:
    * a plain message outside any flow (no state, not a command) can be answered only
      by the handlers that are neither commands nor a flow's steps;
    * a button tap can be answered by any tap handler, and the routers check nothing
      of their own for taps.
    The shortcut holds those handlers in the order the routers give them and goes
    first; the fallback at the end of each list answers whatever is left, so the routers
    behind see only commands, messages inside a flow and edits.
    """
    shortcut = Router(name="private.shortcut")
    shortcut.message.filter(StateFilter(None), NotCommand())

    def take(router: Router, *, gated: bool) -> None:
        for observer in (router.message, router.callback_query):
            if observer.middleware._middlewares or observer.outer_middleware._middlewares:
                raise ValueError(f"{router.name}: the shortcut would skip its middleware")
        if router.callback_query._handler.filters:
            raise ValueError(f"{router.name}: the button-tap shortcut cannot judge it")
        shortcut.callback_query.handlers.extend(router.callback_query.handlers)
        if gates := router.message._handler.filters:
            if not all(_needs_a_state(f.callback) for f in gates):
                raise ValueError(f"{router.name}: the plain-message shortcut cannot judge it")
            gated = True  # a flow's steps, behind a check of its state, and all below
        if not gated:
            shortcut.message.handlers.extend(
                h for h in router.message.handlers if not _is_command(h)
            )
        for sub in router.sub_routers:
            take(sub, gated=gated)

    for router in routers:
        take(router, gated=False)
    return shortcut


def _needs_a_state(check: object) -> bool:
    return isinstance(check, StateFilter) and not any(s in (None, "*") for s in check.states)


def _is_command(handler: HandlerObject) -> bool:
    # Command reads only text and captions whose first word starts with its prefix.
    return any(
        isinstance(f.callback, Command) and set(f.callback.prefix) == {"/"}
        for f in handler.filters or ()
    )


def _inline_sync_filters(root: Router) -> None:
    """aiogram runs a plain (non-async) filter in a worker thread, so every ``F.text``
    check costs a thread hop; dozens of them per update were the bot's main cost.
    Magic filters are pure attribute checks: run them on the loop."""
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


def _detach(*routers: Router) -> None:
    # Module routers outlive one Dispatcher: a restart in the same process (tests,
    # the sandbox) builds the tree again, and aiogram allows one parent per router.
    for router in routers:
        router._parent_router = None
