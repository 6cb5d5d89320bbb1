"""A banned customer reaches agents by no path, and is told so once, politely."""

from __future__ import annotations

from emulator import BotApiEmulator, SimUser, StoredMessage
from tests.e2e.conftest import AGENT, FORUM, RunningBot
from tests.e2e.flows import log_in, open_ticket, start_review
from tests.e2e.peers import SmsEndpoint
from tests.e2e.settle import settled

BANNED = "К сожалению, мы не можем принять"


async def _ban(running: RunningBot, customer_id: int) -> None:
    assert running.app is not None
    await running.app.services["tickets"].ban(customer_id, by=AGENT)  # type: ignore[attr-defined]


async def _order_card(anna: SimUser, number: str) -> StoredMessage:
    """From the list (typed text goes to the banned notice first): the order's card."""
    await anna.send("/orders")
    listing = await anna.next_message()
    await anna.click(listing, text=next(b for b in listing.button_texts() if b.startswith(number)))
    return await anna.next_message()


async def _nothing_reached_agents(running: RunningBot, before: int) -> None:
    await settled(running)
    assert len(running.emu.messages(FORUM)) == before


async def test_a_banned_customer_opens_nothing_from_an_orders_something_else(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await log_in(anna, sms)
    await _ban(running, 1001)
    await anna.click(await _order_card(anna, "12345678-0001"), text="Другое")
    await anna.next_message()
    await anna.send("Где мой заказ?")
    told = await anna.next_message()
    assert told.text.startswith(BANNED) and "8-800-234-55-66" in told.text
    await _nothing_reached_agents(running, 0)


async def test_a_banned_customers_complaint_does_not_reach_agents(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await log_in(anna, sms)
    await anna.send("10000006-0001")
    card = await anna.next_message()
    await _ban(running, 1001)  # mid-flow: the complaint itself is refused
    await anna.click(card, text="Товар повреждён")
    await anna.next_message()
    await anna.send("Чайник пришёл с трещиной")
    assert (await anna.next_message()).text.startswith(BANNED)
    await _nothing_reached_agents(running, 0)


async def test_a_banned_customers_recovery_review_does_not_reach_agents(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await _ban(running, 1001)
    await start_review(anna)
    for answer in ("Анна Петрова", "12345678-0001", "8 912 345-67-89", "+7 999 111-22-33"):
        await anna.send(answer)
        await anna.next_message()
    await anna.send(await sms.next_code())
    await anna.next_message()
    await anna.send("Потеряла SIM-карту")
    assert (await anna.next_message()).text.startswith(BANNED)
    await _nothing_reached_agents(running, 0)
    assert running.app is not None
    assert await running.app.services["recovery"].pending(1001) is None  # type: ignore[attr-defined]


async def test_a_banned_customers_rating_comment_does_not_reach_agents(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    topic = await open_ticket(emu, anna, "Не могу оплатить")
    await emu.user(AGENT).send_in_topic(FORUM, topic, "/close")
    rate = await emu.wait_for(
        lambda: next((m for m in anna.messages() if "⭐⭐⭐⭐⭐" in m.button_texts()), None), 10
    )
    await anna.click(rate, text="⭐⭐⭐⭐⭐")
    await emu.wait_for(lambda: anna.messages()[-1].text.startswith("Спасибо за оценку"), 10)
    await emu.wait_message(FORUM, thread_id=topic, predicate=lambda m: "⭐⭐⭐⭐⭐" in m.text)
    await _ban(running, 1001)
    before = len(emu.messages(FORUM))
    await anna.send("Всё плохо, и вот почему")
    await emu.wait_for(lambda: anna.messages()[-1].text.startswith(BANNED), 10)
    await _nothing_reached_agents(running, before)
