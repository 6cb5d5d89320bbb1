"""Access recovery, the agents' side: approve or reject from the ticket's card."""

from __future__ import annotations

import contextlib

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, MaybeInaccessibleMessageUnion, Message

from bot.delivery.send import framed
from bot.domain.phones import mask
from bot.keyboards.recovery import Decision, RecoveryDecisionCb, cancel_change
from bot.services.recovery import RecoveryError, RecoveryService
from bot.services.tickets import TicketService
from bot.telegram.i18n import Texts, Translator
from bot.telegram.notices import due_date
from handlers.forum.topics import InTicket
from handlers.taps import answers_itself
from storage.recovery import Recovery
from storage.tickets import Ticket

router = Router(name=__name__)


@router.callback_query(RecoveryDecisionCb.filter(), flags=answers_itself())
async def decided(
    query: CallbackQuery,
    callback_data: RecoveryDecisionCb,
    t: Texts,
    recovery: RecoveryService,
    tickets: TicketService,
    bot: Bot,
    translator: Translator,
) -> None:
    message = query.message
    if not await _in_its_topic(message, callback_data.recovery_id, tickets):
        await query.answer(t("agents-button-stale"), show_alert=True)  # forged elsewhere
        return
    if callback_data.decision is Decision.REJECT:
        await query.answer()
        if isinstance(message, Message):
            await message.answer(t("agents-recovery-reject-how"))
        return
    try:
        approved = await recovery.approve(callback_data.recovery_id, query.from_user.id)
    except RecoveryError:
        await query.answer(t("agents-recovery-decided"), show_alert=True)
        return
    await query.answer()
    name = query.from_user.full_name
    line = t.plain("agents-recovery-approved", name=name)  # escaped as the relay posts it
    await _close_decided(approved, True, name, tickets, line)
    customer_t = translator(approved.locale)
    await _tell(
        bot,
        approved,
        customer_t("recover-approved", phone=mask(approved.new_phone), date=due_date(approved)),
        with_cancel=customer_t,
    )


@router.message(Command("reject"), InTicket())
async def cmd_reject(
    message: Message,
    command: CommandObject,
    ticket: Ticket,
    t: Texts,
    recovery: RecoveryService,
    tickets: TicketService,
    bot: Bot,
    translator: Translator,
) -> None:
    pending = await recovery.by_ticket(ticket.id)
    reason = (command.args or "").strip()
    if pending is None or not reason:
        await message.reply(t("agents-recovery-reject-how"))
        return
    try:
        rejected = await recovery.reject(
            pending.id, message.from_user.id if message.from_user else 0, reason
        )
    except RecoveryError:
        await message.reply(t("agents-recovery-decided"))
        return
    customer_t = translator(rejected.locale)
    # The agent's words as written, after the frame and split at Telegram's limit.
    for part in framed(customer_t("recover-rejected-title"), reason):
        await _tell(bot, rejected, part)
    name = message.from_user.full_name if message.from_user else "—"
    await _close_decided(rejected, False, name, tickets, t.plain("agents-recovery-rejected"))


async def _in_its_topic(
    message: MaybeInaccessibleMessageUnion | None, recovery_id: int, tickets: TicketService
) -> bool:
    """The tap is on the review's own card, in its own forum's topic."""
    if not isinstance(message, Message) or message.message_thread_id is None:
        return False
    here = await tickets.by_topic(message.chat.id, message.message_thread_id)
    return here is not None and here.context.get("recovery_id") == recovery_id


async def _close_decided(
    decided: Recovery, approved: bool, name: str, tickets: TicketService, line: str
) -> None:
    """Decided once, a recovery is done: its card says so, its topic has the line, and
    its ticket leaves the queue. The line goes as the relay's, which posts it before it
    closes the topic; a reply held for after the commit could find it closed."""
    if decided.ticket_id is None:
        return
    await tickets.event(decided.ticket_id, line)
    closed = await tickets.decided(decided.ticket_id, approved, name)
    await tickets.changed(closed, card=True)


async def _tell(bot: Bot, pending: Recovery, text: str, with_cancel: Texts | None = None) -> None:
    markup = cancel_change(with_cancel, pending.id) if with_cancel else None
    with contextlib.suppress(TelegramAPIError):  # a blocked customer: the topic still shows it
        await bot.send_message(pending.telegram_id, text, reply_markup=markup)
