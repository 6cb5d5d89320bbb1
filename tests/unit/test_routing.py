"""Which forum a new ticket opens in: its kind and language, then the overflow."""

from __future__ import annotations

import pytest

from bot.domain.forums import Category, ForumLane, category_of
from bot.domain.values import Locale
from bot.services.routing import choose, forum_for
from bot.settings import SettingsError, load_settings

ORDERS = ForumLane(chat_id=-1, name="orders", categories=frozenset({Category.DAMAGED}))
RU = ForumLane(chat_id=-2, name="ru", languages=frozenset({Locale.RU}))
EN = ForumLane(chat_id=-3, name="en", languages=frozenset({Locale.EN}))
SPARE = ForumLane(chat_id=-4, name="spare", overflow=True)
FORUMS = (ORDERS, RU, EN, SPARE)


@pytest.mark.parametrize(
    ("category", "locale", "forum"),
    [
        (Category.DAMAGED, Locale.RU, ORDERS),  # the first that takes it
        (Category.DAMAGED, Locale.EN, ORDERS),
        (Category.OTHER, Locale.RU, RU),
        (Category.REFUND, Locale.EN, EN),
    ],
)
def test_the_first_forum_that_takes_the_kind_and_the_language(
    category: Category, locale: Locale, forum: ForumLane
) -> None:
    assert choose(FORUMS, category, locale, {}, budget=20) == forum.chat_id


def test_a_spent_forum_overflows_to_the_least_busy_that_takes_it() -> None:
    spent = {ORDERS.chat_id: 20, RU.chat_id: 3, SPARE.chat_id: 5}
    # RU takes damaged in Russian too, and is less busy than the overflow forum.
    assert choose(FORUMS, Category.DAMAGED, Locale.RU, spent, budget=20) == RU.chat_id
    assert choose(FORUMS, Category.DAMAGED, Locale.EN, spent, budget=20) == EN.chat_id
    assert choose((ORDERS, SPARE), Category.DAMAGED, Locale.EN, spent, budget=20) == SPARE.chat_id
    everything = {f.chat_id: 30 for f in FORUMS}
    assert choose(FORUMS, Category.OTHER, Locale.RU, everything, budget=20) == RU.chat_id


def test_a_kind_no_forum_takes_goes_to_the_overflow_then_to_any_language() -> None:
    only_ru = (RU, SPARE)
    assert choose(only_ru, Category.OTHER, Locale.EN, {}, budget=20) == SPARE.chat_id
    assert choose((RU, EN), Category.OTHER, Locale.RU, {}, budget=20) == RU.chat_id
    assert choose((EN,), Category.OTHER, Locale.RU, {}, budget=20) == EN.chat_id


def test_problems_fall_into_categories_and_warnings_find_the_recovery_forum() -> None:
    assert category_of("where") is category_of("late") is Category.DELIVERY
    assert category_of("wrong") is Category.DAMAGED
    assert category_of("cancel") is Category.REFUND
    assert category_of(None) is category_of("anything") is Category.OTHER
    recovery = ForumLane(chat_id=-5, categories=frozenset({Category.RECOVERY}))
    assert forum_for((ORDERS, recovery), Category.RECOVERY) == recovery.chat_id
    assert forum_for((ORDERS,), Category.RECOVERY) == ORDERS.chat_id
    assert forum_for((), Category.RECOVERY) is None


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ('[{"chat_id": -1}, {"chat_id": -1}]', "twice"),
        ('[{"chat_id": -1, "categories": ["shoes"]}]', "'delivery'"),
        ('[{"chat_id": 5}]', "less than 0"),
        ("forum-1", "JSON"),
    ],
)
def test_support_chats_that_cannot_be_used_stop_the_start_naming_why(
    text: str, why: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUPPORT_CHATS", text)
    with pytest.raises(SettingsError, match=why):
        load_settings(bot_token="1:x", _env_file=None)
