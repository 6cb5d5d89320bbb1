"""The agents' tools: canned replies, bans, edits, the queue without a forum."""

from __future__ import annotations

from bot.settings import Settings
from emulator import BotApiEmulator, SimUser
from tests.e2e.conftest import ADMIN, AGENT, FORUM, STRANGER, RunningBot
from tests.e2e.flows import open_ticket
from tests.e2e.peers import SmsEndpoint
from tests.e2e.settle import settled


async def test_canned_replies_speak_the_customers_language(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    olga, ivan = emu.user(ADMIN), emu.user(AGENT)
    await olga.send_in_topic(FORUM, None, "/canned_set refund ru Деньги вернутся за 2-3 дня.")
    await olga.send_in_topic(FORUM, None, "/canned_set refund en Money comes back in 2-3 days.")
    await ivan.send_in_topic(FORUM, None, "/canned_set hello en Hi!")
    refused = await emu.wait_message(FORUM, predicate=lambda m: "администраторы" in m.text)
    assert refused is not None
    john = emu.add_user(1002, "John", language_code="en")
    topic = await open_ticket(emu, john, "refund please")
    await ivan.send_in_topic(FORUM, topic, "/reply refund")
    assert (await john.next_message()).text.endswith("Money comes back in 2-3 days.")
    await ivan.send_in_topic(FORUM, topic, "/reply nothing")
    missing = await emu.wait_message(
        FORUM, thread_id=topic, predicate=lambda m: "nothing" in m.text
    )
    assert "/canned" in missing.text


async def test_ban_stops_a_customer_and_unban_lets_them_back(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    topic = await open_ticket(emu, anna)
    await emu.user(AGENT).send_in_topic(FORUM, topic, "/ban")
    await emu.wait_message(FORUM, thread_id=topic, predicate=lambda m: "администраторы" in m.text)
    await emu.user(ADMIN).send_in_topic(FORUM, topic, "/ban")
    await emu.wait_message(FORUM, thread_id=topic, predicate=lambda m: "заблокирован" in m.text)
    await anna.send("спам спам спам")
    assert (await anna.next_message()).text.startswith("К сожалению, мы не можем принять")
    await settled(running)
    assert not any("спам" in m.text for m in emu.messages(FORUM, thread_id=topic))
    await emu.user(ADMIN).send_in_topic(FORUM, topic, "/unban")
    await emu.wait_message(FORUM, thread_id=topic, predicate=lambda m: "снята" in m.text)
    await anna.send("извините")
    await emu.wait_message(FORUM, thread_id=topic, predicate=lambda m: "извините" in m.text)


async def test_flooding_customer_is_slowed_down(emu: BotApiEmulator, running: RunningBot) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    topic = await open_ticket(emu, anna)
    for number in range(20):
        await anna.send(f"флуд {number}")
    slow = await anna.next_message()
    assert slow.text.startswith("Вы пишете очень быстро")
    running.clock.advance(minutes=1)
    await anna.send("теперь спокойно")
    await emu.wait_message(FORUM, thread_id=topic, predicate=lambda m: "спокойно" in m.text)


async def test_agent_edit_follows_to_the_customer(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    topic = await open_ticket(emu, anna)
    sent = await emu.user(AGENT).send_in_topic(FORUM, topic, "Вернём 100 руб.")
    reply = await anna.next_message()
    await emu.user(AGENT).edit_in_topic(sent, "Вернём 1000 руб.")
    edited = await emu.wait_edit(1001, reply.message_id)
    assert edited.text.endswith("Вернём 1000 руб.")


async def test_card_shows_the_linked_account_masked(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await anna.send("/login")
    await anna.next_message()
    await anna.send("+79123456789")
    await anna.next_message()
    await anna.send((await sms.next())["code"])
    await anna.next_message()
    await anna.next_message()
    await open_ticket(emu, anna)
    card = emu.messages(FORUM)[0]
    assert "Аккаунт: Анна (A1), телефон +7 912 ***-**-89" in card.text


async def test_after_hours_the_customer_hears_when_agents_are_back(
    emu: BotApiEmulator, settings: Settings, running: RunningBot
) -> None:
    await running.stop()
    running.settings = settings.model_copy(update={"support_hours": "10:00-18:00"})
    running.clock.advance(hours=10)  # 19:00 UTC, 22:00 in Moscow
    await running.start()
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await anna.send("/support")
    await anna.next_message()
    await anna.send("срочно нужна помощь")
    told = await anna.next_message()
    assert "вернутся 02.11 10:00 MSK" in told.text
    assert "8-800-234-55-66" in told.text


async def test_without_a_forum_tickets_wait_and_admins_see_the_queue(
    emu: BotApiEmulator, settings: Settings, running: RunningBot
) -> None:
    await running.stop()
    running.settings = settings.model_copy(update={"support_chat_id": None})
    await running.start()
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await anna.send("/support")
    await anna.next_message()
    await anna.send("есть кто живой?")
    assert (await anna.next_message()).text.startswith("Создал обращение №1")
    olga = emu.user(ADMIN)
    await olga.send("/queue")
    queue = await olga.next_message()
    assert "Анна" in queue.text
    john = emu.add_user(1002, "John", language_code="en")
    await john.send("/queue")
    assert (await john.next_message()).text.startswith("I didn't quite get that")
    assert emu.messages(FORUM) == []


async def test_an_agent_answering_in_several_topics_is_served_topic_by_topic_at_once(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    customers = [emu.add_user(1001 + n, f"Клиент {n}", language_code="ru") for n in range(6)]
    topics = [await open_ticket(emu, customer) for customer in customers]
    chats, start = {customer.id for customer in customers}, len(emu.calls)
    asked_at_first: list[int] = []  # customers the bot had called when the first call came back

    def on_event(event: dict[str, object]) -> None:
        # calls are recorded as they arrive, messages as they are answered
        if event.get("type") == "bot_message" and event.get("chat_id") in chats:
            called = {c.params.get("chat_id") for c in emu.calls[start:]} & chats
            asked_at_first.append(len(called))

    unsubscribe = emu.subscribe(on_event)
    emu.latency = 1.0  # each call to Telegram takes a second: calls overlap or queue
    try:
        for n, topic in enumerate(topics):
            await emu.user(AGENT).send_in_topic(FORUM, topic, f"Ответ {n}")
        for n, customer in enumerate(customers):
            assert (await customer.next_message(timeout=10)).text.endswith(f"Ответ {n}")
    finally:
        emu.latency = 0
        unsubscribe()
    # one agent's answers in six topics did not queue behind each other's calls: all six
    # were on the wire before the first came back
    assert asked_at_first[0] == len(customers)


async def test_a_topic_telegram_will_not_rename_now_costs_the_agent_nothing(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    topic = await open_ticket(emu, anna)
    emu.fail_next("editForumTopic", 429, retry_after=30)
    await emu.user(AGENT).send_in_topic(FORUM, topic, "Смотрю ваш заказ")
    assert (await anna.next_message()).text.endswith("Смотрю ваш заказ")
    await settled(running)
    apologies = [m for m in emu.messages(FORUM) if "wrong" in m.text or "не так" in m.text]
    assert apologies == []


async def test_a_failure_in_the_forum_is_apologised_for_in_the_forums_language(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    emu.fail_next("sendMessage", 400, description="Bad Request: something odd")
    await emu.user(AGENT).send_in_topic(FORUM, None, "/queue")  # an agent with English Telegram
    apology = await emu.wait_message(FORUM, predicate=lambda m: "не так" in m.text)
    assert apology.text.startswith("Что-то пошло не так на нашей стороне")


async def test_taking_a_ticket_someone_holds_asks_first_and_tells_them(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    topic = await open_ticket(emu, anna)
    card = emu.messages(FORUM, thread_id=topic)[0]
    ivan, olga = emu.user(AGENT), emu.user(ADMIN)
    await ivan.send_in_topic(FORUM, topic, "/take")
    await emu.wait_for(lambda: "Ведёт: Ivan Agent" in card.text, 5)
    assert "→ Ivan Agent" in emu.topic(FORUM, topic).name

    await olga.click(card, text="Взять")
    asked = await emu.wait_message(
        FORUM, thread_id=topic, predicate=lambda m: "Забрать себе?" in m.text
    )
    assert "уже ведёт Ivan Agent" in asked.text
    await olga.send_in_topic(FORUM, topic, "/take")  # a command asks the same
    await emu.wait_for(
        lambda: sum("Забрать себе?" in m.text for m in emu.messages(FORUM, thread_id=topic)) == 2,
        5,
    )
    assert "Ведёт: Ivan Agent" in card.text  # nothing changed hands yet

    await olga.click(asked, text="Да, забрать")
    told = await emu.wait_message(FORUM, thread_id=topic, predicate=lambda m: "забрал" in m.text)
    assert told.text.startswith("Обращение №1 забрал(а) Olga Admin у Ivan Agent.")
    assert f"tg://user?id={AGENT}" in told.html  # a mention: Telegram tells Ivan
    assert asked.button_texts() == []
    await emu.wait_for(lambda: "Ведёт: Olga Admin" in card.text, 5)
    assert "→ Olga Admin" in emu.topic(FORUM, topic).name


async def _said(emu: BotApiEmulator, agent: SimUser, command: str, expected: str) -> str:
    """An agent's command in the forum's general topic, and the bot's reply to it."""
    await agent.send_in_topic(FORUM, None, command)
    reply = await emu.wait_message(FORUM, predicate=lambda m: expected in m.text)
    return reply.text


async def _all_handled(emu: BotApiEmulator, running: RunningBot) -> None:
    """Every update sent so far was taken by the bot (a later poll confirms it) and
    handled: whatever it was to cause has happened."""
    last = max(e["update"]["update_id"] for e in emu.events if e["type"] == "update")
    await emu.wait_for(
        lambda: any(int(c.get("offset") or 0) > last for c in emu.calls_to("getUpdates"))
    )
    assert running.app is not None
    await running.app.incoming.wait_idle()


async def test_canned_replies_are_listed_saved_used_and_deleted(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    olga, ivan = emu.user(ADMIN), emu.user(AGENT)
    assert "Шаблонов пока нет" in await _said(emu, olga, "/canned", "Шаблон")
    saved = await _said(emu, olga, "/canned_set refund ru Вернём за 2-3 дня.", "сохранён")
    assert saved == "Шаблон «refund» [ru] сохранён."
    await _said(emu, olga, "/canned_set refund en Back in 2-3 days.", "[en] сохранён")
    await _said(emu, olga, "/canned_set hello en Hi!", "«hello» [en] сохранён")
    listed = await _said(emu, ivan, "/canned", "Шаблоны:")  # any agent may look
    assert listed.splitlines() == [
        "Шаблоны:",
        "hello [en]: Hi!",
        "refund [en]: Back in 2-3 days.",
        "refund [ru]: Вернём за 2-3 дня.",
    ]
    john = emu.add_user(1002, "John", language_code="en")
    topic = await open_ticket(emu, john, "refund please")
    await ivan.send_in_topic(FORUM, topic, "/reply REFUND")  # keys are not case-sensitive
    assert (await john.next_message()).text.endswith("Back in 2-3 days.")

    assert await _said(emu, olga, "/canned_del refund", "удалён") == "Шаблон «refund» удалён."
    assert "refund" not in await _said(emu, olga, "/canned", "Шаблоны:")
    again = await _said(emu, olga, "/canned_del refund", "нет")
    assert again.startswith("Шаблона «refund» нет")  # not "deleted" a second time
    await ivan.send_in_topic(FORUM, topic, "/reply refund")
    missing = await emu.wait_message(FORUM, thread_id=topic, predicate=lambda m: "нет" in m.text)
    assert missing.text.startswith("Шаблона «refund» нет")


async def test_canned_commands_with_odd_input_answer_with_the_format(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    olga = emu.user(ADMIN)
    for odd in (
        "/canned_set",
        "/canned_set refund",  # no language
        "/canned_set refund ru",  # no text
        "/canned_set refund de Geld zurück",  # a language the bot does not speak
        "/canned_del",  # no key
        "/canned_del refund please",
    ):
        usage = await _said(emu, olga, odd, "Формат:")
        assert usage == "Формат: /canned_set ключ ru|en текст, /canned_del ключ", odd
    assert "Шаблонов пока нет" in await _said(emu, olga, "/canned", "Шаблон")


async def test_a_long_canned_reply_is_shown_cut_and_sent_whole(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    olga = emu.user(ADMIN)
    text = "Шаг <1> & " + "подробно " * 449  # 4,051: near what a command can carry
    await _said(emu, olga, f"/canned_set steps ru {text}", "сохранён")
    listed = await _said(emu, olga, "/canned", "Шаблоны:")
    assert listed.splitlines()[1] == f"steps [ru]: {text[:100]}".rstrip()
    anna = emu.add_user(1001, "Анна", language_code="ru")
    topic = await open_ticket(emu, anna)
    await emu.user(AGENT).send_in_topic(FORUM, topic, "/reply steps")
    sent = (await anna.next_message()).text
    assert sent.startswith("💬 Поддержка · Ivan Agent\nШаг <1> & подробно")
    assert "".join(sent.split()).endswith("".join(text.split()))  # whole, signs as typed


async def test_only_admins_change_canned_replies_and_only_agents_see_them(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    olga, ivan, stranger = emu.user(ADMIN), emu.user(AGENT), emu.user(STRANGER)
    await _said(emu, olga, "/canned_set refund ru Вернём за 2-3 дня.", "сохранён")
    for change in ("/canned_set hello ru Привет", "/canned_del refund"):
        assert await _said(emu, ivan, change, "админ") == "Это могут только администраторы."
    # In the forum, but not an agent: not a word back, and nothing changes.
    await stranger.send_in_topic(FORUM, None, "/canned_del refund")
    await stranger.send_in_topic(FORUM, None, "/canned")
    await _all_handled(emu, running)
    assert [m.text for m in emu.messages(FORUM)][-1] == "Это могут только администраторы."
    assert "refund [ru]" in await _said(emu, ivan, "/canned", "Шаблоны:")
    # A customer's /canned in their own chat is a command the bot does not know.
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await anna.send("/canned")
    assert (await anna.next_message()).text.startswith("Не совсем понял.")
