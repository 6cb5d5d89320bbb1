"""Assignment end to end: agents /online and /away in the forum, new tickets given to
them (AUTO_ASSIGN) with a mention in the topic, and overdue tickets told to the forum at
the first-response target and to the admins at twice it."""

from __future__ import annotations

import pytest

from bot.settings import Settings
from emulator import BotApiEmulator, SimUser, StoredMessage
from tests.e2e.conftest import ADMIN, AGENT, FORUM, RunningBot
from tests.e2e.flows import ticket_card
from tests.e2e.settle import settled


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"auto_assign": True})


async def _said(emu: BotApiEmulator, agent: SimUser, command: str, expected: str) -> None:
    await agent.send_in_topic(FORUM, None, command)
    await emu.wait_message(FORUM, predicate=lambda m: expected in m.text)


def _mentions(emu: BotApiEmulator, topic: int, agent_id: int) -> list[StoredMessage]:
    return [
        m
        for m in emu.messages(FORUM, thread_id=topic)
        if f'href="tg://user?id={agent_id}"' in m.html
    ]


async def test_an_online_agent_gets_new_tickets_with_a_mention_until_away(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    ivan = emu.user(AGENT)
    await _said(emu, ivan, "/online", "Вы на месте в этом форуме")
    anna = emu.add_user(1001, "Анна", language_code="ru")
    card = await ticket_card(emu, anna, "Где мой заказ?")
    topic = card.thread_id
    assert "Ведёт: Ivan Agent" in card.text  # drawn as the ticket is: already held
    mention = await emu.wait_message(
        FORUM, thread_id=topic, predicate=lambda m: "назначено вам" in m.text
    )
    assert mention.text.startswith("👋 Ivan Agent\nОбращение назначено вам автоматически")
    assert _mentions(emu, topic, AGENT) == [mention]
    assert emu.messages(FORUM, thread_id=topic).index(mention) == 1  # after the card
    assert emu.topic(FORUM, topic).name.startswith("👤 #1 · Анна → Ivan Agent")

    await _said(emu, ivan, "/away", "Вы отошли в этом форуме")
    john = emu.add_user(1002, "John", language_code="en")
    card = await ticket_card(emu, john, "Where is my parcel?")
    topic = card.thread_id
    await settled(running)
    assert "Ведёт" not in card.text
    assert emu.topic(FORUM, topic).name.startswith("🆕 #2")
    assert _mentions(emu, topic, AGENT) == []
    await _said(emu, ivan, "/away", "Вы и не были на месте")


async def test_two_online_agents_get_tickets_by_fewest_open(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    ivan, olga = emu.user(AGENT), emu.user(ADMIN)
    await _said(emu, ivan, "/online", "Вы на месте")
    running.clock.advance(minutes=1)  # Ivan is online longer: he wins a tie
    await _said(emu, olga, "/online", "Вы на месте")
    holders = []
    for n, name in enumerate(("Анна", "Борис", "Вера")):
        customer = emu.add_user(1001 + n, name, language_code="ru")
        card = await ticket_card(emu, customer, f"вопрос {n}")
        holders.append(card.text.split("Ведёт: ")[1].split("\n")[0])
    assert holders == ["Ivan Agent", "Olga Admin", "Ivan Agent"]
    await settled(running)
    topics = [m.thread_id for m in emu.messages(FORUM) if m.button_texts()]
    assert [len(_mentions(emu, t, AGENT)) for t in topics] == [1, 0, 1]
    assert [len(_mentions(emu, t, ADMIN)) for t in topics] == [0, 1, 0]


async def test_overdue_is_told_to_the_forum_at_the_target_and_to_admins_at_twice_once(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await ticket_card(emu, anna, "помогите")  # nobody online: it waits

    async def a_pass() -> None:
        assert running.app is not None
        await running.app.services["relay"]._each_pass()  # type: ignore[attr-defined]
        await settled(running)

    def told_forum() -> list[StoredMessage]:
        return [m for m in emu.messages(FORUM) if "⏰" in m.text]

    def told_admin() -> list[StoredMessage]:
        return [m for m in emu.messages(ADMIN) if "🚨" in m.text]

    running.clock.advance(minutes=16)
    await a_pass()
    assert len(told_forum()) == 1 and told_admin() == []
    running.clock.advance(minutes=15)
    await a_pass()
    await running.restart()  # marked told: a restart tells no one again
    await a_pass()
    assert len(told_forum()) == 1
    [escalated] = told_admin()
    assert escalated.text.startswith("🚨 Обращение №1 (Анна) в -1001000000001 ждёт")
    assert "дольше 30 мин" in escalated.text and "Ведёт: не назначено" in escalated.text
    assert emu.messages(AGENT) == []  # an agent who is not an admin hears nothing privately
