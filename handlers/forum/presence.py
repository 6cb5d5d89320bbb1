"""/online and /away: whether new tickets of this forum may be given to the agent
(AUTO_ASSIGN), in any of its topics. Each forum on its own: an agent may be in several."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message

from bot.services.tickets import TicketService
from bot.telegram.i18n import Texts
from handlers.convert import person

router = Router(name=__name__)


@router.message(Command("online"))
async def cmd_online(message: Message, t: Texts, tickets: TicketService) -> None:
    await tickets.presence.online(message.chat.id, person(message))
    # Said plainly when it changes nothing: the setting is off for the whole bot.
    await message.reply(t("agents-online" if tickets.policy.auto_assign else "agents-online-off"))


@router.message(Command("away"))
async def cmd_away(message: Message, t: Texts, tickets: TicketService) -> None:
    was_online = await tickets.presence.away(message.chat.id, person(message).id)
    await message.reply(t("agents-away" if was_online else "agents-away-already"))
