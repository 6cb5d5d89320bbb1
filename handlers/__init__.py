"""Router tree: commands that work everywhere first, then flows, then the fallback."""

from __future__ import annotations

from aiogram import F, Router

from handlers import common, errors, fallback, login


def build_root(support_chat_id: int | None) -> Router:
    _detach(errors.router, common.router, login.router, fallback.router)
    root = Router(name="root")
    root.include_router(errors.router)

    private = Router(name="private")
    private.message.filter(F.chat.type == "private")
    private.callback_query.filter(F.message.chat.type == "private")
    private.include_routers(common.router, login.router, fallback.router)
    root.include_router(private)

    # The agents' forum gets its own router with the human queue; until then the
    # bot stays silent in groups rather than answering agents with the customer menu.
    del support_chat_id
    return root


def _detach(*routers: Router) -> None:
    # Module routers outlive one Dispatcher: a restart in the same process (tests,
    # the sandbox) builds the tree again, and aiogram allows one parent per router.
    for router in routers:
        router._parent_router = None
