"""Module routers attached to a new dispatcher in the same process.

Not a speed-up, and never turned off. Each handlers module defines its router once, at
import, and aiogram lets a router have one parent, with no public way to detach it. A
process that builds the bot a second time (the tests build an app each, and restart
it) takes the routers back from the tree it built before. A process that builds it
once, as the bot does, touches nothing here: its routers have no parent yet.
"""

from __future__ import annotations

from aiogram import Router


def release(*routers: Router) -> None:
    for router in routers:
        if router.parent_router is not None:
            router._parent_router = None
