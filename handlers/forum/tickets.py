"""The agents' side: the forum supergroup, one topic per ticket.

Only members of the forum and admins get here (the router's filter); anyone else's
messages are ignored and never reach a customer.
"""

from __future__ import annotations

import contextlib
import logging

from aiogram import Bot, F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.domain.values import MessageKind
from bot.keyboards.support import AgentAction, TicketCb, rating_buttons, take_over_button
from bot.services.tickets import (
    CannotRelay,
    HeldByOther,
    Person,
    TicketClosed,
    TicketNotFound,
    TicketService,
    Written,
)
from bot.telegram.i18n import Texts, Translator
from bot.telegram.membership import AgentDirectory
from handlers.convert import person, written
from handlers.forum.lanes import queue_of, reply_queue
from handlers.forum.topics import InTicket
from handlers.taps import alert, answers_itself
from storage.tickets import Ticket

router = Router(name=__name__)
log = logging.getLogger(__name__)
_TICKET_COMMANDS = ("note", "take", "close", "reply", "ban", "unban")


@router.message(Command("note"), InTicket())
async def cmd_note(
    message: Message, command: CommandObject, ticket: Ticket, t: Texts, tickets: TicketService
) -> None:
    if not command.args:
        await message.reply(t("agents-note-empty"))
        return
    note = Written(MessageKind.TEXT, message.chat.id, message.message_id, text=command.args)
    await tickets.note(ticket.id, person(message), note)
    await message.reply(t("agents-note-saved"))


@router.message(Command("take"), InTicket())
async def cmd_take(message: Message, ticket: Ticket, t: Texts, tickets: TicketService) -> None:
    agent = person(message)
    try:
        taken = await tickets.take(ticket.id, agent)
    except TicketClosed:
        await message.reply(t("agents-already-closed", id=ticket.id))
        return
    except HeldByOther as held:
        await message.reply(
            t("agents-take-held", id=ticket.id, name=held.holder.name),
            reply_markup=take_over_button(t, ticket.id),
        )
        return
    await message.reply(t("agents-taken", id=ticket.id, name=agent.name))
    await tickets.changed(taken, card=True)


async def _take_over(
    message: Message,
    ticket: Ticket,
    agent: Person,
    t: Texts,
    tickets: TicketService,
    taken: Ticket,
) -> None:
    """Said in the topic, naming the one who held it so that Telegram tells them."""
    if ticket.assignee_id is not None and ticket.assignee_id != agent.id:
        await message.answer(
            t(
                "agents-taken-over",
                id=ticket.id,
                name=agent.name,
                previous=ticket.assignee_name or "—",
                previous_id=str(ticket.assignee_id),
            )
        )
    else:
        await message.answer(t("agents-taken", id=ticket.id, name=agent.name))
    await tickets.changed(taken, card=True)


@router.message(Command("close"), InTicket())
async def cmd_close(
    message: Message,
    ticket: Ticket,
    t: Texts,
    tickets: TicketService,
    bot: Bot,
    translator: Translator,
) -> None:
    await _close(message, ticket, t, tickets, bot, translator, person(message).name)


async def _close(
    message: Message,
    ticket: Ticket,
    t: Texts,
    tickets: TicketService,
    bot: Bot,
    translator: Translator,
    agent_name: str,
) -> None:
    try:
        closed = await tickets.close(ticket.id)
    except TicketClosed:
        await message.reply(t("agents-already-closed", id=ticket.id))
        return
    # Said in the topic before the topic closes, then the customer is asked to rate.
    await message.answer(t("agents-closed", id=ticket.id, name=agent_name))
    await tickets.changed(closed)
    customer_t = translator(closed.locale)
    try:
        await bot.send_message(
            closed.customer_id,
            customer_t("support-closed-by-agent", id=closed.id),
            reply_markup=rating_buttons(closed.id),
        )
    except TelegramForbiddenError:
        log.info("customer of ticket %s blocked the bot; no rating asked", closed.id)


