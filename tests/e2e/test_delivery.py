"""Delivery to the agents' forum under Telegram's limits: 429s, restarts, sends in flight."""

from __future__ import annotations

import re

from emulator import BotApiEmulator, SimUser
from tests.e2e.conftest import AGENT, FORUM, RunningBot
from tests.e2e.settle import settled
from tests.e2e.test_support import _open_ticket

NUMBERED = re.compile(r"сообщение (\d+)")
_POSTS = ("sendMessage", "copyMessage")


def _numbers_in_forum(emu: BotApiEmulator, topic: int) -> list[int]:
    """Every numbered line the agents got, in the order they got it (merged or not)."""
    return [
        int(number)
        for message in emu.messages(FORUM, thread_id=topic)
        for number in NUMBERED.findall(message.text)
    ]


async def _until_forum_has(emu: BotApiEmulator, topic: int, count: int, timeout: float) -> None:
    await emu.wait_for(lambda: len(_numbers_in_forum(emu, topic)) >= count, timeout)


async def _write(anna: SimUser, numbers: range) -> None:
    for number in numbers:
        await anna.send(f"сообщение {number}")


async def test_behind_a_429_waiting_texts_go_as_one_with_their_times(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    _, topic = await _open_ticket(emu, anna, "старт")
    emu.fail_next("sendMessage", 429, retry_after=2)
    await _write(anna, range(6))
    await _until_forum_has(emu, topic, 6, timeout=15)
    assert _numbers_in_forum(emu, topic) == list(range(6))
    relays = [m for m in emu.messages(FORUM, thread_id=topic) if NUMBERED.search(m.text)]
    assert len(relays) < 6  # the backlog went merged, not one by one
    merged = relays[-1].text
    assert merged.startswith("👤 Анна:\n[12:00] сообщение")  # each line with its time


async def test_429s_and_500s_lose_nothing_and_send_nothing_twice(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    _, topic = await _open_ticket(emu, anna, "старт")
    emu.set_failure_rate(0.4, statuses=(429, 500), retry_after=1, seed=3, methods=("sendMessage",))
    await _write(anna, range(15))  # within the per-customer rate limit
    await _until_forum_has(emu, topic, 15, timeout=60)
    emu.clear_failures()
    assert _numbers_in_forum(emu, topic) == list(range(15))


async def test_a_restart_in_the_middle_of_a_backlog_resumes_it(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    _, topic = await _open_ticket(emu, anna, "старт")
    # The forum is closed for now. (A short hold: with REDIS_URL a hold is the bot's, not
    # the process's, and outlives the restart, as Telegram's does.)
    emu.fail_next("sendMessage", 429, retry_after=2, times=50)
    await _write(anna, range(10))
    # all stored and confirmed
    await emu.wait_for(lambda: len(emu.calls_to("setMessageReaction")) >= 10, 10)
    await running.stop()
    assert _numbers_in_forum(emu, topic) == []
    emu.clear_failures()
    await running.start()
    await _until_forum_has(emu, topic, 10, timeout=15)
    assert _numbers_in_forum(emu, topic) == list(range(10))


async def test_a_send_in_flight_at_a_stop_is_recorded_not_repeated(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    _, topic = await _open_ticket(emu, anna, "старт")
    emu.server.latency = 1.0  # the forum answers slowly: the stop comes mid-send
    await anna.send("сообщение 1")
    await emu.wait_for(
        lambda: any("сообщение 1" in c.get("text", "") for c in emu.calls_to("sendMessage")), 10
    )
    assert running.app is not None
    await running.app.services["relay"].stop()  # type: ignore[attr-defined] - the shutdown hook
    await running.stop()
    emu.server.latency = 0.0
    await running.start()
    await anna.send("сообщение 2")
    await _until_forum_has(emu, topic, 2, timeout=10)
    await settled(running)  # a duplicate would have been sent by now
    assert _numbers_in_forum(emu, topic) == [1, 2]


async def test_an_edit_made_before_the_reply_arrived_still_follows(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    _, topic = await _open_ticket(emu, anna, "старт")
    emu.fail_next("sendMessage", 429, retry_after=1)  # the reply waits a second
    sent = await emu.user(AGENT).send_in_topic(FORUM, topic, "Вернём 100 руб.")
    await emu.user(AGENT).edit_in_topic(sent, "Вернём 1000 руб.")
    reply = await anna.next_message(timeout=10)
    edited = await emu.wait_edit(1001, reply.message_id, timeout=10)
    assert edited.text.endswith("Вернём 1000 руб.")


async def test_a_notice_decided_while_telegram_refuses_arrives_once_after_a_restart(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await _open_ticket(emu, anna, "старт")
    running.clock.advance(minutes=30)
    emu.fail_next("sendMessage", 429, retry_after=2, times=50)  # the forum is closed for now
    assert running.app is not None
    await running.app.services["relay"]._each_pass()  # type: ignore[attr-defined]
    await running.stop()
    assert not [m for m in emu.messages(FORUM) if "⏰" in m.text]
    emu.clear_failures()
    await running.start()
    await emu.wait_message(FORUM, predicate=lambda m: "⏰" in m.text, timeout=10)
    await running.app.services["relay"]._each_pass()  # type: ignore[attr-defined] - once more
    await settled(running)  # a second one would have been sent by now
    assert len([m for m in emu.messages(FORUM) if "⏰" in m.text]) == 1


async def test_an_agents_reply_does_not_wait_for_a_forum_telegram_holds_back(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    _, topic = await _open_ticket(emu, anna, "старт")
    tried = len(emu.calls_to("sendMessage"))
    emu.fail_next("sendMessage", 429, retry_after=30)  # the forum is closed for half a minute
    await _write(anna, range(1))
    await emu.wait_for(lambda: len(emu.calls_to("sendMessage")) > tried, 5)  # met the 429
    await emu.user(AGENT).send_in_topic(FORUM, topic, "Уже смотрим")
    reply = await anna.next_message(timeout=5)
    assert reply.text.endswith("Уже смотрим")
    assert _numbers_in_forum(emu, topic) == []  # Anna's line still waits its turn


async def test_lines_of_several_tickets_reach_the_forum_side_by_side_a_few_at_a_time(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    customers = [emu.add_user(1001 + n, f"Клиент {n}", language_code="ru") for n in range(8)]
    for customer in customers:
        await _open_ticket(emu, customer, "старт")

    def asked() -> int:  # calls are recorded as they arrive, posts as they are answered
        return sum(1 for c in emu.calls if c.method in _POSTS and c.params["chat_id"] == FORUM)

    before, on_wire = asked(), []  # forum posts asked for and not answered, at each answer

    def on_event(event: dict[str, object]) -> None:
        if event.get("type") == "bot_message" and event.get("chat_id") == FORUM:
            on_wire.append(asked() - before - len(on_wire))

    unsubscribe = emu.subscribe(on_event)
    emu.latency = 0.5  # each call to Telegram takes half a second: sends overlap or queue
    try:
        for customer in customers:
            await customer.send("сообщение 1")
        await emu.wait_for(lambda: len(on_wire) >= len(customers), 15)
    finally:
        emu.latency = 0
        unsubscribe()
    # Side by side: one at a time, each post would wait for the answer to the one before.
    assert max(on_wire) >= 2
    # The rest of the time goes to answering customers: at most four on the wire at once.
    assert max(on_wire) <= 4


async def test_lines_queued_behind_other_tickets_go_to_the_forum_merged(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    customers = [emu.add_user(1001 + n, f"Клиент {n}", language_code="ru") for n in range(8)]
    topics = [(await _open_ticket(emu, customer, "старт"))[1] for customer in customers]
    emu.latency = 0.5  # the forum is slow: tickets queue for it
    try:
        for customer in customers:
            await _write(customer, range(3))
        for topic in topics:
            await _until_forum_has(emu, topic, 3, timeout=20)
    finally:
        emu.latency = 0
    posts = 0
    for topic in topics:
        assert _numbers_in_forum(emu, topic) == [0, 1, 2]
        posts += sum(1 for m in emu.messages(FORUM, thread_id=topic) if NUMBERED.search(m.text))
    assert posts < 3 * len(topics)  # a ticket that waited for its turn sent its lines as one


def _tries_of(emu: BotApiEmulator, text: str) -> int:
    return sum(1 for c in emu.calls_to("sendMessage") if text in str(c.get("text", "")))


async def test_an_outage_of_the_forum_is_waited_out_by_the_relay_and_each_line_goes_once(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    _, topic = await _open_ticket(emu, anna, "старт")
    emu.fail_next("sendMessage", 500, times=3, chat_id=FORUM)
    await _write(anna, range(3))
    await _until_forum_has(emu, topic, 3, timeout=15)
    assert _numbers_in_forum(emu, topic) == [0, 1, 2]


async def test_a_line_the_forum_refuses_is_not_tried_again_and_the_next_one_goes(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    _, topic = await _open_ticket(emu, anna, "старт")
    emu.fail_next(
        "sendMessage", 400, description="Bad Request: can't parse entities", chat_id=FORUM
    )
    await anna.send("сообщение 0")
    await emu.wait_for(lambda: _tries_of(emu, "сообщение 0") == 1)
    await anna.send("сообщение 1")
    await _until_forum_has(emu, topic, 1, timeout=10)
    assert _numbers_in_forum(emu, topic) == [1]
    assert _tries_of(emu, "сообщение 0") == 1


async def test_a_late_line_is_recorded_before_its_topic_is_closed_again(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    """A rating reopens its closed topic, goes in, and the topic is closed again: the line
    counts as relayed before that close is sent, so a crash while it is on its way does
    not post the rating again at the next start."""
    anna = emu.add_user(1001, "Анна", language_code="ru")
    _, topic = await _open_ticket(emu, anna, "старт")
    await emu.user(AGENT).send_in_topic(FORUM, topic, "/close")
    rate = await anna.next_message()
    await emu.wait_for(lambda: emu.topic(FORUM, topic).closed, 5)
    holding = True
    emu.server.drop_after = 2.0  # the close hangs, then fails as a lost request
    emu.server.on_call = lambda call: holding and call.method == "closeForumTopic"
    await anna.click(rate, text="⭐⭐⭐⭐⭐")
    await emu.wait_message(FORUM, thread_id=topic, predicate=lambda m: "⭐⭐⭐⭐⭐" in m.text)
    # Counted once the line is in: a pass may close the topic again before it (the first
    # close's mark not written yet), and the line is recorded only when its answer is back.
    closes = len(emu.calls_to("closeForumTopic"))
    await emu.wait_for(lambda: len(emu.calls_to("closeForumTopic")) > closes, 5)
    assert running.app is not None
    messages = running.app.services["relay"]._messages  # type: ignore[attr-defined]
    assert await messages.pending_of(1, False, 10) == []
    holding = False
    await emu.wait_for(lambda: emu.topic(FORUM, topic).closed, 15)


async def test_a_long_reply_cut_off_between_its_parts_goes_on_without_repeating_them(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    """Telegram takes a long reply's first part and fails the second (a 502): tried
    again, the reply goes on from the second part, and the first is not posted twice."""
    anna = emu.add_user(1001, "Анна", language_code="ru")
    _, topic = await _open_ticket(emu, anna, "старт")
    armed: list[bool] = []

    def on_event(event: dict[str, object]) -> None:
        if event.get("type") == "bot_message" and event.get("chat_id") == 1001 and not armed:
            armed.append(True)  # the first part is in: the next one fails
            emu.fail_next("sendMessage", 502, chat_id=1001)

    long_reply = " ".join(f"слово{n}" for n in range(900))  # about 7,000 characters
    unsubscribe = emu.subscribe(on_event)
    try:
        await emu.user(AGENT).send_in_topic(FORUM, topic, long_reply)
        await emu.wait_for(lambda: any("слово899" in m.text for m in anna.messages()), 15)
    finally:
        unsubscribe()
    parts = [m.text for m in anna.messages() if "слово" in m.text]
    assert len(parts) == 2, parts
    assert "слово0 " in parts[0] and "слово899" in parts[1]
