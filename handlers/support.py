"""The customer's side of the human queue."""

from __future__ import annotations

import contextlib
import logging

from aiogram import Bot, F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, ReactionTypeEmoji
from aiogram.utils.callback_answer import CallbackAnswer

from bot.domain.values import TicketStatus
from bot.keyboards.menu import MenuAction, MenuCb
from bot.keyboards.support import CloseCb, RateCb, customer_ticket_buttons
from bot.ports.marketplace import Account
from bot.services.tickets import Banned, Opened, TicketError, TicketService
from bot.telegram.filters import AsksForHuman
from bot.telegram.i18n import Texts, Translator
from bot.telegram.states import Support
from handlers.convert import person, written
from handlers.menu import show_menu
from handlers.taps import alert

router = Router(name=__name__)
# The steps of the flow sit behind one check of its state: a message from anyone
# outside the flow skips all of them at once instead of one filter at a time.
in_flow = Router(name=f"{__name__}.in_flow")
in_flow.message.filter(StateFilter(Support))
router.include_router(in_flow)
log = logging.getLogger(__name__)
_ENOUGH_WORDS = 5  # a request for a person that also says what is wrong needs no question


@router.message(Command("support"))
@router.message(StateFilter(None), AsksForHuman())
async def cmd_support(
    message: Message,
    state: FSMContext,
    t: Texts,
    tickets: TicketService,
    account: Account | None,
) -> None:
    text = message.text or ""
    # "Operator, my parcel is lost and ..." already says what is wrong: no question.
    described = not text.startswith("/") and len(text.split()) >= _ENOUGH_WORDS
    await _start(message, state, t, tickets, account, described=described)


@router.callback_query(MenuCb.filter(F.action == MenuAction.SUPPORT))
async def menu_support(
    query: CallbackQuery,
    state: FSMContext,
    t: Texts,
    tickets: TicketService,
    account: Account | None,
) -> None:
    if isinstance(query.message, Message):
        await _start(query.message, state, t, tickets, account, described=False)


async def _start(
    message: Message,
    state: FSMContext,
    t: Texts,
    tickets: TicketService,
    account: Account | None,
    *,
    described: bool,
) -> None:
    if await tickets.is_banned(message.chat.id):
        await message.answer(t("support-banned", hotline=t("help-hotline")))
        return
    ticket = await tickets.open_of(message.chat.id)
    if ticket is not None:
        await message.answer(
            t("support-already-open", id=ticket.id),
            reply_markup=customer_ticket_buttons(t, ticket.id),
        )
    elif described:
        await _open(message, t, tickets, account)
    else:
        await state.set_state(Support.describe)
        await message.answer(t("support-ask-description"))


@in_flow.message(Support.describe, F.text | F.caption)
async def description_given(
    message: Message,
    state: FSMContext,
    t: Texts,
    tickets: TicketService,
    account: Account | None,
) -> None:
    await state.clear()
    await _open(message, t, tickets, account)


@in_flow.message(Support.describe)
async def description_invalid(message: Message, t: Texts) -> None:
    await message.answer(t("support-describe-text"))


async def _open(
    message: Message, t: Texts, tickets: TicketService, account: Account | None
) -> None:
    opened = await tickets.open_ticket(
        person(message),
        locale=t.locale,
        description=written(message),
        account_id=account.id if account else None,
    )
    await message.answer(
        _opened_text(t, opened), reply_markup=customer_ticket_buttons(t, opened.ticket.id)
    )


def _opened_text(t: Texts, opened: Opened) -> str:
    if opened.agents_back_at is not None:
        back = opened.agents_back_at.strftime("%d.%m %H:%M %Z")
        return t(
            "support-opened-after-hours", id=opened.ticket.id, back=back, hotline=t("help-hotline")
        )
    return t(
        "support-opened",
        id=opened.ticket.id,
        position=opened.position,
        minutes=opened.answer_within,
    )