@router.message(Command("reply"), InTicket())
async def cmd_reply(
    message: Message,
    command: CommandObject,
    ticket: Ticket,
    t: Texts,
    tickets: TicketService,
) -> None:
    key = (command.args or "").strip()
    text = await tickets.canned(key, ticket.locale) if key else None
    if text is None:
        await message.reply(t("agents-canned-missing", key=key or "?"))
        return
    reply = Written(MessageKind.TEXT, message.chat.id, message.message_id, text=text)
    await tickets.agent_wrote(ticket.id, person(message), reply)


@router.message(Command("ban", "unban"), InTicket())
async def cmd_ban(
    message: Message,
    command: CommandObject,
    ticket: Ticket,
    t: Texts,
    tickets: TicketService,
    agents: AgentDirectory,
) -> None:
    if message.from_user is None or not agents.is_admin(message.from_user.id):
        await message.reply(t("agents-admins-only"))
        return
    if command.command == "ban":
        await tickets.ban(ticket.customer_id, message.from_user.id)
        await message.reply(t("agents-banned"))
    else:
        await tickets.unban(ticket.customer_id)
        await message.reply(t("agents-unbanned"))


@router.message(Command(*_TICKET_COMMANDS))
async def ticket_command_outside(message: Message, t: Texts) -> None:
    await message.reply(t("agents-no-ticket"))


@router.message(InTicket(), F.text.startswith("/"))
async def unknown_command(message: Message, t: Texts) -> None:
    await message.reply(t("agents-unknown-command"))


@router.message(InTicket())
async def agent_replies(
    message: Message, ticket: Ticket, t: Texts, tickets: TicketService
) -> None:
    try:
        updated = await tickets.agent_wrote(ticket.id, person(message), written(message))
    except CannotRelay:
        await message.reply(t("agents-cannot-relay"))
        return
    if updated.status != ticket.status:
        await tickets.changed(updated)


@router.edited_message(InTicket())
async def agent_edited(message: Message, tickets: TicketService) -> None:
    new_text = message.text or message.caption
    if new_text is not None:
        await tickets.agent_edited(message.chat.id, message.message_id, new_text)


@router.callback_query(TicketCb.filter(), flags=answers_itself())
async def card_button(
    query: CallbackQuery,
    callback_data: TicketCb,
    t: Texts,
    tickets: TicketService,
    bot: Bot,
    translator: Translator,
) -> None:
    # No such ticket (a forged tap): handlers/errors.py says the button is out of date.
    ticket = await tickets.get(callback_data.ticket_id)
    message = query.message
    if not isinstance(message, Message):
        await query.answer()
        return
    if ticket.forum_id not in (None, message.chat.id):  # forged in another forum
        raise TicketNotFound
    name = query.from_user.full_name
    if callback_data.action in (AgentAction.TAKE, AgentAction.TAKE_OVER):
        over = callback_data.action == AgentAction.TAKE_OVER
        try:
            taken = await tickets.take(ticket.id, person(query), over=over)
        except TicketClosed:
            await query.answer(t("agents-already-closed", id=ticket.id), show_alert=True)
            return
        except HeldByOther as held:
            await query.answer()
            await message.answer(
                t("agents-take-held", id=ticket.id, name=held.holder.name),
                reply_markup=take_over_button(t, ticket.id),
            )
            return
        await query.answer(t("agents-taken", id=ticket.id, name=name))
        if over:
            with contextlib.suppress(TelegramAPIError):  # the question is answered
                await message.edit_reply_markup(reply_markup=None)
        await _take_over(message, ticket, person(query), t, tickets, taken)
    else:
        await query.answer()
        await _close(message, ticket, t, tickets, bot, translator, name)


@router.callback_query()
async def stale_button(_query: CallbackQuery, t: Texts, callback_answer: CallbackAnswer) -> None:
    # Last for an agent's taps: data no button of this release carries.
    alert(callback_answer, t("agents-button-stale"))


# Without an agents' forum tickets still queue; admins look at them in a private chat.
admin_router = Router(name=f"{__name__}.admin")


@admin_router.message(Command("queue"))
async def private_queue(
    message: Message, t: Texts, tickets: TicketService, agents: AgentDirectory
) -> None:
    if message.from_user is None or not agents.is_admin(message.from_user.id):
        raise SkipHandler
    await reply_queue(message, [await queue_of(t, tickets, None)])
