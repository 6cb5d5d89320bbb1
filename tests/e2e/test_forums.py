"""Several agents' forums (SUPPORT_CHATS): a ticket opens in the forum that takes its kind
and language, goes to an overflow forum once that one's posts for the minute are spent,
and stays there; agents act only in the forums they are members of."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.domain.forums import ForumLane
from bot.keyboards.support import AgentAction, TicketCb
from bot.settings import Settings
from emulator import BotApiEmulator, SimUser
from tests.conftest import RedisScope
from tests.e2e.conftest import ADMIN, AGENT, RunningBot
from tests.e2e.flows import log_in, running_with, ticket_card
from tests.e2e.peers import SmsEndpoint
from tests.e2e.settle import settled

ORDERS, RUSSIAN, ENGLISH = -1001000000011, -1001000000012, -1001000000013
EN_AGENT = 9003  # a member of the English forum only
ODD_AGENT = 9004  # a name with HTML's own characters in it
BUDGET = 6  # posts a minute into one forum, here and in the emulator
LANES = [
    {"chat_id": ORDERS, "name": "orders", "categories": ["damaged", "delivery", "refund"]},
    {"chat_id": RUSSIAN, "name": "ru", "languages": ["ru"]},
    {"chat_id": ENGLISH, "name": "en", "languages": ["en"], "overflow": True},
]


@pytest.fixture
async def emu(shared_redis: RedisScope | None) -> AsyncIterator[BotApiEmulator]:
    token = {"token": shared_redis.token} if shared_redis else {}
    limits = {"private_limit_per_second": 1000, "private_burst": 1000}
    async with BotApiEmulator(
        **token, enforce_limits=True, group_limit_per_minute=BUDGET, **limits
    ) as emulator:
        emulator.add_user(ADMIN, "Olga Admin", language_code="en")
        emulator.add_user(AGENT, "Ivan Agent", language_code="en")
        emulator.add_user(EN_AGENT, "Jane Agent", language_code="en")
        emulator.add_user(ODD_AGENT, "R&D <Lead>", language_code="en")
        for chat_id, title in ((ORDERS, "Orders"), (RUSSIAN, "Russian"), (ENGLISH, "English")):
            # Jane reads the others (restricted: not an agent there).
            members = {
                ADMIN: "administrator",
                AGENT: "member",
                EN_AGENT: "restricted",
                ODD_AGENT: "member",
            }
            if chat_id == ENGLISH:
                members = {ADMIN: "administrator", EN_AGENT: "member"}
            emulator.add_forum(chat_id, title, members=members)
        yield emulator


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "support_chat_id": None,
            "support_chats": tuple(ForumLane.model_validate(lane) for lane in LANES),
            "outbound_group_per_minute": BUDGET,
        }
    )


async def _support(emu: BotApiEmulator, customer: SimUser, text: str, forum: int) -> int:
    """The ticket's topic, in ``forum`` and nowhere else."""
    before = {f: len(emu.messages(f)) for f in (ORDERS, RUSSIAN, ENGLISH)}
    card = await ticket_card(emu, customer, text, forum)
    assert card.thread_id is not None
    others = [f for f in before if f != forum]
    assert all(len(emu.messages(f)) == before[f] for f in others)
    return card.thread_id


