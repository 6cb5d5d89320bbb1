"""/stats in an agents' forum: the team's numbers, for admins."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.delivery.send import pack_lines
from bot.services.stats import Period, StatsService
from bot.services.tickets import TicketService
from bot.telegram.i18n import Texts
from bot.telegram.membership import AgentDirectory
from bot.telegram.stats_view import stats_text

router = Router(name=__name__)


@router.message(Command("stats"))
async def cmd_stats(
    message: Message,
    command: CommandObject,
    t: Texts,
    stats: StatsService,
    tickets: TicketService,
    agents: AgentDirectory,
) -> None:
    """`/stats [today|week|month]`: every forum's numbers and every agent's."""
    if message.from_user is None or not agents.is_admin(message.from_user.id):
        await message.reply(t("agents-stats-refused"))
        return
    period = Period.of(command.args)
    if period is None:
        await message.reply(t("agents-stats-usage"))
        return
    report = await stats.report(period)
    labels = {forum.chat_id: forum.label for forum in tickets.routing.forums}
    for part in pack_lines(stats_text(t, report, labels).split("\n")):
        await message.reply(part)
