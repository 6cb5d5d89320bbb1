"""A failure in a handler is logged for us and apologised for to the person."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import ErrorEvent

from bot.i18n import Translator

router = Router(name=__name__)
log = logging.getLogger(__name__)


@router.errors()
async def on_error(event: ErrorEvent, translator: Translator) -> None:
    log.exception("update %s failed", event.update.update_id, exc_info=event.exception)
    update = event.update
    message = update.message or (update.callback_query.message if update.callback_query else None)
    user = (
        update.message.from_user
        if update.message
        else (update.callback_query.from_user if update.callback_query else None)
    )
    if message is None or user is None:
        return
    t = translator(translator.pick(None, user.language_code))
    try:
        await message.answer(t("error-generic"))
    except TelegramAPIError:
        log.warning("could not tell chat %s about the failure", message.chat.id)