async def test_a_ticket_opens_where_its_kind_and_language_go_and_overflows_when_spent(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    john = emu.add_user(2001, "John", language_code="en")
    await _support(emu, john, "my parcel is lost", ENGLISH)
    for number in range(BUDGET):  # the Russian forum's minute, post by post
        customer = emu.add_user(2100 + number, f"Клиент {number}", language_code="ru")
        await _support(emu, customer, f"вопрос {number}", RUSSIAN)
    # Spent: the next Russian ticket goes to the overflow forum, the least busy.
    late = emu.add_user(2200, "Поздний", language_code="ru")
    topic = await _support(emu, late, "ещё вопрос", ENGLISH)
    await late.send("и ещё строка")  # it stays where it opened
    await emu.wait_message(ENGLISH, thread_id=topic, predicate=lambda m: "ещё строка" in m.text)
    # A damaged order's complaint: the orders forum, whatever the language.
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await log_in(anna, sms)
    await anna.send("10000006-0001")
    await anna.click(await anna.next_message(), text="Товар повреждён")
    await anna.next_message()
    await anna.send_media_group(2)
    await anna.next_message()
    await anna.send("Чайник пришёл с трещиной")
    card = await emu.wait_message(ORDERS, predicate=lambda m: bool(m.button_texts()))
    assert "трещиной" in card.text


async def test_agents_see_and_act_in_their_own_forums_only(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    topic = await _support(emu, anna, "где мой заказ", RUSSIAN)
    john = emu.add_user(2001, "John", language_code="en")
    await _support(emu, john, "where is my order", ENGLISH)
    ivan, jane = emu.user(AGENT), emu.user(EN_AGENT)

    await ivan.send_in_topic(RUSSIAN, None, "/queue")
    queue = await emu.wait_message(RUSSIAN, predicate=lambda m: "Анна" in m.text)
    assert "John" not in queue.text
    await ivan.send_in_topic(RUSSIAN, None, "/queue all")
    both = await emu.wait_message(RUSSIAN, predicate=lambda m: "orders" in m.text)
    assert "ru" in both.text and "Анна" in both.text
    assert "John" not in both.text  # the English forum is not Ivan's
    await emu.user(ADMIN).send_in_topic(ENGLISH, None, "/queue all")
    everything = await emu.wait_message(ENGLISH, predicate=lambda m: "Анна" in m.text)
    assert "John" in everything.text

    # Jane, of the English forum only, writes in the Russian one: nothing reaches Анна.
    await jane.send_in_topic(RUSSIAN, topic, "hello from elsewhere")
    # A tap forged in the English forum for the Russian forum's ticket is refused.
    card_en = next(m for m in emu.messages(ENGLISH) if m.button_texts())
    ticket_id = int(queue.text.split("№")[1].split()[0])
    forged = TicketCb(action=AgentAction.TAKE, ticket_id=ticket_id).pack()
    await jane.click_forged(card_en, forged)
    await settled(running)
    assert not any("hello from elsewhere" in m.text for m in anna.messages())
    assert "Jane" not in "".join(m.text for m in emu.messages(RUSSIAN))
    answers = [a for a in emu.callback_answers if a.get("show_alert")]
    assert answers, "the forged tap gets an alert, not a taken ticket"


async def test_a_ticket_moved_to_another_forum_goes_on_there_with_its_card_and_history(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    topic = await _support(emu, anna, "чайник не греет", RUSSIAN)
    ivan = emu.user(AGENT)
    await ivan.send_in_topic(RUSSIAN, topic, "Уточню у коллег")
    await anna.next_message()
    await ivan.send_in_topic(RUSSIAN, topic, "/move nowhere")
    await emu.wait_message(RUSSIAN, thread_id=topic, predicate=lambda m: "/move" in m.text)
    await ivan.send_in_topic(RUSSIAN, topic, "/move orders")
    await emu.wait_message(RUSSIAN, thread_id=topic, predicate=lambda m: "orders" in m.text)
    card = await emu.wait_message(ORDERS, predicate=lambda m: bool(m.button_texts()))
    assert "чайник не греет" in card.text  # the history came along
    moved = await emu.wait_message(
        ORDERS, thread_id=card.thread_id, predicate=lambda m: "ru" in m.text and "Ivan" in m.text
    )
    assert moved.thread_id == card.thread_id
    assert emu.topic(RUSSIAN, topic).closed
    await anna.send("а теперь?")  # her next words go to the new topic
    await emu.wait_message(ORDERS, thread_id=card.thread_id, predicate=lambda m: "?" in m.text)
    assert not any("теперь" in m.text for m in emu.messages(RUSSIAN))


async def test_each_forum_assigns_its_own_online_agents_and_stats_counts_each_forum(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    async with running_with(running, auto_assign=True) as bot:
        ivan, jane = emu.user(AGENT), emu.user(EN_AGENT)
        await ivan.send_in_topic(RUSSIAN, None, "/online")
        await emu.wait_message(RUSSIAN, predicate=lambda m: "на месте" in m.text)
        await jane.send_in_topic(ENGLISH, None, "/online")
        await emu.wait_message(ENGLISH, predicate=lambda m: "на месте" in m.text)
        anna = emu.add_user(1001, "Анна", language_code="ru")
        ru_card = await ticket_card(emu, anna, "где мой заказ", RUSSIAN)
        john = emu.add_user(2001, "John", language_code="en")
        en_card = await ticket_card(emu, john, "where is my order", ENGLISH)
        assert "Ivan Agent" in ru_card.text and "Jane" not in ru_card.text
        assert "Jane Agent" in en_card.text and "Ivan" not in en_card.text
        await settled(bot)
        await emu.user(ADMIN).send_in_topic(ORDERS, None, "/stats")
        report = await emu.wait_message(ORDERS, predicate=lambda m: "📊" in m.text)
        for forum in ("ru", "en"):
            section = report.text.split(f"📂 {forum}")[1].split("📂")[0]
            assert "Открыто 1 · закрыто 0 · открыто сейчас 1" in section


async def test_the_moved_line_names_the_agent_as_they_are_named(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    topic = await _support(emu, anna, "нужен возврат", RUSSIAN)
    await emu.user(ODD_AGENT).send_in_topic(RUSSIAN, topic, "/move ORDERS")
    card = await emu.wait_message(ORDERS, predicate=lambda m: bool(m.button_texts()))
    moved = await emu.wait_message(
        ORDERS, thread_id=card.thread_id, predicate=lambda m: "Перенесено" in m.text
    )
    assert "R&D <Lead>" in moved.text  # escaped once, as the relay posts it
