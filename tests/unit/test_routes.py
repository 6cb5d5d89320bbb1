"""The router tree: the first router, for plain messages and taps, answers as the routers
behind it would; plain filters run on the loop only with inline_filters."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

import pytest
from aiogram import Dispatcher, Router
from aiogram.dispatcher.event.handler import HandlerObject
from aiogram.filters import Command, StateFilter
from aiogram.types import Chat, Message, PhotoSize

import handlers
from bot import speedups
from bot.telegram.filters import NotCommand
from bot.telegram.i18n import Texts
from bot.telegram.states import Login, Orders, Recovery, Support


def _routed(kept: str = "on") -> Dispatcher:
    dp = Dispatcher()
    handlers.route(dp, (-100,), cast(Texts, None), speedups.parse(kept))
    return dp


def _message(text: str | None, caption: str | None) -> Message:
    photo = [PhotoSize(file_id="p", file_unique_id="p", width=1, height=1)]
    return Message(
        message_id=1,
        date=datetime.now(UTC),
        chat=Chat(id=1, type="private"),
        text=text,
        caption=caption,
        photo=None if text else photo,
    )


def _private(kept: str = "on") -> tuple[Router, Router]:
    private = next(r for r in _routed(kept).sub_routers if r.name == "private")
    return private, private.sub_routers[0]


def _answerable(routers: list[Router]) -> tuple[list[HandlerObject], list[HandlerObject]]:
    """What the routers, walked in order, could answer a plain message outside any flow
    and a tap with, judged by aiogram's private parts: the handlers that are neither
    commands nor behind a flow's state check, and every tap handler."""
    plain: list[HandlerObject] = []
    taps: list[HandlerObject] = []

    def walk(router: Router, *, gated: bool) -> None:
        for observer in (router.message, router.callback_query):
            assert not observer.middleware._middlewares, router.name  # the first skips it
            assert not observer.outer_middleware._middlewares, router.name
        assert not router.callback_query._handler.filters, router.name
        taps.extend(router.callback_query.handlers)
        if gates := router.message._handler.filters:
            assert all(_needs_a_state(f.callback) for f in gates), router.name
            gated = True  # a flow's steps, behind a check of its state, and all below
        if not gated:
            plain.extend(h for h in router.message.handlers if not handlers._is_command(h))
        for sub in router.sub_routers:
            walk(sub, gated=gated)

    for router in routers:
        walk(router, gated=False)
    return plain, taps


def _needs_a_state(check: object) -> bool:
    return isinstance(check, StateFilter) and not any(s in (None, "*") for s in check.states)


@pytest.mark.parametrize("kept", ["on", "off"])
def test_plain_messages_meet_every_handler_outside_commands_and_flows_in_order(
    kept: str,
) -> None:
    _, first = _private(kept)
    assert first.name == "private.first"
    assert [h.callback.__name__ for h in first.message.handlers] == [
        "cmd_support",  # a request for a person in words
        "into_ticket",
        "number_typed",
        "orders_asked",
        "recovery_asked",
        "anything",
    ]


@pytest.mark.parametrize("kept", ["on", "off"])
def test_the_first_router_holds_what_the_routers_behind_it_would_answer(kept: str) -> None:
    private, first = _private(kept)
    plain, taps = _answerable(private.sub_routers[1:])
    assert first.message.handlers == plain
    assert first.callback_query.handlers == taps
    assert taps[-1].callback.__name__ == "stale_button"  # the first router answers every tap


@pytest.mark.parametrize(
    ("text", "caption", "plain"),
    [
        ("my parcel is late", None, True),
        ("a/b", None, True),
        ("/start", None, False),
        ("  /orders", None, False),  # aiogram's Command skips the leading space too
        (None, "/support", False),  # Command reads a caption when there is no text
        (None, "box", True),
        (None, None, True),  # a photo without a caption
    ],
)
async def test_not_command_reads_text_and_caption_as_command_does(
    text: str | None, caption: str | None, plain: bool
) -> None:
    assert await NotCommand()(_message(text, caption)) is plain


def test_the_check_leaves_flow_steps_and_commands_out() -> None:
    flow = Router(name="flow")
    steps = Router(name="flow.steps")
    steps.message.filter(StateFilter(Support))
    flow.include_router(steps)

    async def step(**_: Any) -> None: ...
    async def command(**_: Any) -> None: ...
    async def free(**_: Any) -> None: ...

    deeper = Router(name="flow.steps.deeper")  # behind the same state check
    deeper.message.register(step)
    steps.include_router(deeper)
    steps.message.register(step)
    flow.message.register(command, Command("x"))
    flow.message.register(free)
    plain, _ = _answerable([flow])
    assert [h.callback for h in plain] == [free]


def test_forum_handlers_that_answer_their_taps_each_have_their_own_flags() -> None:
    # aiogram updates a handler's flags in place: a shared dict would leak between them
    flags = [
        handler.flags
        for router in (handlers.forum.tickets.router, handlers.forum.recovery.router)
        for handler in router.callback_query.handlers
        if "callback_answer" in handler.flags  # the out-of-date answer goes the usual way
    ]
    assert len(flags) == 2
    assert all(f["callback_answer"] == {"disabled": True} for f in flags)
    assert flags[0] is not flags[1]


def test_stored_state_names_stay_as_released() -> None:
    # The fsm table holds these: a changed value strands everyone in that step. The
    # Recovery class kept the values of its first name.
    stored = {g.__name__: [s.state for s in g] for g in (Login, Support, Orders, Recovery)}
    assert stored == {
        "Login": ["Login:phone", "Login:email", "Login:code"],
        "Support": ["Support:describe", "Support:comment"],
        "Orders": ["Orders:photos", "Orders:details", "Orders:cancel"],
        "Recovery": [
            "Recover:email",
            "Recover:email_code",
            "Recover:new_phone",
            "Recover:phone_code",
            "Recover:name",
            "Recover:order",
            "Recover:old_phone",
            "Recover:description",
        ],
    }


def _steps(flow: Router) -> list[str]:
    return [h.callback.__name__ for r in flow.chain_tail for h in r.message.handlers]


@pytest.mark.parametrize(("flow", "group"), [("login", Login), ("recovery", Recovery)])
def test_a_flows_steps_from_all_its_modules_sit_behind_one_check_of_its_state(
    flow: str, group: type
) -> None:
    in_flow = getattr(handlers, flow).in_flow
    assert [f.callback.states for f in in_flow.message._handler.filters] == [(group,)]
    assert _steps(in_flow)[0] == f"{flow}_cancelled"  # the cancel button before any step


def test_recoverys_catch_all_comes_after_every_step() -> None:
    assert _steps(handlers.recovery.in_flow)[-1] == "recovery_text_only"


@pytest.mark.parametrize(("kept", "on_the_loop"), [("on", True), ("off", False)])
def test_plain_filters_run_on_the_loop_only_with_the_speed_up(
    kept: str, on_the_loop: bool
) -> None:
    dp = _routed(kept)
    checks = [
        check
        for router in dp.chain_tail
        for observer in router.observers.values()
        for handler in (observer._handler, *observer.handlers)
        for check in handler.filters or ()
    ]
    assert checks
    assert all(check.awaitable for check in checks) is on_the_loop


def test_the_tree_can_be_built_again_in_the_same_process() -> None:
    for kept in ("on", "off", "on"):
        assert _private(kept)[0].parent_router is not None
