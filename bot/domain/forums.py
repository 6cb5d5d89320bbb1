"""The agents' forums (SUPPORT_CHATS): what kinds of tickets each takes, and in which
languages. Telegram lets a bot post about 20 times a minute into one group, and a
forum is one group: a large support team needs several, each a lane of its own."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from bot.domain.values import Locale


class Category(StrEnum):
    """What a ticket is about, as the forums are split."""

    DELIVERY = "delivery"
    DAMAGED = "damaged"
    REFUND = "refund"
    RECOVERY = "recovery"
    OTHER = "other"


# A ticket's problem (an order's, or a recovery's review) by the category it falls in.
_CATEGORY_OF = {
    "where": Category.DELIVERY,
    "late": Category.DELIVERY,
    "damaged": Category.DAMAGED,
    "wrong": Category.DAMAGED,
    "return": Category.REFUND,
    "refund": Category.REFUND,
    "cancel": Category.REFUND,
    "recovery": Category.RECOVERY,
}


def category_of(problem: str | None) -> Category:
    return _CATEGORY_OF.get(problem or "", Category.OTHER)


class ForumLane(BaseModel):
    """One forum: the categories and languages it takes (none named: all of them). An
    overflow forum takes what the others cannot while their minute is spent."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    chat_id: int = Field(lt=0)  # a supergroup's id is negative
    name: str = Field(default="", max_length=32, pattern=r"^[\w-]*$")
    categories: frozenset[Category] = frozenset()
    languages: frozenset[Locale] = frozenset()
    overflow: bool = False

    @property
    def label(self) -> str:
        """How agents name it in /move: its name, else its id."""
        return self.name or str(self.chat_id)

    def takes(self, category: Category, locale: Locale) -> bool:
        """Whether a ticket of this kind belongs here (an overflow forum that names no
        kind takes none: only what overflows)."""
        if self.overflow and not self.categories and not self.languages:
            return False
        kinds = not self.categories or category in self.categories
        return kinds and (not self.languages or locale in self.languages)


def _from_text(value: object) -> object:
    """SUPPORT_CHATS as written: JSON, or blank for none."""
    if not isinstance(value, str):
        return value
    if not value.strip():
        return ()
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        raise ValueError(
            'must be JSON, like [{"chat_id": -1001234567890, "categories": ["delivery"]}]'
        ) from None


def _one_lane_a_forum(lanes: tuple[ForumLane, ...]) -> tuple[ForumLane, ...]:
    ids, names = [f.chat_id for f in lanes], [f.name for f in lanes if f.name]
    if len(set(ids)) < len(ids) or len(set(names)) < len(names):
        raise ValueError("names a forum (its chat_id or its name) twice")
    return lanes


Forums = Annotated[
    tuple[ForumLane, ...], BeforeValidator(_from_text), AfterValidator(_one_lane_a_forum)
]
