"""A conversation that understands people: commands mid-step, typed answers, plain requests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from bot.ports.marketplace import OrderStatus
from emulator import BotApiEmulator, SimUser
from tests.e2e.conftest import RunningBot
from tests.e2e.flows import log_in
from tests.e2e.peers import SmsEndpoint

Reach = Callable[[SimUser, SmsEndpoint], Awaitable[None]]


async def _login_phone(anna: SimUser, _sms: SmsEndpoint) -> None:
    await anna.send("/login")
    await anna.next_message()  # the phone, please


async def _login_code(anna: SimUser, sms: SmsEndpoint) -> None:
    await _login_phone(anna, sms)
    await anna.send("+79123456789")
    await anna.next_message()  # code sent
    await sms.next()


async def _recover_email(anna: SimUser, _sms: SmsEndpoint) -> None:
    await anna.send("/recover")
    await anna.next_message()  # intro
    await anna.next_message()  # the email, please


async def _support_describe(anna: SimUser, _sms: SmsEndpoint) -> None:
    await anna.send("/support")
    await anna.next_message()  # describe it, please


async def _order_person(anna: SimUser, sms: SmsEndpoint) -> None:
    await log_in(anna, sms)
    await anna.send("12345678-0001")
    card = await anna.next_message()
    await anna.click(card, text="Где заказ / задерживается")
    answer = await anna.next_message()
    await anna.click(answer, text="Написать специалисту")
    await anna.next_message()  # describe it, please


@pytest.mark.parametrize(
    ("reach", "command", "line", "then"),
    [
        (_login_phone, "/recover", "Вышли из входа в аккаунт.", "Сменили номер"),
        (_login_phone, "/support", "Вышли из входа в аккаунт.", "Опишите, пожалуйста"),
        (_login_phone, "/orders", "Вышли из входа в аккаунт.", "Чтобы показать ваши заказы"),
        (_login_code, "/recover", "Вышли из входа в аккаунт.", "Сменили номер"),
        (_order_person, "/support", "Вышли из вопроса о заказе.", "Опишите, пожалуйста"),
        (_order_person, "/orders", "Вышли из вопроса о заказе.", "Ваши заказы"),
        (_recover_email, "/login", "Вышли из смены номера.", "Чтобы войти"),
        (_recover_email, "/cancel", "Вышли из смены номера.", "Чем помочь?"),
        (_support_describe, "/start", "Вышли из обращения к специалисту.", "Здравствуйте"),
        (_support_describe, "/help", "Вышли из обращения к специалисту.", "Что я умею"),
        (_login_code, "/language", "Вышли из входа в аккаунт.", "Выберите язык"),
    ],
)
async def test_a_command_typed_mid_step_leaves_the_step_and_does_what_it_says(
    emu: BotApiEmulator,
    running: RunningBot,
    sms: SmsEndpoint,
    reach: Reach,
    command: str,
    line: str,
    then: str,
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await reach(anna, sms)
    await anna.send(command)
    assert (await anna.next_message()).text == line
    assert (await anna.next_message()).text.startswith(then)


async def test_a_menu_button_mid_step_leaves_the_step(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await anna.send("/start")
    menu = await anna.next_message()
    await _login_phone(anna, sms)
    await anna.click(menu, text="Написать человеку")
    assert (await anna.next_message()).text == "Вышли из входа в аккаунт."
    assert (await anna.next_message()).text.startswith("Опишите, пожалуйста")


async def test_nothing_dropped_no_extra_line(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await anna.send("/orders")
    assert (await anna.next_message()).text.startswith("Чтобы показать ваши заказы")
    john = emu.add_user(1002, "John", language_code="en")
    await john.send("/support")
    assert (await john.next_message()).text.startswith("Please describe the problem")


@pytest.mark.parametrize(
    ("language", "phrase"),
    [
        ("ru", "нет почты"),
        ("ru", "Не помню"),
        ("en", "no email"),
        ("en", "I don't have access"),
    ],
)
async def test_typed_no_email_takes_the_no_email_path(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint, language: str, phrase: str
) -> None:
    anna = emu.add_user(1001, "Анна", language_code=language)
    await _recover_email(anna, sms)
    await anna.send(phrase)
    intro = {"ru": "Проверим, что аккаунт ваш", "en": "Let's check"}[language]
    assert (await anna.next_message()).text.startswith(intro[:10])
    assert (await anna.next_message()).text.startswith(
        {"ru": "Как вас зовут", "en": "What"}[language]
    )


@pytest.mark.parametrize(
    ("language", "no", "yes", "cancel", "kept", "done"),
    [
        (
            "ru",
            "нет",
            "Да",
            "Отменить заказ",
            "Заказ 10000002-0001",
            "Заказ 10000002-0001 отменён",
        ),
        (
            "en",
            "No",
            "yes please",
            "Cancel the order",
            "Order 10000002-0001",
            "Order 10000002-0001 is cancelled",
        ),
    ],
)
async def test_typed_yes_no_answers_a_confirmation(
    emu: BotApiEmulator,
    running: RunningBot,
    sms: SmsEndpoint,
    language: str,
    no: str,
    yes: str,
    cancel: str,
    kept: str,
    done: str,
) -> None:
    anna = emu.add_user(1001, "Анна", language_code=language)
    await log_in(anna, sms)
    await anna.send("10000002-0001")
    card = await anna.next_message()
    await anna.click(card, text=cancel)
    await anna.next_message()  # cancel it?
    await anna.send(no)
    card = await anna.next_message()
    assert card.text.startswith(kept)
    assert running.app is not None
    store = running.app.services["marketplace"]
    order = await store.order("10000002-0001")  # type: ignore[attr-defined]
    assert order.status is not OrderStatus.CANCELLED
    await anna.click(card, text=cancel)
    await anna.next_message()
    await anna.send(yes)
    assert (await anna.next_message()).text.startswith(done)
    order = await store.order("10000002-0001")  # type: ignore[attr-defined]
    assert order.status is OrderStatus.CANCELLED


async def test_a_second_unreadable_answer_names_the_choices(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await _recover_email(anna, sms)
    await anna.send("ну вот")
    first = (await anna.next_message()).text
    assert "«Нет доступа к email»" not in first
    await anna.send("ну как же")
    second = (await anna.next_message()).text
    assert second.startswith(first)
    assert "Можно и кнопкой: «Нет доступа к email», «Отмена»." in second

    john = emu.add_user(1002, "John", language_code="en")
    await _login_phone(john, sms)
    for _ in range(2):
        await john.send("my phone")
        said = (await john.next_message()).text
    assert said.endswith(
        'You can also tap a button: "📱 Share my number", "Log in by email", "Cancel".'
    )

    await anna.send("/cancel")
    await anna.next_message()  # left the number change
    await anna.next_message()  # the menu
    await log_in(anna, sms)
    await anna.send("10000002-0001")
    card = await anna.next_message()
    await anna.click(card, text="Отменить заказ")
    await anna.next_message()
    for _ in range(2):
        await anna.send("может быть")
        said = (await anna.next_message()).text
    assert said.endswith("«Да, отменить заказ», «Нет, оставить».")


@pytest.mark.parametrize(
    ("language", "logged_in", "phrase", "then"),
    [
        ("ru", True, "Где мой заказ?", "Ваши заказы"),
        ("en", True, "where is my order", "Your orders"),
        ("ru", True, "заказ задерживается", "Ваши заказы"),
        ("ru", True, "хочу возврат", "Ваши заказы"),
        ("en", True, "I need a refund", "Your orders"),
        ("ru", False, "где мой заказ", "Чтобы показать ваши заказы"),
        ("ru", False, "Я сменил номер", "Сменили номер"),
        ("en", False, "I changed my number", "Changed your number"),
        ("ru", True, "12345678-0001", "Заказ 12345678-0001"),
    ],
)
async def test_common_requests_lead_where_they_should(
    emu: BotApiEmulator,
    running: RunningBot,
    sms: SmsEndpoint,
    language: str,
    logged_in: bool,
    phrase: str,
    then: str,
) -> None:
    anna = emu.add_user(1001, "Анна", language_code=language)
    if logged_in:
        await log_in(anna, sms)
    await anna.send(phrase)
    assert (await anna.next_message()).text.startswith(then)


async def test_a_request_for_orders_logged_out_comes_back_after_login(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    john = emu.add_user(1001, "John", language_code="en")
    await john.send("refund")
    assert (await john.next_message()).text.startswith("To show your orders")
    await john.next_message()  # the phone, please
    await john.send("+79123456789")
    await john.next_message()
    await john.send((await sms.next())["code"])
    await john.next_message()  # welcome
    await john.next_message()  # menu
    assert (await john.next_message()).text.startswith("Your orders")
