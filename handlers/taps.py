"""A tap on a button is answered once its handler is done.

``AnswerAfter`` (aiogram's ``CallbackAnswerMiddleware``, set up by ``handlers.route``) answers
every tap after its handler, also when the handler fails, so the spinner on the button
stops exactly once. Answering first put the answer's trip to Telegram ahead of what the
person waits for: an order's card came a whole round of the bot's work later under load.
Handlers that have something to say set it on the answer instead of answering themselves.

Taps in the agents' forum are the exception (``answers_itself``): what their handlers
post waits for the forum's turn, 20 posts a minute, and a tap answered that late has
expired.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery
from aiogram.utils.callback_answer import CallbackAnswer, CallbackAnswerMiddleware

log = logging.getLogger(__name__)

# Last of all: a tap nothing took (someone else's button in the agents' forum) still
# stops its spinner; in private chats the fallback's stale_button takes every tap.
unmatched = Router(name=f"{__name__}.unmatched")


@unmatched.callback_query()
async def untaken(_query: CallbackQuery) -> None:
    """Answered empty by ``AnswerAfter``."""


class AnswerAfter(CallbackAnswerMiddleware):
    async def answer(self, event: CallbackQuery, callback_answer: CallbackAnswer) -> None:  # type: ignore[override]
        # The handler's work is done and shown: an answer Telegram refuses now (the tap
        # expired while its messages waited for their turn) must not turn into an
        # apology, nor hide the handler's own error.
        try:
            await super().answer(event, callback_answer)
        except TelegramAPIError as error:
            log.debug("tap %s not answered: %s", event.id, error)


def answers_itself() -> dict[str, Any]:
    """Handler flags: the handler answers its tap itself (aiogram keeps and updates a
    handler's flags in place, so each handler gets its own)."""
    return {"callback_answer": {"disabled": True}}


def alert(answer: CallbackAnswer, text: str) -> None:
    """The tap's answer is `text`, in a window the person closes."""
    answer.text = text
    answer.show_alert = True
