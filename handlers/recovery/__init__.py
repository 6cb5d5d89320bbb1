"""Access recovery after a number change, the customer's side. /recover starts it; the
email path proves the owner by a code to the account's email, the review path by what
an agent checks; either ends with the new number confirmed by a code."""

from __future__ import annotations

from aiogram.types import Message

from bot.telegram.i18n import Texts
from handlers.recovery import by_email, new_phone, review, start
from handlers.recovery.flow import in_flow, router

__all__ = ["by_email", "in_flow", "new_phone", "review", "router", "start"]


# Registered once every step module is: the flow's last word, after all of its steps.
@in_flow.message()
async def recovery_text_only(message: Message, t: Texts) -> None:
    await message.answer(t("recover-text-only"))