@router.callback_query(CloseCb.filter())
async def customer_closes(
    query: CallbackQuery,
    callback_data: CloseCb,
    t: Texts,
    tickets: TicketService,
    translator: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    ticket = await tickets.open_of(query.from_user.id)
    if ticket is None or ticket.id != callback_data.ticket_id:
        alert(callback_answer, t("support-nothing-to-close"))
        return
    closed = await tickets.close(ticket.id)
    await tickets.event(ticket.id, _agents(translator)("agents-closed-by-customer"))
    await tickets.changed(closed)
    if isinstance(query.message, Message):
        await query.message.answer(t("support-closed-by-you", id=ticket.id))


@router.callback_query(RateCb.filter())
async def rated(
    query: CallbackQuery,
    callback_data: RateCb,
    state: FSMContext,
    t: Texts,
    tickets: TicketService,
    translator: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    try:
        ticket = await tickets.rate(
            callback_data.ticket_id, query.from_user.id, callback_data.score
        )
    except TicketError:
        alert(callback_answer, t("button-stale"))
        return
    await tickets.event(
        ticket.id, _agents_line(translator, "agents-rated", stars="⭐" * callback_data.score)
    )
    await state.set_state(Support.comment)
    await state.update_data(ticket_id=ticket.id)
    if isinstance(query.message, Message):
        with contextlib.suppress(TelegramAPIError):
            await query.message.edit_reply_markup(reply_markup=None)
        await query.message.answer(t("support-rated"))


@in_flow.message(Support.comment, Command("skip"))
async def comment_skipped(
    message: Message, state: FSMContext, t: Texts, account: Account | None
) -> None:
    await state.clear()
    await show_menu(message, t, account, t("support-thanks"))


@in_flow.message(Support.comment, F.text)
async def comment_given(
    message: Message,
    state: FSMContext,
    t: Texts,
    tickets: TicketService,
    translator: Translator,
    account: Account | None,
) -> None:
    ticket_id = (await state.get_data()).get("ticket_id")
    await state.clear()
    if ticket_id is not None:
        try:
            await tickets.comment(ticket_id, message.chat.id, message.text or "")
            await tickets.event(
                ticket_id, _agents_line(translator, "agents-comment-title", message.text or "")
            )
        except Banned:
            await message.answer(t("support-banned", hotline=t("help-hotline")))
            return
        except TicketError:
            pass  # not their ticket (a forged state): thanked all the same, nothing stored
    await show_menu(message, t, account, t("support-thanks"))


@in_flow.message(Support.comment)
async def comment_invalid(message: Message, t: Texts) -> None:
    await message.answer(t("support-comment-text"))


@router.message(StateFilter(None), ~F.text.startswith("/"))
async def into_ticket(message: Message, t: Texts, tickets: TicketService, bot: Bot) -> None:
    """Outside any flow, whatever a customer with a ticket sends goes into it."""
    fed = await tickets.customer_wrote(person(message), written(message), t.locale)
    if fed.banned:
        await message.answer(t("support-banned", hotline=t("help-hotline")))
    elif fed.cannot_relay:  # said, not 👌: it did not go
        await message.answer(t("support-cannot-relay"))
    elif fed.ticket is None:
        raise SkipHandler  # no ticket: the fallback answers with the menu
    elif fed.throttled:
        await message.answer(t("support-throttled"))
    elif fed.opened is not None:
        await message.answer(
            _opened_text(t, fed.opened), reply_markup=customer_ticket_buttons(t, fed.ticket.id)
        )
    elif fed.reopened:
        await message.answer(
            t("support-reopened", id=fed.ticket.id),
            reply_markup=customer_ticket_buttons(t, fed.ticket.id),
        )
        await tickets.changed(await tickets.get(fed.ticket.id))
    else:
        # The customer answered: the agent's turn again.
        if fed.ticket.status == TicketStatus.WAITING:
            await tickets.changed(await tickets.get(fed.ticket.id))
        # A quiet receipt on the message itself instead of a wall of "received".
        with contextlib.suppress(TelegramAPIError):
            await bot.set_message_reaction(
                message.chat.id, message.message_id, [ReactionTypeEmoji(emoji="👌")]
            )


@router.edited_message()
async def customer_edited(message: Message, tickets: TicketService) -> None:
    if message.text or message.caption:
        await tickets.customer_edited(
            message.chat.id, message.message_id, message.text or message.caption or ""
        )


def _agents(translator: Translator) -> Texts:
    """The agents' forum speaks one language."""
    return translator(translator.default)


def _agents_line(translator: Translator, key: str, said: str = "", **args: object) -> str:
    """A line for a ticket's topic, stored plain (it is escaped when relayed), with what
    a person said after it as they said it."""
    title = _agents(translator).plain(key, **args)
    return f"{title}\n{said}" if said else title
