"""A failure in a handler is logged for us and apologised for to the person."""

from __future__ import annotations

import contextlib
import logging

from aiogram.exceptions import TelegramAPIError
from aiogram.types import ErrorEvent

from bot.services.tickets import Banned, TicketNotFound
from bot.telegram.i18n import Texts, Translator

log = logging.getLogger(__name__)
_STALE = (TicketNotFound, OverflowError)  # OverflowError: an id past SQLite's integers


async def on_error(event: ErrorEvent, translator: Translator, t: Texts | None = None) -> None:
    update = event.update
    query = update.callback_query
    message = update.message or (query.message if query else None)
    user = update.message.from_user if update.message else (query.from_user if query else None)
    # What an old or forged button points at is gone or never was: no fault of ours.
    stale = query is not None and isinstance(event.exception, _STALE)
    banned = isinstance(event.exception, Banned)
    if stale:
        log.warning("tap %s points at nothing: %r", update.update_id, event.exception)
    elif banned:  # not a failure: whatever flow led to agents, this customer does not reach them
        log.info("update %s: a banned customer was kept from agents", update.update_id)
    else:
        log.exception("update %s failed", update.update_id, exc_info=event.exception)
    if message is None or user is None:
        return
    key = "button-stale" if stale else "support-banned" if banned else "error-generic"
    if message.chat.type != "private":
        # The agents' forum speaks one language.
        text = translator(translator.default)("agents-button-stale" if stale else key)
    else:
        # `t` is there when the customer middleware ran: it knows the chosen language.
        texts = t or translator(translator.pick(None, user.language_code))
        text = texts(key, hotline=texts("help-hotline"))
    if stale and query is not None:
        try:
            await query.answer(text, show_alert=True)
            return
        except TelegramAPIError:  # answered already (handlers/taps.py): say it in the chat
            pass
    elif query is not None:
        # Taps are answered after their handler, failed or not (handlers/taps.py); this
        # one is for a failure before it ran, and is refused when the tap has its answer.
        with contextlib.suppress(TelegramAPIError):
            await query.answer()
    with contextlib.suppress(TelegramAPIError):
        await message.answer(text)
