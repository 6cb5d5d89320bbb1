"""The first minute with the bot: greeting, menu, language, help, cancel, restarts."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey

from emulator import BotApiEmulator
from tests.e2e.conftest import RunningBot
from tests.e2e.settle import settled


class Probe(StatesGroup):
    waiting = State()


async def test_start_greets_in_russian_with_the_menu(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await anna.send("/start")
    reply = await anna.next_message()
    assert reply.text.startswith("Здравствуйте, Анна!")
    assert "Язык / Language" in reply.button_texts()


async def test_start_greets_in_english(emu: BotApiEmulator, running: RunningBot) -> None:
    john = emu.add_user(1002, "John", language_code="en-GB")
    await john.send("/start")
    reply = await john.next_message()
    assert reply.text.startswith("Hello, John!")


async def test_other_languages_get_the_default(emu: BotApiEmulator, running: RunningBot) -> None:
    hans = emu.add_user(1003, "Hans", language_code="de")
    await hans.send("/start")
    assert (await hans.next_message()).text.startswith("Здравствуйте")


async def test_name_with_html_is_shown_as_typed(emu: BotApiEmulator, running: RunningBot) -> None:
    eve = emu.add_user(1004, "<b>Eve</b> & co", language_code="en")
    await eve.send("/start")
    assert (await eve.next_message()).text.startswith("Hello, <b>Eve</b> & co!")


async def test_language_switch_persists_across_restart(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await anna.send("/language")
    choice = await anna.next_message()
    await anna.click(choice, text="English")
    assert (await anna.next_message()).text.startswith("Done, we'll speak English")
    await running.restart()
    await anna.send("/start")
    assert (await anna.next_message()).text.startswith("Hello, Анна!")


async def test_language_from_the_menu_button(emu: BotApiEmulator, running: RunningBot) -> None:
    john = emu.add_user(1002, "John", language_code="en")
    await john.send("/start")
    menu = await john.next_message()
    await john.click(menu, text="Language / Язык")
    choice = await john.next_message()
    await john.click(choice, text="Русский")
    assert (await john.next_message()).text.startswith("Готово, теперь говорим по-русски")


async def test_unknown_input_of_any_kind_gets_the_menu(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    john = emu.add_user(1002, "John", language_code="en")
    await john.send("what is this")
    await john.send_sticker()
    await john.send_photo(caption="look")
    await john.send_voice()
    await john.send("x" * 4096)
    await john.send("/nonsense")
    for _ in range(6):
        reply = await john.next_message()
        assert reply.text.startswith("I didn't quite get that")
        assert reply.button_texts()


async def test_help_lists_commands_and_the_hotline(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    john = emu.add_user(1002, "John", language_code="en")
    await john.send("/help")
    text = (await john.next_message()).text
    assert "/language" in text
    assert "8-800-234-55-66" in text


async def test_cancel_works_with_and_without_a_state(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    john = emu.add_user(1002, "John", language_code="en")
    await john.send("/cancel")
    assert (await john.next_message()).text.startswith("There is nothing to cancel")
    assert running.app is not None
    key = StorageKey(bot_id=emu.bot_id, chat_id=1002, user_id=1002)
    await running.app.dp.storage.set_state(key, Probe.waiting)
    await john.send("/cancel")
    assert (await john.next_message()).text == "Left the current step."
    assert await running.app.dp.storage.get_state(key) is None


async def test_state_survives_a_full_restart(emu: BotApiEmulator, running: RunningBot) -> None:
    key = StorageKey(bot_id=emu.bot_id, chat_id=1001, user_id=1001)
    assert running.app is not None
    await running.app.dp.storage.set_state(key, Probe.waiting)
    await running.app.dp.storage.set_data(key, {"order": "12345678-0001"})
    await running.restart()
    assert running.app is not None
    assert await running.app.dp.storage.get_state(key) == "Probe:waiting"
    assert await running.app.dp.storage.get_data(key) == {"order": "12345678-0001"}


async def test_stale_button_gets_a_polite_answer(emu: BotApiEmulator, running: RunningBot) -> None:
    john = emu.add_user(1002, "John", language_code="en")
    await john.send("/start")
    menu = await john.next_message()
    await john.click(menu, text="Language / Язык")
    answer = await emu.wait_callback_answer()
    assert answer is not None
    menu.reply_markup["inline_keyboard"][0][0]["callback_data"] = "zz:old"
    await john.click(menu, "zz:old")
    stale = await emu.wait_callback_answer()
    assert "out of date" in stale["text"]


async def test_commands_are_set_in_both_languages(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    scope = {"type": "all_private_chats"}
    ru = emu.commands(scope, "ru")
    en = emu.commands(scope, "en")
    assert ru is not None
    assert en is not None
    assert [c["command"] for c in ru] == [c["command"] for c in en]
    assert {c["description"] for c in ru}.isdisjoint({c["description"] for c in en})
    assert emu.commands(scope) == ru


async def test_bot_stays_silent_in_other_groups(emu: BotApiEmulator, running: RunningBot) -> None:
    emu.add_forum(-500, "some other forum", members={1002: "member"})
    john = emu.add_user(1002, "John", language_code="en")
    await john.send_in_topic(-500, None, "hello bot")
    await john.send("/help")
    assert "/language" in (await john.next_message()).text
    await settled(running)  # the group's update is not ordered with John's chat
    assert emu.messages(-500) == []


async def test_failure_inside_a_handler_gets_an_apology(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    john = emu.add_user(1002, "John", language_code="en")
    emu.fail_next("sendMessage", 400, description="Bad Request: something odd")
    await john.send("/help")
    reply = await john.next_message()
    assert reply.text.startswith("Something went wrong on our side")
    assert "Traceback" not in reply.text


async def test_the_guest_menu_offers_i_changed_my_number(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await anna.send("/start")
    menu = await anna.next_message()
    assert "Я сменил номер" in menu.button_texts()
    await anna.click(menu, text="Я сменил номер")
    assert (await anna.next_message()).text.startswith("Сменили номер и не можете войти?")
