"""Help with an order, end to end."""

from __future__ import annotations

import re

import pytest

from bot.ports.marketplace import OrderStatus
from emulator import BotApiEmulator, SimUser, StoredMessage
from tests.e2e.conftest import AGENT, FORUM, RunningBot
from tests.e2e.flows import log_in
from tests.e2e.peers import SmsEndpoint


async def _anna(emu: BotApiEmulator, sms: SmsEndpoint, language: str = "ru") -> SimUser:
    anna = emu.add_user(1001, "Анна", language_code=language)
    await log_in(anna, sms)
    return anna


async def _open_order(anna: SimUser, number: str) -> StoredMessage:
    """Type the number; returns the card, with the problem buttons under it."""
    await anna.send(number)
    return await anna.next_message()


async def test_list_is_newest_first_paginated_and_numbers_can_be_typed(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = await _anna(emu, sms)
    await anna.send("/orders")
    first = await anna.next_message()
    buttons = first.button_texts()
    assert buttons[0].startswith("12345678-0001 · 01.11 · в пути")
    assert buttons[1].startswith("10000001-0001")
    assert buttons[-1] == "Старее →"
    await anna.click(first, text="Старее →")
    second = await emu.wait_edit(1001, first.message_id)
    assert second.button_texts()[0].startswith("10000006-0001")
    assert "← Новее" in second.button_texts()
    await anna.send("10000006 0001")
    card = await anna.next_message()
    assert card.text.startswith("Заказ 10000006-0001 — получен")


async def test_a_huge_order_still_fits_its_card_in_one_message(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    john = emu.add_user(1002, "John", language_code="en")
    await log_in(john, sms, phone="+447911123456")
    await john.send("20000002-0001")
    card = await john.next_message()
    assert "• Тарелка фарфоровая, серия 0 × 1" in card.text
    assert re.search(r"• … and \d+ more items", card.text)
    assert card.text.endswith("What happened with the order?")
    await john.click(card, text="Wrong or missing items")
    checklist = await john.next_message()
    assert len(checklist.button_texts()) == 100  # Telegram's most: 99 items and "Done"


async def test_someone_elses_order_looks_missing(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = await _anna(emu, sms)
    await anna.send("20000001-0001")
    theirs = (await anna.next_message()).text
    await anna.send("99999999-0001")
    missing = (await anna.next_message()).text
    assert theirs.replace("20000001", "X") == missing.replace("99999999", "X")


async def test_card_in_russian_and_english(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = await _anna(emu, sms)
    await anna.send("10000006-0001")
    message = await anna.next_message()
    card = message.text
    assert "Оформлен 22.10.2026, оплата: картой" in card
    assert "• Кружка & блюдце × 2 — 990 ₽" in card
    assert "Итого: 3 480 ₽" in card.replace("\xa0", " ")
    assert card.endswith("Что случилось с заказом?")
    assert message.button_texts()[:3] == [
        "Товар повреждён",
        "Не тот товар или не всё пришло",
        "Хочу вернуть",
    ]
    await anna.send("/language")
    await anna.click(await anna.next_message(), text="English")
    await anna.next_message()
    await anna.send("10000005-0001")
    card = (await anna.next_message()).text
    assert card.startswith("Order 10000005-0001 — at the pickup point")
    assert "Pickup point: Москва, Тверская, 7" in card


async def test_eta_answer_for_an_order_on_its_way(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = await _anna(emu, sms)
    problems = await _open_order(anna, "12345678-0001")
    await anna.click(problems, text="Где заказ / задерживается")
    assert "приедет к 05.11.2026" in (await anna.next_message()).text


async def test_late_order_is_escalated_marked_late(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = await _anna(emu, sms)
    problems = await _open_order(anna, "10000004-0001")
    await anna.click(problems, text="Где заказ / задерживается")
    told = await anna.next_message()
    assert told.text.startswith("Простите, заказ опаздывает: его ждали 25.10.2026")
    card = await emu.wait_message(FORUM, predicate=lambda m: bool(m.button_texts()))
    assert "Заказ: 10000004-0001, проблема: Заказ опаздывает" in card.text


async def test_a_complaint_joining_an_open_ticket_updates_title_and_card(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = await _anna(emu, sms)
    late = await _open_order(anna, "10000004-0001")
    await anna.click(late, text="Где заказ / задерживается")
    await anna.next_message()
    card = await emu.wait_message(FORUM, predicate=lambda m: bool(m.button_texts()))
    topic = card.thread_id
    assert topic is not None
    assert "10000004-0001" in emu.topic(FORUM, topic).name
    await anna.send("/orders")  # with a ticket open, a typed number goes into the ticket
    listed = await anna.next_message()
    await anna.click(listed, text=listed.button_texts()[0])  # 12345678-0001
    other = await anna.next_message()
    await anna.click(other, text="Другое")
    await anna.next_message()
    await anna.send("Чайник пришёл с трещиной")
    assert (await anna.next_message()).text.startswith("Передал специалисту — обращение №1")
    await emu.wait_for(lambda: "12345678-0001" in emu.topic(FORUM, topic).name, 5)
    assert "Заказ: 12345678-0001, проблема: Другое" in card.text
    assert card.button_texts() == ["Взять", "Закрыть"]  # still the card, buttons and all
    await emu.wait_message(FORUM, thread_id=topic, predicate=lambda m: "трещиной" in m.text)


async def test_the_same_button_again_after_the_ticket_closed_opens_one_with_its_words(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = await _anna(emu, sms)
    problems = await _open_order(anna, "10000004-0001")
    await anna.click(problems, text="Где заказ / задерживается")
    await anna.next_message()
    first = await emu.wait_message(FORUM, predicate=lambda m: bool(m.button_texts()))
    await emu.user(AGENT).send_in_topic(FORUM, first.thread_id, "/close")
    await anna.next_message()
    running.clock.advance(hours=25)  # past the window in which a closed ticket reopens
    await anna.click(problems, text="Где заказ / задерживается")  # the same card, again
    await anna.next_message()
    second = await emu.wait_message(FORUM, predicate=lambda m: bool(m.button_texts()))
    assert second.thread_id != first.thread_id
    assert "проблема: Заказ опаздывает" in second.text


async def test_cancel_a_paid_order_and_refuse_for_a_delivered_one(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = await _anna(emu, sms)
    problems = await _open_order(anna, "10000002-0001")
    await anna.click(problems, text="Отменить заказ")
    confirm = await anna.next_message()
    await anna.click(confirm, text="Да, отменить заказ")
    done = await emu.wait_edit(1001, confirm.message_id)
    assert done.text.startswith("Заказ 10000002-0001 отменён. Деньги вернутся на баланс")
    assert "2–3 рабочих дня" in done.text
    assert running.app is not None
    store = running.app.services["marketplace"]
    order = await store.order("10000002-0001")  # type: ignore[attr-defined]
    assert order.status is OrderStatus.CANCELLED

    problems = await _open_order(anna, "10000005-0001")
    await anna.click(problems, text="Отменить заказ")
    refused = await anna.next_message()
    assert refused.text.startswith("Заказ уже передан в доставку")
    assert "отказаться" in refused.text


async def test_a_restart_with_the_same_data_file_keeps_a_cancelled_order_cancelled(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = await _anna(emu, sms)
    problems = await _open_order(anna, "10000002-0001")
    assert "Отменить заказ" in problems.button_texts()
    await anna.click(problems, text="Отменить заказ")
    confirm = await anna.next_message()
    await anna.click(confirm, text="Да, отменить заказ")
    await emu.wait_edit(1001, confirm.message_id)

    await running.restart()  # imports MARKETPLACE_DATA again, where the order is paid
    problems = await _open_order(anna, "10000002-0001")
    assert "Отменить заказ" not in problems.button_texts()
    assert running.app is not None
    store = running.app.services["marketplace"]
    order = await store.order("10000002-0001")  # type: ignore[attr-defined]
    assert order.status is OrderStatus.CANCELLED


async def test_damaged_with_an_album_reaches_the_agents(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = await _anna(emu, sms)
    problems = await _open_order(anna, "10000006-0001")
    await anna.click(problems, text="Товар повреждён")
    assert (await anna.next_message()).text.startswith("Жаль, что так вышло")
    await anna.send_media_group(3)
    assert (await anna.next_message()).text.startswith("Получил альбом")  # one line for three
    await anna.send("Чайник пришёл с трещиной")
    assert (await anna.next_message()).text.startswith("Передал специалисту — обращение №1")
    card = await emu.wait_message(FORUM, predicate=lambda m: bool(m.button_texts()))
    assert "проблема: Товар повреждён" in card.text
    assert "трещиной" in card.text  # the summary goes with the card, the photos after it
    photos = [
        await emu.wait_message(
            FORUM, thread_id=card.thread_id, predicate=lambda m: m.kind == "photo"
        )
        for _ in range(3)
    ]
    assert len({p.media_group_id for p in photos}) == 1


async def test_incomplete_order_with_ticked_items(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = await _anna(emu, sms)
    problems = await _open_order(anna, "10000006-0001")
    await anna.click(problems, text="Не тот товар или не всё пришло")
    checklist = await anna.next_message()
    await anna.click(checklist, text="Готово — отправить в поддержку")
    await emu.wait_for(
        lambda: any("хотя бы один" in (a.get("text") or "") for a in emu.callback_answers), 5
    )
    await anna.click(checklist, text="☐ Кружка & блюдце × 2")
    ticked = await emu.wait_edit(1001, checklist.message_id)
    assert "☑ Кружка & блюдце × 2" in ticked.button_texts()
    await anna.click(ticked, text="Готово — отправить в поддержку")
    assert (await anna.next_message()).text.startswith("Передал специалисту")
    card = await emu.wait_message(FORUM, predicate=lambda m: bool(m.button_texts()))
    assert "Товары: Кружка & блюдце × 2" in card.text


async def test_second_complaint_joins_the_open_ticket(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = await _anna(emu, sms)
    for text in ("Где мой чайник?", "Уже неделя прошла"):
        # With a ticket open, typed text goes to the agent: the order is picked from the list.
        await anna.send("/orders")
        listing = await anna.next_message()
        await anna.click(
            listing, text=next(b for b in listing.button_texts() if b.startswith("12345678-0001"))
        )
        problems = await anna.next_message()  # the card, with the problems under it
        await anna.click(problems, text="Другое")
        await anna.next_message()
        await anna.send(text)
        assert (await anna.next_message()).text.startswith("Передал специалисту — обращение №1")
    assert len([m for m in emu.messages(FORUM) if m.button_texts()]) == 1


async def test_not_logged_in_goes_through_login_and_comes_back(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await anna.send("/orders")
    assert (await anna.next_message()).text.startswith("Чтобы показать ваши заказы, нужно войти")
    assert "номер телефона" in (await anna.next_message()).text
    await anna.send("+79123456789")
    await anna.next_message()
    await anna.send((await sms.next())["code"])
    assert (await anna.next_message()).text.startswith("Готово, Анна")
    await anna.next_message()  # the menu
    orders = await anna.next_message()
    assert orders.text.startswith("Ваши заказы")


async def test_a_photo_with_a_caption_in_the_damage_step_is_photo_and_description(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = await _anna(emu, sms)
    problems = await _open_order(anna, "10000006-0001")
    await anna.click(problems, text="Товар повреждён")
    await anna.next_message()
    await anna.send_photo(caption="Трещина на крышке")
    assert (await anna.next_message()).text.startswith("Передал специалисту — обращение №1")
    card = await emu.wait_message(FORUM, predicate=lambda m: bool(m.button_texts()))
    assert "Трещина на крышке" in card.text
    await emu.wait_for(lambda: any(m.kind == "photo" for m in emu.messages(FORUM)), 5)


async def test_photos_without_words_are_acknowledged_with_what_comes_next(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = await _anna(emu, sms)
    problems = await _open_order(anna, "10000006-0001")
    await anna.click(problems, text="Товар повреждён")
    await anna.next_message()
    await anna.send_photo()
    got = await anna.next_message()
    assert got.text.startswith("Получил фото: 1. Теперь коротко опишите")
    await anna.send_media_group(3)
    assert (await anna.next_message()).text.startswith("Получил альбом.")
    await anna.send("Чайник треснул")
    assert (await anna.next_message()).text.startswith("Передал специалисту")
    assert not [m for m in anna.messages() if m.text.startswith("Получил альбом")][1:]


async def test_an_order_at_its_pickup_point_is_never_called_late(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = await _anna(emu, sms)
    problems = await _open_order(anna, "10000005-0001")  # due 31.10, at the point on 01.11
    await anna.click(problems, text="Где заказ / задерживается")
    told = (await anna.next_message()).text
    assert told.startswith("Заказ приехал и ждёт вас в пункте выдачи: Москва, Тверская, 7")
    assert "Часы работы: ежедневно 10:00–22:00" in told
    assert "хранится до 07.11.2026" in told
    assert "опаздывает" not in told


async def test_no_ticket_for_an_arrived_order_unless_a_person_is_asked_for(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    assert running.app is not None
    tickets = running.app.services["tickets"]
    anna = await _anna(emu, sms)
    for number in ("10000005-0001", "10000006-0001"):  # at the pickup point; received
        problems = await _open_order(anna, number)
        await anna.click(problems, text="Где заказ / задерживается")
        answer = await anna.next_message()
        assert await tickets.open_count() == 0  # type: ignore[attr-defined]
    await anna.click(answer, text="Написать специалисту")
    await anna.next_message()
    await anna.send("Курьер отметил, что вручил, но я ничего не получала")
    assert (await anna.next_message()).text.startswith("Передал специалисту")
    assert await tickets.open_count() == 1  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("number", "told"),
    [
        ("20000005-0001", "Money for a cancelled order goes to your in-app balance"),
        ("20000003-0001", "nothing was charged and there's nothing to refund"),
        ("20000004-0001", "Money for a returned order goes to your in-app balance"),
    ],
)
async def test_refund_text_follows_the_payment_method(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint, number: str, told: str
) -> None:
    john = emu.add_user(1002, "John", language_code="en")
    await log_in(john, sms, phone="+447911123456")
    await john.send(number)
    card = await john.next_message()
    await john.click(card, text="Refund")
    answer = (await john.next_message()).text
    assert told in answer
    if "balance" in told:
        assert "2–3 business days" in answer


async def test_a_delivered_order_shows_delivered_on(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = await _anna(emu, sms)
    card = (await _open_order(anna, "10000006-0001")).text
    assert "Доставлен 25.10.2026" in card
    assert "Ожидаемая доставка" not in card
    await anna.send("/language")
    await anna.click(await anna.next_message(), text="English")
    await anna.next_message()
    card = (await _open_order(anna, "10000006-0001")).text
    assert "Delivered on 25.10.2026" in card
    assert "Expected delivery" not in card
