"""A shortcut router for the commonest updates, computed from the routers at start.

Walking the routers costs aiogram about 24 µs each, and most updates would walk a
dozen only to skip them. Two kinds need not:
* a plain message outside any flow (no state, not a command) can be answered only by
  the handlers that are neither commands nor a flow's steps;
* a button tap can be answered by any tap handler, and the routers check nothing of
  their own for taps.
The shortcut holds those handlers in the order the routers give them and goes first.
It judges each router by aiogram's private parts (an observer's own filters and
middlewares), and refuses a router it cannot judge.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.dispatcher.event.handler import HandlerObject
from aiogram.filters import Command, StateFilter

from bot.telegram.filters import NotCommand


def shortcut(routers: tuple[Router, ...]) -> Router:
    computed = Router(name="private.shortcut")
    computed.message.filter(StateFilter(None), NotCommand())

    def take(router: Router, *, gated: bool) -> None:
        for observer in (router.message, router.callback_query):
            if observer.middleware._middlewares or observer.outer_middleware._middlewares:
                raise ValueError(f"{router.name}: the shortcut would skip its middleware")
        if router.callback_query._handler.filters:
            raise ValueError(f"{router.name}: the button-tap shortcut cannot judge it")
        computed.callback_query.handlers.extend(router.callback_query.handlers)
        if gates := router.message._handler.filters:
            if not all(needs_a_state(f.callback) for f in gates):
                raise ValueError(f"{router.name}: the plain-message shortcut cannot judge it")
            gated = True  # a flow's steps, behind a check of its state, and all below
        if not gated:
            computed.message.handlers.extend(
                h for h in router.message.handlers if not is_command(h)
            )
        for sub in router.sub_routers:
            take(sub, gated=gated)

    for router in routers:
        take(router, gated=False)
    return computed


def needs_a_state(check: object) -> bool:
    return isinstance(check, StateFilter) and not any(s in (None, "*") for s in check.states)


def is_command(handler: HandlerObject) -> bool:
    # Command reads only text and captions whose first word starts with its prefix.
    return any(
        isinstance(f.callback, Command) and set(f.callback.prefix) == {"/"}
        for f in handler.filters or ()
    )
