"""A failure in a handler is logged for us and apologised for to the person."""

from __future__ import annotations

import contextlib
import logging

from aiogram.exceptions import TelegramAPIError
from aiogram.types import ErrorEvent

from bot.i18n import Texts, Translator
from bot.relay import Relay
from bot.services.tickets import Banned

log = logging.getLogger(__name__)


async def on_error(
    event: ErrorEvent, translator: Translator, t: Texts | None = None, relay: Relay | None = None
) -> None:
    banned = isinstance(event.exception, Banned)
    if banned:  # not a failure: whatever flow led to agents, this customer does not reach them
        log.info("update %s: a banned customer was kept from agents", event.update.update_id)
    else:
        log.exception("update %s failed", event.update.update_id, exc_info=event.exception)
    update = event.update
    query = update.callback_query
    message = update.message or (query.message if query else None)
    user = update.message.from_user if update.message else (query.from_user if query else None)
    if message is None or user is None:
        return
    if message.chat.type != "private" and relay is not None:
        text = relay.agents_text("error-generic")  # the agents' forum speaks one language
    else:
        # `t` is there when the customer middleware ran: it knows the chosen language.
        texts = t or translator(translator.pick(None, user.language_code))
        key = "support-banned" if banned else "error-generic"
        text = texts(key, hotline=texts("help-hotline"))
    if query is not None:
        # Taps are answered after their handler, failed or not (handlers/taps.py); this
        # one is for a failure before it ran, and is refused when the tap has its answer.
        with contextlib.suppress(TelegramAPIError):
            await query.answer()
    with contextlib.suppress(TelegramAPIError):
        await message.answer(text)
