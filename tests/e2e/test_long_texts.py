"""Long texts people write reach the other side whole, split at Telegram's limits, and
are stored as written."""

from __future__ import annotations

from typing import Any

import pytest

from bot.keyboards.orders import ItemCb, ItemsDoneCb
from bot.services.tickets import SUBJECT_LIMIT, shorten
from bot.settings import Settings
from emulator import BotApiEmulator, SimUser, StoredMessage
from tests.e2e.conftest import ADMIN, AGENT, FORUM, RunningBot
from tests.e2e.flows import log_in
from tests.e2e.peers import SmsEndpoint
from tests.e2e.test_recovery import _review_john
from tests.e2e.test_support import _open_ticket

TYPED = [
    pytest.param(length, kind, id=f"{kind}-{length}")
    for length in (2_500, 4_096, 10_000)
    for kind in ("words", "<")
]


def _typed(length: int, kind: str) -> str:
    if kind == "<":
        return "<" * length
    return ("слово " * length)[: length - 1] + "!"


def _squeezed(text: str) -> str:
    # Parts are cut at a space, and the space does not start the next part.
    return "".join(text.split())


async def _whole(emu: BotApiEmulator, chat_id: int, typed: str) -> list[StoredMessage]:
    """The bot's messages in the chat once they hold all of `typed`, in order."""
    wanted = _squeezed(typed)

    def shown() -> bool:
        return wanted in _squeezed("".join(m.text for m in emu.messages(chat_id)))

    await emu.wait_for(shown, 10)
    messages = emu.messages(chat_id)
    assert not any("{???}" in m.text or "???" in m.html for m in messages)
    return messages


async def _stored(running: RunningBot, sql: str) -> list[Any]:
    assert running.app is not None
    return [row[0] for row in await running.app.db.fetchall(sql)]


async def _anna(emu: BotApiEmulator, sms: SmsEndpoint) -> SimUser:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await log_in(anna, sms)
    return anna


@pytest.mark.parametrize(("length", "kind"), TYPED)
async def test_a_long_damage_description_reaches_agents_whole(
    emu: BotApiEmulator,
    running: RunningBot,
    sms: SmsEndpoint,
    settings: Settings,
    length: int,
    kind: str,
) -> None:
    anna = await _anna(emu, sms)
    await anna.send("10000006-0001")
    await anna.click(await anna.next_message(), text="Товар повреждён")
    await anna.next_message()
    typed = _typed(length, kind)
    await anna.send(typed)
    assert (await anna.next_message()).text.startswith("Передал специалисту")
    shown = await _whole(emu, FORUM, typed)
    assert "Заказ 10000006-0001: Товар повреждён." in shown[0].text
    (summary,) = await _stored(running, "SELECT text FROM ticket_messages WHERE direction = 'in'")
    title, words = summary.split("\n", 1)
    assert (title, words) == ("Заказ 10000006-0001: Товар повреждён.", typed)


