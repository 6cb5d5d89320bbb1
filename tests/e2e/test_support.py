"""The human queue end to end: customers in private chats, agents in a forum."""

from __future__ import annotations

import pytest

from emulator import BotApiEmulator, SimUser, StoredMessage
from tests.e2e.conftest import ADMIN, AGENT, FORUM, STRANGER, RunningBot
from tests.e2e.settle import settled


async def _open_ticket(emu: BotApiEmulator, anna: SimUser, text: str) -> tuple[StoredMessage, int]:
    """/support, a description; returns the customer's confirmation and the topic id."""
    await anna.send("/support")
    await anna.next_message()
    await anna.send(text)
    opened = await anna.next_message()
    card = await emu.wait_message(FORUM, predicate=lambda m: bool(m.button_texts()))
    assert card.thread_id is not None
    return opened, card.thread_id


async def test_ticket_by_command_gets_a_topic_with_a_context_card(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    anna = emu.add_user(1001, "Анна", username="anna", language_code="ru")
    opened, topic = await _open_ticket(emu, anna, "Не могу оплатить заказ картой")
    assert opened.text.startswith("Создал обращение №1. Вы 1-й в очереди")
    assert opened.button_texts() == ["Закрыть обращение"]
    assert emu.topic(FORUM, topic).name.startswith("🆕 #1 · Анна · Не могу оплатить")
    card = emu.messages(FORUM, thread_id=topic)[0]
    assert "@anna" in card.text and "1001" in card.text
    assert card.button_texts() == ["Взять", "Закрыть"]
    # The customer's first words go with the card: one post of the forum's 20 a minute.
    assert card.text.endswith("\n\n👤 Анна:\nНе могу оплатить заказ картой")
    assert "Последние сообщения" not in card.text  # not quoted as well
    assert len(emu.messages(FORUM, thread_id=topic)) == 1


async def test_ticket_by_menu_button_and_by_free_text(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    john = emu.add_user(1002, "John", language_code="en")
    await john.send("/start")
    menu = await john.next_message()
    await john.click(menu, text="Talk to a person")
    assert (await john.next_message()).text.startswith("Please describe the problem")
    await john.send("/cancel")
    await john.next_message()
    await john.send("I need a human")
    assert (await john.next_message()).text.startswith("Please describe the problem")
    await john.send("My parcel is lost")
    assert (await john.next_message()).text.startswith("Ticket #1 is open")

    anna = emu.add_user(1001, "Анна", language_code="ru")
    await anna.send("позовите оператора, у меня пропал заказ и деньги списались дважды")
    assert (await anna.next_message()).text.startswith("Создал обращение №2. Вы 2-й в очереди")


async def test_replies_notes_and_media_both_ways(emu: BotApiEmulator, running: RunningBot) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    ivan = emu.user(AGENT)
    _, topic = await _open_ticket(emu, anna, "Где мой заказ?")
    await ivan.send_in_topic(FORUM, topic, "/note проверить склад")
    assert (
        "Заметка сохранена"
        in (
            await emu.wait_message(FORUM, thread_id=topic, predicate=lambda m: "📝" in m.text)
        ).text
    )
    await ivan.send_in_topic(FORUM, topic, "Здравствуйте! <b>Уже</b> смотрю & проверяю.")
    reply = await anna.next_message()
    assert reply.text == "💬 Поддержка · Ivan Agent\nЗдравствуйте! <b>Уже</b> смотрю & проверяю."
    await ivan.send_in_topic(FORUM, topic, photo=True, caption="Вот трек")
    photo = await anna.next_message()
    assert photo.kind == "photo" and photo.text.endswith("Вот трек")
    assert not any("проверить склад" in m.text for m in anna.messages())

    await anna.send_photo(caption="фото коробки")
    relayed = await emu.wait_message(FORUM, thread_id=topic, predicate=lambda m: m.kind == "photo")
    assert relayed.text == "👤 Анна:\nфото коробки"
    await emu.wait_for(lambda: emu.topic(FORUM, topic).name.startswith("👤 #1"), 5)


async def test_take_close_rate_and_reopen(emu: BotApiEmulator, running: RunningBot) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    olga = emu.user(ADMIN)
    _, topic = await _open_ticket(emu, anna, "Вопрос по возврату")
    card = emu.messages(FORUM, thread_id=topic)[0]
    await olga.click(card, text="Взять")
    await emu.wait_message(FORUM, thread_id=topic, predicate=lambda m: "взял" in m.text)
    await emu.wait_for(lambda: emu.topic(FORUM, topic).name.startswith("👤 #1"), 5)
    await olga.send_in_topic(FORUM, topic, "/close")
    rate = await anna.next_message()
    assert rate.text.startswith("Специалист закрыл обращение №1")
    await emu.wait_for(lambda: emu.topic(FORUM, topic).name.startswith("✅ #1"), 5)
    await anna.click(rate, text="⭐⭐⭐⭐⭐")
    assert (await anna.next_message()).text.startswith("Спасибо за оценку")
    await anna.send("Всё быстро, спасибо!")
    assert (await anna.next_message()).text.startswith("Спасибо! Мы читаем")
    await emu.wait_message(FORUM, thread_id=topic, predicate=lambda m: "⭐⭐⭐⭐⭐" in m.text)
    await emu.wait_message(FORUM, thread_id=topic, predicate=lambda m: "Всё быстро" in m.text)

    await anna.send("Ой, ещё вопрос")
    assert (await anna.next_message()).text.startswith("Обращение №1 снова открыто")
    await emu.wait_message(FORUM, thread_id=topic, predicate=lambda m: "Ой, ещё вопрос" in m.text)


async def test_queue_orders_oldest_first_and_flags_overdue(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    john = emu.add_user(1002, "John", language_code="en")
    await _open_ticket(emu, anna, "первый")
    running.clock.advance(minutes=10)
    await _open_ticket(emu, john, "second")
    running.clock.advance(minutes=6)
    olga = emu.user(ADMIN)
    await olga.send_in_topic(FORUM, None, "/queue")
    queue = await emu.wait_message(FORUM, predicate=lambda m: "Очередь" in m.text)
    lines = queue.text.splitlines()
    assert lines[0] == "Очередь: 2"
    assert lines[1].startswith("⚠️ 🆕 №1 · Анна · ждёт 16 мин")
    assert lines[2].startswith("🆕 №2 · John · ждёт 6 мин")
    assert running.app is not None
    await running.app.services["relay"]._each_pass()  # type: ignore[attr-defined]
    announce = await emu.wait_message(FORUM, predicate=lambda m: "⏰" in m.text)
    assert announce.thread_id in (None, 1)
    assert "№1" in announce.text


async def test_stranger_in_the_forum_is_ignored(emu: BotApiEmulator, running: RunningBot) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    _, topic = await _open_ticket(emu, anna, "помогите")
    stranger = emu.user(STRANGER)
    await stranger.send_in_topic(FORUM, topic, "I am not an agent, pay me")
    await stranger.send_in_topic(FORUM, topic, "/close")
    await settled(running)
    assert anna.messages()[-1].text.startswith("Создал обращение")
    assert emu.topic(FORUM, topic).name.startswith("🆕")


async def test_customer_who_blocked_the_bot_is_marked_unreachable(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    _, topic = await _open_ticket(emu, anna, "вопрос")
    anna.block_bot()
    await emu.user(AGENT).send_in_topic(FORUM, topic, "Ответ")
    note = await emu.wait_message(FORUM, thread_id=topic, predicate=lambda m: "⛔" in m.text)
    assert "заблокировал" in note.text


async def test_deleted_topic_is_recreated_with_nothing_lost(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    _, topic = await _open_ticket(emu, anna, "первое сообщение")
    assert "первое" in emu.messages(FORUM, thread_id=topic)[0].text  # with the card
    assert running.app is not None
    await running.app.bot.delete_forum_topic(FORUM, topic)
    await anna.send("второе сообщение")
    fresh = await emu.wait_message(FORUM, predicate=lambda m: "удалили" in m.text)
    assert fresh.thread_id != topic
    assert "первое сообщение" in fresh.text  # the card quotes what came before
    second = await emu.wait_message(
        FORUM, thread_id=fresh.thread_id, predicate=lambda m: "второе" in m.text
    )
    assert second.text == "👤 Анна:\nвторое сообщение"


async def test_customer_edit_is_shown_to_agents(emu: BotApiEmulator, running: RunningBot) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    _, topic = await _open_ticket(emu, anna, "вопрос")
    sent = await anna.send("заказ 123")
    original = await emu.wait_message(FORUM, thread_id=topic, predicate=lambda m: "123" in m.text)
    await anna.edit(sent, "заказ 12345678-0001")
    edit = await emu.wait_message(FORUM, thread_id=topic, predicate=lambda m: "✏️" in m.text)
    assert edit.text.endswith("заказ 12345678-0001")
    assert edit.reply_to_message_id == original.message_id


async def test_album_arrives_as_an_album(emu: BotApiEmulator, running: RunningBot) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    _, topic = await _open_ticket(emu, anna, "товар разбит")
    await anna.send_media_group(3, caption="вот фото")
    parts = [
        await emu.wait_message(FORUM, thread_id=topic, predicate=lambda m: m.kind == "photo")
        for _ in range(3)
    ]
    assert len({p.media_group_id for p in parts}) == 1
    assert parts[0].text == "👤 Анна:\nвот фото"


async def test_html_and_very_long_text_arrive_intact(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    _, topic = await _open_ticket(emu, anna, "<script>alert(1)</script> & <b>жирный</b>")
    card = emu.messages(FORUM, thread_id=topic)[0]
    assert card.text.endswith("👤 Анна:\n<script>alert(1)</script> & <b>жирный</b>")
    long = ("слово " * 700).strip()  # 4199 characters
    await anna.send(long[:4096])
    chunks = [
        await emu.wait_message(FORUM, thread_id=topic, predicate=lambda m: "слово" in m.text)
        for _ in range(2)
    ]
    joined = chunks[0].text.removeprefix("👤 Анна:\n") + " " + chunks[1].text
    assert joined.split() == long[:4096].split()


async def test_first_words_too_long_for_the_card_follow_it(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    long = ("слово " * 660).strip()  # with the card over Telegram's 4,096 characters
    _, topic = await _open_ticket(emu, anna, long)
    card = emu.messages(FORUM, thread_id=topic)[0]
    assert "👤" not in card.text
    line = await emu.wait_message(FORUM, thread_id=topic, predicate=lambda m: "👤" in m.text)
    assert line.text == f"👤 Анна:\n{long}"


async def test_a_card_the_forum_holds_back_goes_into_the_topic_already_opened(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    # More 429s than one send waits out: the relay tries the card again later.
    emu.fail_next("sendMessage", 429, retry_after=1, times=6, chat_id=FORUM)
    await anna.send("/support")
    await anna.next_message()
    await anna.send("посылка не пришла")
    await anna.next_message()
    card = await emu.wait_message(FORUM, timeout=30, predicate=lambda m: bool(m.button_texts()))
    assert card.text.endswith("👤 Анна:\nпосылка не пришла")
    assert len(emu.calls_to("createForumTopic")) == 1
    assert emu.messages(FORUM, thread_id=card.thread_id) == [card]


@pytest.mark.parametrize("first", ["text", "photo"])  # with the card, or after it
async def test_a_ticket_closed_while_its_card_waits_keeps_one_topic_closed_after_it(
    emu: BotApiEmulator, running: RunningBot, first: str
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    emu.fail_next("sendMessage", 429, retry_after=1, times=6, chat_id=FORUM)
    await anna.send("/support")
    await anna.next_message()
    if first == "text":
        await anna.send("уже не нужно")
    else:
        await anna.send_photo(caption="уже не нужно")
    opened = await anna.next_message()
    await anna.click(opened, text="Закрыть обращение")
    if first == "text":  # in the card

        def arrived(m: StoredMessage) -> bool:
            return bool(m.button_texts()) and m.text.endswith("уже не нужно")
    else:  # after the card

        def arrived(m: StoredMessage) -> bool:
            return m.kind == "photo"

    words = await emu.wait_message(FORUM, timeout=30, predicate=arrived)
    assert words.thread_id is not None
    await emu.wait_for(lambda: emu.topic(FORUM, words.thread_id).closed, 10)
    assert len(emu.calls_to("createForumTopic")) == 1


async def test_a_topic_reopened_by_hand_takes_the_customers_next_words(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    _, topic = await _open_ticket(emu, anna, "вопрос")
    await emu.user(AGENT).send_in_topic(FORUM, topic, "/close")
    await anna.next_message()
    await emu.wait_for(lambda: emu.topic(FORUM, topic).closed, 10)
    assert running.app is not None
    await running.app.bot.reopen_forum_topic(FORUM, topic)  # an agent, by hand
    await anna.send("ещё вопрос")  # within the window: the ticket reopens
    line = await emu.wait_message(FORUM, predicate=lambda m: "ещё вопрос" in m.text)
    assert line.thread_id == topic


async def test_a_topic_telegram_would_not_close_is_closed_on_a_later_pass(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    _, topic = await _open_ticket(emu, anna, "вопрос")
    emu.fail_next("closeForumTopic", 500)
    await emu.user(AGENT).send_in_topic(FORUM, topic, "/close")
    await anna.next_message()
    await emu.wait_for(lambda: emu.calls_to("closeForumTopic"), 10)
    assert not emu.topic(FORUM, topic).closed
    assert running.app is not None
    await running.app.services["relay"]._each_pass()  # type: ignore[attr-defined]
    assert emu.topic(FORUM, topic).closed


async def test_a_card_refused_for_good_lets_the_customers_words_through(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    emu.fail_next(
        "sendMessage", 400, description="Bad Request: can't parse entities", chat_id=FORUM
    )
    await anna.send("/support")
    await anna.next_message()
    await anna.send("где мой заказ")
    await anna.next_message()
    first = await emu.wait_message(FORUM, predicate=lambda m: "где мой заказ" in m.text)
    assert first.text == "👤 Анна:\nгде мой заказ"
    await anna.send("и ещё вопрос")
    later = await emu.wait_message(FORUM, predicate=lambda m: "ещё вопрос" in m.text)
    assert later.thread_id == first.thread_id
    assert len(emu.calls_to("createForumTopic")) == 1


async def test_restart_in_the_middle_loses_nothing(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    _, topic = await _open_ticket(emu, anna, "старт")
    await running.stop()
    await anna.send("пока бот лежал")
    emu.fail_next("sendMessage", 500, times=1)
    await running.start()
    got = await emu.wait_message(
        FORUM, thread_id=topic, timeout=15, predicate=lambda m: "пока бот лежал" in m.text
    )
    assert got.text == "👤 Анна:\nпока бот лежал"


async def test_after_the_reopen_window_a_new_ticket_opens(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    _, topic = await _open_ticket(emu, anna, "первый вопрос")
    await emu.user(AGENT).send_in_topic(FORUM, topic, "/close")
    await anna.next_message()
    running.clock.advance(hours=25)
    await anna.send("новый вопрос через день")
    assert (await anna.next_message()).text.startswith("Создал обращение №2")
    card = await emu.wait_message(FORUM, predicate=lambda m: bool(m.button_texts()))
    assert card.thread_id != topic


async def test_topic_closed_by_hand_gets_a_fresh_topic(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    _, topic = await _open_ticket(emu, anna, "вопрос")
    assert running.app is not None
    await running.app.bot.close_forum_topic(FORUM, topic)
    await anna.send("ещё сообщение")
    fresh = await emu.wait_message(FORUM, predicate=lambda m: "закрыли вручную" in m.text)
    assert fresh.thread_id != topic
    await emu.wait_message(
        FORUM, thread_id=fresh.thread_id, predicate=lambda m: "ещё сообщение" in m.text
    )


async def test_topic_titles_are_cut_at_a_word_with_an_ellipsis(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    name = "Анна-Мария Константинопольская-Великорецкая фон Шлезвиг-Гольштейн"
    anna = emu.add_user(1001, name, language_code="ru")
    typed = "Не могу оплатить заказ картой, банк отклоняет платёж уже третий раз подряд"
    _, topic = await _open_ticket(emu, anna, typed)
    title = emu.topic(FORUM, topic).name
    assert len(title) <= 128
    assert title.startswith(f"🆕 #1 · {name} · Не могу оплатить")
    assert title.endswith("…")
    assert title[:-1].split()[-1] in typed.split()


async def test_a_rating_comment_is_escaped_once(emu: BotApiEmulator, running: RunningBot) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    _, topic = await _open_ticket(emu, anna, "Вопрос по возврату")
    await emu.user(AGENT).send_in_topic(FORUM, topic, "/close")
    await anna.click(await anna.next_message(), text="⭐⭐⭐")
    await anna.next_message()
    await anna.send("a < b & c > d")
    await anna.next_message()
    shown = await emu.wait_message(
        FORUM, thread_id=topic, predicate=lambda m: m.text.startswith("Комментарий клиента:")
    )
    assert shown.text == "Комментарий клиента:\na < b & c > d"
