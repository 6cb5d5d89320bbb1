"""A tap on a button is answered once its handler is done.

aiogram's ``CallbackAnswerMiddleware`` (set up in ``bot.app``) answers every tap after its
handler, also when the handler fails, so the spinner on the button stops exactly once.
Answering first put the answer's trip to Telegram ahead of what the person waits for: an
order's card came a whole round of the bot's work later under load. Handlers that have
something to say set it on the answer instead of answering themselves.

Taps in the agents' forum are the exception (``ANSWERS_ITSELF``): what their handlers post
waits for the forum's turn, 20 posts a minute, and a tap answered that late has expired.
"""

from __future__ import annotations

from aiogram.utils.callback_answer import CallbackAnswer

ANSWERS_ITSELF = {"callback_answer": {"disabled": True}}


def alert(answer: CallbackAnswer, text: str) -> None:
    """The tap's answer is `text`, in a window the person closes."""
    answer.text = text
    answer.show_alert = True