@pytest.mark.parametrize(("length", "kind"), TYPED)
async def test_a_long_first_description_reaches_agents_whole(
    emu: BotApiEmulator, running: RunningBot, settings: Settings, length: int, kind: str
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    typed = _typed(length, kind)
    await _open_ticket(emu, anna, typed)
    await _whole(emu, FORUM, typed)
    assert await _stored(running, "SELECT text FROM ticket_messages") == [typed]
    (subject,) = await _stored(running, "SELECT subject FROM tickets")
    assert subject == shorten(typed, SUBJECT_LIMIT)


@pytest.mark.parametrize(("length", "kind"), TYPED)
async def test_a_long_rating_comment_reaches_agents_whole(
    emu: BotApiEmulator, running: RunningBot, settings: Settings, length: int, kind: str
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    _, topic = await _open_ticket(emu, anna, "Вопрос по возврату")
    await emu.user(AGENT).send_in_topic(FORUM, topic, "/close")
    await anna.click(await anna.next_message(), text="⭐⭐⭐⭐")
    await anna.next_message()
    typed = _typed(length, kind)
    await anna.send(typed)
    assert (await anna.next_message()).text.startswith("Спасибо! Мы читаем")
    shown = await _whole(emu, FORUM, typed)
    assert any(m.text.startswith("Комментарий клиента:\n") for m in shown)
    assert await _stored(running, "SELECT rating_comment FROM tickets") == [typed]


@pytest.mark.parametrize(("length", "kind"), TYPED)
async def test_a_long_reject_reason_reaches_the_customer_whole(
    emu: BotApiEmulator,
    running: RunningBot,
    sms: SmsEndpoint,
    settings: Settings,
    length: int,
    kind: str,
) -> None:
    john = emu.add_user(1002, "John", language_code="en")
    await _review_john(john, sms)
    card = await emu.wait_message(FORUM, predicate=lambda m: bool(m.button_texts()))
    typed = _typed(length, kind)
    await emu.user(ADMIN).send_in_topic(FORUM, card.thread_id, f"/reject {typed}")
    shown = await _whole(emu, john.id, typed)
    first = next(m for m in shown if m.text.startswith("Sorry, we couldn't restore access"))
    assert first.text.startswith(
        "Sorry, we couldn't restore access with this request. The reason:\n"
    )
    assert await _stored(running, "SELECT reason FROM recoveries") == [typed]


async def test_a_long_list_of_ticked_items_reaches_agents_whole(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint, settings: Settings
) -> None:
    john = emu.add_user(1002, "John", language_code="en")
    await log_in(john, sms, phone="+447911123456")
    await john.send("20000002-0001")
    await john.click(await john.next_message(), text="Wrong or missing items")
    checklist = await john.next_message()
    for index in range(99):  # all Telegram lets the list show
        await john.click(checklist, ItemCb(number="20000002-0001", index=index).pack())
        await emu.wait_edit(john.id, checklist.message_id)
    await john.click(checklist, ItemsDoneCb(number="20000002-0001").pack())
    assert (await john.next_message()).text.startswith("Passed to a specialist")
    ticked = "; ".join(f"Тарелка фарфоровая, серия {n} × 1" for n in range(99))  # 3,400 chars
    shown = await _whole(emu, FORUM, ticked)
    card = next(m for m in shown if m.button_texts())
    assert "Товары: Тарелка фарфоровая, серия 0 × 1" in card.text
    assert "весь список в сообщении клиента ниже" in card.text
    (summary,) = await _stored(running, "SELECT text FROM ticket_messages WHERE direction = 'in'")
    assert summary.split("\n", 1)[1] == ticked


async def test_a_caption_longer_than_the_room_left_by_the_header_arrives_whole(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await _open_ticket(emu, anna, "Пришло не то")
    typed = "<" * 1024
    await anna.send_photo(caption=typed)
    await _whole(emu, FORUM, typed)


async def test_a_long_canned_list_is_split(emu: BotApiEmulator, running: RunningBot) -> None:
    olga = emu.user(ADMIN)
    for number in range(45):
        await olga.send_in_topic(FORUM, None, f"/canned_set k{number} ru {'<текст> ' * 20}")
    await emu.wait_for(lambda: sum("сохранён" in m.text for m in emu.messages(FORUM)) == 45, 10)
    await olga.send_in_topic(FORUM, None, "/canned")
    first = await emu.wait_message(FORUM, predicate=lambda m: "Шаблоны:" in m.text)
    parts = [first]
    while sum(m.text.count("[ru]: ") for m in parts) < 45:
        parts.append(await emu.wait_message(FORUM, predicate=lambda m: "[ru]: " in m.text))
    assert len(parts) > 1
    listed = "\n".join(m.text for m in parts)
    assert all(f"k{number} [ru]: <текст>" in listed for number in range(45))
    assert all(len(m.text) <= 4096 for m in parts)
