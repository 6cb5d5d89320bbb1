"""The agents' forums as lanes: each forum's queue, every forum's, and a ticket moved
from one forum to another."""

from __future__ import annotations

import contextlib

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.delivery.send import pack_lines
from bot.services.tickets import TicketClosed, TicketService
from bot.telegram.cards import queue_text
from bot.telegram.i18n import Texts
from bot.telegram.membership import AgentDirectory
from handlers.convert import person
from handlers.forum.topics import InTicket
from storage.tickets import Ticket

router = Router(name=__name__)


@router.message(Command("queue"))
async def cmd_queue(
    message: Message,
    command: CommandObject,
    t: Texts,
    tickets: TicketService,
    agents: AgentDirectory,
) -> None:
    """This forum's queue; `/queue all`, that of every forum the agent is in."""
    if (command.args or "").strip().lower() != "all":
        await reply_queue(message, [await queue_of(t, tickets, message.chat.id)])
        return
    who = message.from_user.id if message.from_user else 0
    mine = set(agents.forum_ids if agents.is_admin(who) else await agents.forums_of(who))
    lines = []
    for forum in (f for f in tickets.routing.forums if f.chat_id in mine):
        lines += [
            t("agents-queue-forum", forum=forum.label),
            await queue_of(t, tickets, forum.chat_id),
        ]
    await reply_queue(message, lines)


async def queue_of(t: Texts, tickets: TicketService, forum_id: int | None) -> str:
    """One forum's queue, or (None) every forum's as one."""
    return queue_text(t, await tickets.queue(forum_id), await tickets.open_count(forum_id))


async def reply_queue(message: Message, lines: list[str]) -> None:
    for part in pack_lines("\n".join(lines).split("\n")):
        await message.reply(part)


@router.message(Command("move"), InTicket())
async def cmd_move(
    message: Message,
    command: CommandObject,
    ticket: Ticket,
    t: Texts,
    tickets: TicketService,
    bot: Bot,
) -> None:
    """`/move FORUM`: the ticket opens in that forum with its card and latest lines; this
    topic says where it went, and closes."""
    here = message.chat.id
    target = tickets.routing.named(command.args or "")
    names = ", ".join(f.label for f in tickets.routing.forums if f.chat_id != here)
    if target is None or target.chat_id == here:
        await message.reply(t("agents-move-how", forums=names or "—"))
        return
    try:
        await tickets.move(ticket.id, target.chat_id)
    except TicketClosed:
        await message.reply(t("agents-already-closed", id=ticket.id))
        return
    # Stored plain: the relay escapes it as it posts it.
    came_from = tickets.routing.label_of(here)
    moved = t.plain("agents-moved-here", name=person(message).name, forum=came_from)
    await tickets.event(ticket.id, moved)
    await message.reply(t("agents-moved-away", id=ticket.id, forum=target.label))
    assert message.message_thread_id is not None  # noqa: S101 - InTicket checks
    with contextlib.suppress(TelegramAPIError):  # closed by hand already
        await bot.close_forum_topic(here, message.message_thread_id)
