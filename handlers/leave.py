"""Commands and menu buttons pressed in the middle of a flow leave it first.

Without this a flow's step reads "/support" as a phone number, a code or a ticket's text.
The step is dropped (said in one line), then the command runs the very handler it has
outside flows, found in the router tree rather than copied here.
"""

from __future__ import annotations

from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.dispatcher.event.handler import HandlerObject
from aiogram.filters import Command, CommandObject, Filter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import StatesGroup
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove

from bot.keyboards.menu import MenuCb
from bot.ports.marketplace import Account
from bot.telegram.i18n import Texts
from bot.telegram.states import REPLY_KEYBOARD_STATES, Login, Recovery, Support
from bot.telegram.text_keys import LEFT_STEPS
from handlers.menu import show_menu

router = Router(name=__name__)

# The customer's commands; agents' and flow-internal ones (/skip) are not here.
COMMANDS = ("start", "cancel", "help", "language", "login", "orders", "recover", "support")
# A command that starts its own flow over drops nothing the person did not ask to drop.
_STARTS_OVER: dict[str, type[StatesGroup]] = {
    "login": Login,
    "recover": Recovery,
    "support": Support,
}


class InFlow(Filter):
    """Some step is in progress; hands its stored name on as `left`."""

    async def __call__(self, _event: object, raw_state: str | None) -> bool | dict[str, Any]:
        return raw_state is not None and {"left": raw_state}


@router.message(Command(*COMMANDS), InFlow())
async def command_in_flow(
    message: Message,
    command: CommandObject,
    left: str,
    state: FSMContext,
    t: Texts,
    account: Account | None,
    event_router: Router,
    **data: Any,
) -> Any:
    await state.clear()
    line = left_line(t, left)
    keyboard_shown = left in REPLY_KEYBOARD_STATES
    if command.command == "cancel":  # leaving is all /cancel asks for
        await show_menu(message, t, account, line, drop_reply_keyboard=keyboard_shown)
        return None
    starts_over = _STARTS_OVER.get(command.command)
    if starts_over is None or left not in starts_over:
        markup = ReplyKeyboardRemove() if keyboard_shown else None
        await message.answer(line, reply_markup=markup)
    handler = _handler_of(event_router, command.command)
    if handler is None:  # pragma: no cover - every command has a handler in the tree
        raise SkipHandler
    data.update(command=command, state=state, t=t, account=account)
    return await handler.call(message, **data)


@router.callback_query(MenuCb.filter(), InFlow())
async def menu_in_flow(query: CallbackQuery, left: str, state: FSMContext, t: Texts) -> None:
    await state.clear()
    if isinstance(query.message, Message):
        keyboard_shown = left in REPLY_KEYBOARD_STATES
        await query.message.answer(
            left_line(t, left), reply_markup=ReplyKeyboardRemove() if keyboard_shown else None
        )
    # The menu's own handler, further down, does what the button says; none of them
    # depends on the state.
    raise SkipHandler


def left_line(t: Texts, stored: str) -> str:
    """The one line that says which step was dropped: by its state, else by its flow."""
    group = stored.partition(":")[0]
    return t(LEFT_STEPS.get(stored) or LEFT_STEPS.get(group, "leave-step"))


def _handler_of(leave: Router, command: str) -> HandlerObject | None:
    """The command's handler outside flows: the first one its Command names, among the
    routers beside this one."""
    top = leave.parent_router or leave
    for router in top.chain_tail:
        if router is leave:
            continue
        for handler in router.message.handlers:
            for check in handler.filters or ():
                if isinstance(check.callback, Command) and command in check.callback.commands:
                    return handler
    return None
