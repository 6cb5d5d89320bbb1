"""Router tree: commands that work everywhere first, then flows, then the fallback.

Customers are served in private chats; agents in the forum given by SUPPORT_CHAT_ID,
and only when they are its members or admins.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.dispatcher.event.handler import HandlerObject
from aiogram.filters import Command, StateFilter

from bot import speedups
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
from handlers.forum import lanes as forum_lanes
from handlers.forum import presence as forum_presence
from handlers.forum import recovery as forum_recovery
from handlers.forum import stats as forum_stats
from handlers.forum import tickets as forum_tickets


def route(
    dp: Router,
    forum_ids: tuple[int, ...],
    forum_texts: Texts,
    kept: frozenset[str],
) -> None:
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
    # Recovery's /reject, the canned replies, /queue, /move, /stats, /online and /away
    # before the agents' catch-all for unknown commands.
    forum_routers = (
        forum_recovery.router,
        forum_canned.router,
        forum_lanes.router,
        forum_stats.router,
        forum_presence.router,
        forum_tickets.router,
    )
    speedups.release(*forum_routers, *customer_routers, taps.unmatched)
    dp.errors.register(errors.on_error)
    dp.callback_query.middleware(taps.AnswerAfter())

    private = Router(name="private")
    private.message.filter(F.chat.type == "private")
    private.edited_message.filter(F.chat.type == "private")
    private.callback_query.filter(F.message.chat.type == "private")
    private.include_routers(_first(customer_routers), *customer_routers)
    dp.include_router(private)

    if forum_ids:
        dp.include_router(_forum(forum_ids, forum_texts, forum_routers))
    dp.include_router(taps.unmatched)
    speedups.apply_routing(kept, dp)


def _forum(forum_ids: tuple[int, ...], forum_texts: Texts, routers: tuple[Router, ...]) -> Router:
    """The agents' forums: only a member of the forum (or an admin) gets past it."""
    forum = Router(name="forum")
    forum.message.filter(F.chat.id.in_(forum_ids), IsAgent())
    forum.edited_message.filter(F.chat.id.in_(forum_ids), IsAgent())
    forum.callback_query.filter(F.message.chat.id.in_(forum_ids), IsAgent())
    for observer in (forum.message, forum.edited_message, forum.callback_query):
        observer.middleware(ForumTexts(forum_texts))
    forum.include_routers(*routers)
    return forum


def _first(routers: tuple[Router, ...]) -> Router:
    """Plain messages outside any flow and button taps, answered before the routers.

    Every router an update passes costs aiogram about 24 µs, and most updates would pass
    a dozen only to be skipped. A plain message outside any flow (no state, not a
    command) can be answered only by the handlers of the routers named here, the ones
    that are neither commands nor a flow's steps; a button tap by any tap handler, as no
    router checks anything of its own for taps. This router holds them in the routers'
    order and goes first; the fallback at the end of each list answers whatever is left,
    so the routers behind see only commands, messages inside a flow and edits.
    tests/unit/test_routes.py checks both lists against the routers.
    """
    first = Router(name="private.first")
    first.message.filter(StateFilter(None), NotCommand())
    for router in (support.router, orders.typed_router, requests.router, fallback.router):
        first.message.handlers.extend(h for h in router.message.handlers if not _is_command(h))
    first.callback_query.handlers.extend(
        h for router in routers for each in router.chain_tail for h in each.callback_query.handlers
    )
    return first


def _is_command(handler: HandlerObject) -> bool:
    # Command reads only text and captions whose first word starts with its prefix.
    return any(
        isinstance(f.callback, Command) and set(f.callback.prefix) == {"/"}
        for f in handler.filters or ()
    )
