"""The router tree: the shortcut for plain messages answers as the full chain would."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

import pytest
from aiogram import Dispatcher, Router
from aiogram.filters import Command, StateFilter
from aiogram.types import Chat, Message, PhotoSize

import handlers
from bot.filters import NotCommand
from bot.i18n import Texts
from bot.states import Support


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


def test_plain_messages_meet_every_handler_outside_commands_and_flows_in_order() -> None:
    private = next(r for r in _routed().sub_routers if r.name == "private")
    plain = private.sub_routers[0]
    assert plain.name == "private.plain"
    assert [h.callback.__name__ for h in plain.message.handlers] == [
        "cmd_support",  # a request for a person in words
        "into_ticket",
        "number_typed",
        "anything",
    ]


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
        handlers._plain_path((odd,))


def test_flow_steps_and_commands_stay_out_of_the_shortcut() -> None:
    flow = Router(name="flow")
    steps = Router(name="flow.steps")
    steps.message.filter(StateFilter(Support))
    flow.include_router(steps)

    async def step(**_: Any) -> None: ...
    async def command(**_: Any) -> None: ...
    async def free(**_: Any) -> None: ...

    steps.message.register(step)
    flow.message.register(command, Command("x"))
    flow.message.register(free)
    plain = handlers._plain_path((flow,))
    assert [h.callback for h in plain.message.handlers] == [free]
