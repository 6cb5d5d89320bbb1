"""The router tree: the shortcut for plain messages and taps answers as the routers would."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

import pytest
from aiogram import Dispatcher, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.types import Chat, Message, PhotoSize

import handlers
from bot.telegram.filters import NotCommand
from bot.telegram.i18n import Texts
from bot.telegram.states import Login, Orders, Recovery, Support


def _routed() -> Dispatcher:
    dp = Dispatcher()
    handlers.route(dp, -100, cast(Texts, None))
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


def _private() -> tuple[Router, Router]:
    private = next(r for r in _routed().sub_routers if r.name == "private")
    return private, private.sub_routers[0]


def test_plain_messages_meet_every_handler_outside_commands_and_flows_in_order() -> None:
    _, shortcut = _private()
    assert shortcut.name == "private.shortcut"
    assert [h.callback.__name__ for h in shortcut.message.handlers] == [
        "cmd_support",  # a request for a person in words
        "into_ticket",
        "number_typed",
        "orders_asked",
        "recovery_asked",
        "anything",
    ]


def test_taps_meet_every_tap_handler_in_the_routers_order_the_stale_button_last() -> None:
    private, shortcut = _private()
    behind = [
        h for r in private.sub_routers[1:] for c in r.chain_tail for h in c.callback_query.handlers
    ]
    assert shortcut.callback_query.handlers == behind
    assert behind[-1].callback.__name__ == "stale_button"  # the shortcut answers every tap


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


def test_a_router_the_shortcut_cannot_judge_is_refused() -> None:
    odd = Router(name="odd")
    odd.message.filter(NotCommand())
    with pytest.raises(ValueError, match="odd"):
        handlers._shortcut((odd,))
    taps = Router(name="taps")
    taps.callback_query.filter(F.data == "x")
    with pytest.raises(ValueError, match="taps"):
        handlers._shortcut((taps,))
    watched = Router(name="watched")
    watched.message.middleware(lambda handler, event, data: handler(event, data))
    with pytest.raises(ValueError, match="watched"):
        handlers._shortcut((watched,))


def test_flow_steps_and_commands_stay_out_of_the_shortcut() -> None:
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
    shortcut = handlers._shortcut((flow,))
    assert [h.callback for h in shortcut.message.handlers] == [free]


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
