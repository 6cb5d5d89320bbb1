"""An answer a step could not read: said once, and the second time with its buttons named."""

from __future__ import annotations

from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot.telegram.i18n import Texts

_NAME_THE_BUTTONS_AT = 2  # one miss is a typo; two mean the buttons went unnoticed


async def unreadable(
    message: Message,
    state: FSMContext,
    t: Texts,
    text: str,
    buttons: tuple[str, ...],
    reply_markup: Any = None,
) -> None:
    """Answer `text`; from the second miss in the same step on, add the buttons'
    labels (`buttons` are their text keys) in words."""
    counter = f"misses-{await state.get_state()}"
    misses = int((await state.get_data()).get(counter, 0)) + 1
    await state.update_data({counter: misses})
    if misses >= _NAME_THE_BUTTONS_AT:
        named = ", ".join(t.plain("choices-item", label=t.plain(key)) for key in buttons)
        text = f"{text}\n\n{t('choices-named', choices=named)}"
    await message.answer(text, reply_markup=reply_markup)
