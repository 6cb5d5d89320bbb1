"""Canned replies, the agents' side: /canned lists them, admins add and remove them with
/canned_set and /canned_del; /reply KEY in a ticket sends one (handlers/forum/tickets.py)."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.delivery.send import pack_lines
from bot.domain.values import Locale
from bot.services.tickets import TicketService
from bot.telegram.i18n import Texts
from bot.telegram.membership import AgentDirectory

router = Router(name=__name__)
_SHOWN = 100  # characters of each reply in the list


@router.message(Command("canned"))
async def cmd_canned(message: Message, t: Texts, tickets: TicketService) -> None:
    replies = await tickets.canned_list()
    if not replies:
        await message.reply(t("agents-canned-none"))
        return
    lines: list[str] = [t("agents-canned-list")]
    lines += [t("agents-canned-line", key=k, locale=loc, text=v[:_SHOWN]) for k, loc, v in replies]
    for part in pack_lines(lines):  # whole lines per message: a cut breaks its tags
        await message.reply(part)


@router.message(Command("canned_set", "canned_del"))
async def cmd_canned_change(
    message: Message,
    command: CommandObject,
    t: Texts,
    tickets: TicketService,
    agents: AgentDirectory,
) -> None:
    if message.from_user is None or not agents.is_admin(message.from_user.id):
        await message.reply(t("agents-admins-only"))
        return
    parts = (command.args or "").split(maxsplit=2)
    if command.command == "canned_del" and len(parts) == 1:
        deleted = await tickets.delete_canned(parts[0])
        key = "agents-canned-deleted" if deleted else "agents-canned-missing"
        await message.reply(t(key, key=parts[0]))
    elif (
        command.command == "canned_set"
        and len(parts) == 3  # noqa: PLR2004
        and (locale := Locale.of(parts[1])) is not None
    ):
        await tickets.set_canned(parts[0], locale, parts[2])
        await message.reply(t("agents-canned-saved", key=parts[0], locale=locale))
    else:
        await message.reply(t("agents-canned-usage"))
