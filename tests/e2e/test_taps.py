"""A tap on a button: what it shows comes first, then its one answer."""

from __future__ import annotations

from typing import Any

import pytest

from emulator import BotApiEmulator, SimUser, StoredMessage
from tests.e2e.conftest import FORUM, STRANGER, RunningBot
from tests.e2e.settle import settled
from tests.e2e.test_support import _open_ticket


async def _tap_language(emu: BotApiEmulator) -> tuple[SimUser, StoredMessage]:
    """John taps Language in the menu; returns him and the menu."""
    john = emu.add_user(1002, "John", language_code="en")
    await john.send("/start")
    menu = await john.next_message()
    await john.click(menu, text="Language / Язык")
    return john, menu


async def _languages(emu: BotApiEmulator) -> tuple[SimUser, StoredMessage]:
    """John with the choice of languages in front of him."""
    john, _ = await _tap_language(emu)
    await emu.wait_callback_answer()
    return john, await john.next_message()


async def test_what_a_tap_shows_is_there_when_its_spinner_stops(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    john, menu = await _tap_language(emu)
    answer = await emu.wait_callback_answer()
    assert answer["text"] is None
    shown = emu.messages(john.id)[-1]  # already sent when the tap was answered
    assert shown.message_id != menu.message_id
    assert "language" in shown.text.lower()


async def test_a_tap_that_fails_is_answered_once_and_apologised_for(
    emu: BotApiEmulator, running: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_: Any) -> None:
        raise RuntimeError("the database went away")

    assert running.app is not None
    monkeypatch.setattr(running.app.services["customers"], "choose_locale", broken)
    john, languages = await _languages(emu)
    query = await john.click(languages, text="Русский")
    assert "try again" in (await john.next_message()).text.lower()
    answers = [a for a in emu.callback_answers if a["callback_query_id"] == query["id"]]
    assert len(answers) == 1


async def test_a_tap_that_expired_while_handled_gets_no_apology(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    john, languages = await _languages(emu)
    query = await john.click(languages, text="Русский")
    emu.world.callback_queries[query["id"]] = True  # Telegram will refuse its answer
    assert (await john.next_message()).text.startswith("Готово")
    await emu.wait_for(
        lambda: (
            query["id"] in [c["callback_query_id"] for c in emu.calls_to("answerCallbackQuery")]
        )
    )
    await john.send("/start")
    assert (await john.next_message()).text.startswith("Здравствуйте")
    assert not [m for m in emu.messages(john.id) if "пошло не так" in m.text]


async def test_a_tap_in_the_forum_by_someone_not_an_agent_stops_its_spinner(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    _, topic = await _open_ticket(emu, anna, "Вопрос по возврату")
    card = emu.messages(FORUM, thread_id=topic)[0]
    query = await emu.user(STRANGER).click(card, text="Взять")
    answer = await emu.wait_callback_answer(query["id"])
    assert answer["text"] is None
    await settled(running)  # a tap in the forum is answered before its posts
    assert not [m for m in emu.messages(FORUM, thread_id=topic) if "взял" in m.text]
