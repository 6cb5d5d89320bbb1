"""Access recovery after a number change, end to end."""

from __future__ import annotations

from bot.settings import Settings
from emulator import BotApiEmulator, SimUser, StoredMessage
from tests.e2e.conftest import ADMIN, FORUM, STRANGER, RunningBot
from tests.e2e.flows import log_in, start_review
from tests.e2e.peers import SmsEndpoint, SmtpInbox
from tests.e2e.settle import settled

NEW_PHONE = "+79991112233"


def _code_in(mail: object) -> str:
    body = mail.get_payload(decode=True).decode()  # type: ignore[attr-defined]
    return next(word for word in body.split() if word.isdigit() and len(word) == 6)


async def _email_step(anna: SimUser, smtp: SmtpInbox, email: str = "anna@example.com") -> str:
    await anna.send("/recover")
    intro = await anna.next_message()
    assert intro.text.startswith("Сменили номер и не можете войти?")
    await anna.next_message()  # asks for the email
    await anna.send(email)
    sent = await anna.next_message()
    return sent.text


async def _schedule(anna: SimUser, smtp: SmtpInbox, sms: SmsEndpoint) -> StoredMessage:
    await _email_step(anna, smtp)
    mail = await smtp.next()
    assert mail["Subject"] == "Код для восстановления доступа"
    await anna.send(_code_in(mail))
    assert (await anna.next_message()).text.startswith("Email подтверждён")
    await anna.send("+7 999 111-22-33")
    assert "+7 999 ***-**-33" in (await anna.next_message()).text
    code = await sms.next()
    assert code["phone"] == NEW_PHONE
    await anna.send(code["code"])
    return await anna.next_message()


async def test_email_path_schedules_the_change_and_tells_old_contacts(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint, smtp: SmtpInbox
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    scheduled = await _schedule(anna, smtp, sms)
    assert scheduled.text.startswith(
        "Готово. Номер аккаунта сменится на +7 999 ***-**-33 с 15.11.2026"
    )
    assert scheduled.button_texts() == ["Отменить смену номера"]
    notice = await smtp.next()
    assert notice["To"] == "anna@example.com"
    assert notice["Subject"] == "Запрошена смена номера телефона"
    old_sms = await sms.next()
    assert old_sms["phone"] == "+79123456789"
    assert "8-800-234-55-66" in old_sms["text"]
    await anna.send("/recover")
    pending = await anna.next_message()
    assert pending.text.startswith("Смена номера на +7 999 ***-**-33 уже запланирована")


async def test_customer_cancels_the_change(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint, smtp: SmtpInbox
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    scheduled = await _schedule(anna, smtp, sms)
    await anna.click(scheduled, text="Отменить смену номера")
    assert (await anna.next_message()).text.startswith("Смена номера отменена")
    running.clock.advance(days=15)
    assert running.app is not None
    await running.app.services["scheduler"].tick()  # type: ignore[attr-defined]
    store = running.app.services["marketplace"]
    assert (await store.account("A1")).phone == "+79123456789"  # type: ignore[attr-defined]


async def test_old_linked_chat_cancels_the_change(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint, smtp: SmtpInbox
) -> None:
    owner = emu.add_user(2001, "Анна (старый телефон)", language_code="ru")
    await log_in(owner, sms)
    thief = emu.add_user(1001, "Кто-то", language_code="ru")
    await _schedule(thief, smtp, sms)
    warning = await owner.next_message()
    assert warning.text.startswith("Кто-то запросил смену номера вашего аккаунта на +7 999")
    await owner.click(warning, text="Отменить — это был не я")
    assert (await owner.next_message()).text.startswith("Смена номера отменена")
    await thief.send("/recover")
    assert (await thief.next_message()).text.startswith("Сменили номер")


async def test_hold_expiry_applies_the_change_once_across_restarts(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint, smtp: SmtpInbox
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await _schedule(anna, smtp, sms)
    running.clock.advance(days=14, minutes=1)
    await running.restart()  # the scheduler applies what is due at start
    applied = await anna.next_message()
    assert applied.text.startswith("Номер аккаунта сменён на +7 999 ***-**-33")
    assert running.app is not None
    store = running.app.services["marketplace"]
    assert (await store.account("A1")).phone == NEW_PHONE  # type: ignore[attr-defined]
    await running.restart()
    await running.app.services["scheduler"].tick()  # type: ignore[attr-defined] - a full pass
    await settled(running)
    assert [m.text for m in anna.messages()].count(applied.text) == 1
    await anna.send("/login")
    assert (await anna.next_message()).text.startswith("Вы уже вошли как Анна")


async def test_unknown_email_gets_the_same_reply_and_no_mail(
    emu: BotApiEmulator, running: RunningBot, smtp: SmtpInbox
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    stranger = emu.add_user(1009, "Кто-то", language_code="ru")
    known = await _email_step(anna, smtp)
    unknown = await _email_step(stranger, smtp, "nobody@example.com")
    assert known == unknown
    await smtp.next()
    await settled(running)
    assert len(smtp.messages) == 1


async def test_a_recovery_code_step_ignores_non_codes_without_spending_an_attempt(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint, smtp: SmtpInbox
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await _email_step(anna, smtp)
    code = _code_in(await smtp.next())
    wrong = "000000" if code != "000000" else "111111"
    for typed in ("спасибо", "12345", "хорошо, жду"):
        await anna.send(typed)
        assert (await anna.next_message()).text.startswith(("Введите код цифрами", "В коде 6"))
    await anna.send(wrong)
    assert "Осталось 4 попытки" in (await anna.next_message()).text
    await anna.send(code.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")))
    assert (await anna.next_message()).text.startswith("Email подтверждён")
    await anna.send("+7 999 111-22-33")
    await anna.next_message()
    new_code = (await sms.next())["code"]
    await anna.send("ок")
    assert (await anna.next_message()).text.startswith("Введите код цифрами")
    await anna.send(new_code.translate(str.maketrans("0123456789", "０１２３４５６７８９")))
    assert (await anna.next_message()).text.startswith("Готово. Номер аккаунта сменится")


async def test_an_email_code_that_fails_twice_takes_the_review_path(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint, smtp: SmtpInbox
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await _email_step(anna, smtp)
    mail = await smtp.next()  # sent before the clock moves past its life
    running.clock.advance(minutes=6)  # the code runs out before it is typed
    await anna.send(_code_in(mail))
    assert (await anna.next_message()).text.startswith("Этот код больше не действует")
    await anna.send("anna@example.com")  # the email step again, for a new code
    assert (await anna.next_message()).text.startswith("Если этот email подтверждён")
    mail = await smtp.next()
    running.clock.advance(minutes=6)
    await anna.send(_code_in(mail))
    assert (await anna.next_message()).text.startswith("Код не подошёл дважды")
    assert (await anna.next_message()).text.startswith("Проверим, что аккаунт ваш")
    assert (await anna.next_message()).text.startswith("Как вас зовут")
    for answer in ("Анна Петрова", "12345678-0001", "8 912 345-67-89"):
        await anna.send(answer)
        asked = await anna.next_message()
    # the email was never confirmed, and the new number step does not say it was
    assert asked.text.startswith("Теперь новый номер телефона")
    await anna.send(NEW_PHONE)
    await anna.next_message()
    await anna.send((await sms.next())["code"])
    assert (await anna.next_message()).text.startswith("Последний шаг")


async def test_new_number_of_another_account_goes_to_review_unrevealed(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint, smtp: SmtpInbox
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await _email_step(anna, smtp)
    await anna.send(_code_in(await smtp.next()))
    await anna.next_message()
    await anna.send("+44 7911 123456")  # John's number
    await anna.next_message()
    await anna.send((await sms.next())["code"])
    told = await anna.next_message()
    assert told.text.startswith("Проверим, что аккаунт ваш")
    assert "John" not in told.text and "другому" not in told.text


async def _review(anna: SimUser, sms: SmsEndpoint) -> None:
    await start_review(anna)
    assert anna.messages()[-1].text.startswith("Как вас зовут")
    await anna.send("Анна Петрова")
    await anna.next_message()
    await anna.send("nonsense")
    assert (await anna.next_message()).text.startswith("Не похоже на номер заказа")
    await anna.send("12345678-0001")
    await anna.next_message()
    await anna.send("8 912 345-67-89")
    await anna.next_message()
    await anna.send(NEW_PHONE)
    await anna.next_message()
    await anna.send((await sms.next())["code"])
    assert (await anna.next_message()).text.startswith("Последний шаг")
    await anna.send("Потеряла SIM-карту")
    assert (await anna.next_message()).text.startswith(
        "Заявка передана специалисту — обращение №1"
    )


async def test_the_evidence_card_shows_what_was_typed_next_to_what_the_account_holds(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await _review(anna, sms)
    card = await emu.wait_message(FORUM, predicate=lambda m: bool(m.button_texts()))
    assert "Восстановление доступа к аккаунту A1" in card.text
    # one shared word is not the name: the agent sees both and judges
    assert "Имя от клиента: Анна Петрова · в аккаунте: Анна · совпадает: ❌ нет" in card.text
    assert "Заказ от клиента: 12345678-0001 · из этого аккаунта: ✅ да" in card.text
    assert (
        "Старый номер от клиента: +7 912 ***-**-89 · в аккаунте: +7 912 ***-**-89 · "
        "совпадает: ✅ да"
    ) in card.text
    assert "Новый номер +7 999 ***-**-33" in card.text
    assert "orders-problem" not in card.text  # the order line names the problem in words
    assert card.button_texts()[:2] == ["Одобрить смену номера", "Отклонить"]


async def test_approve_and_reject_from_the_forum_reach_the_customer(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await _review(anna, sms)
    card = await emu.wait_message(FORUM, predicate=lambda m: bool(m.button_texts()))
    await emu.user(STRANGER).click(card, text="Одобрить смену номера")
    await settled(running)
    assert anna.messages()[-1].text.startswith("Заявка передана")
    await emu.user(ADMIN).click(card, text="Одобрить смену номера")
    approved = await anna.next_message()
    assert approved.text.startswith("Специалист подтвердил заявку")
    assert approved.button_texts() == ["Отменить смену номера"]

    john = emu.add_user(1002, "John", language_code="en")
    await _review_john(john, sms)
    card = await emu.wait_message(FORUM, predicate=lambda m: bool(m.button_texts()))
    await emu.user(ADMIN).click(card, text="Отклонить")
    await emu.wait_message(
        FORUM, thread_id=card.thread_id, predicate=lambda m: "/reject" in m.text
    )
    await emu.user(ADMIN).send_in_topic(FORUM, card.thread_id, "/reject the order is not yours")
    rejected = await john.next_message()
    assert rejected.text == (
        "Sorry, we couldn't restore access with this request. The reason:\nthe order is not yours"
    )


async def test_an_approval_applied_at_once_waits_for_the_warnings_then_logs_out_the_old_chat(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint, settings: Settings
) -> None:
    await running.stop()
    at_once = settings.model_copy(update={"recovery_approve_immediately": True})
    immediate = RunningBot(at_once, running.clock, emu)
    await immediate.start()
    try:
        owner = emu.add_user(2001, "Анна (старый телефон)", language_code="ru")
        await log_in(owner, sms)
        anna = emu.add_user(1001, "Анна", language_code="ru")
        await _review(anna, sms)
        card = await emu.wait_message(FORUM, predicate=lambda m: bool(m.button_texts()))
        await emu.user(ADMIN).click(card, text="Одобрить смену номера")
        # the old chat is warned first, with the way to stop it ...
        warning = await owner.next_message()
        assert warning.text.startswith("Кто-то запросил смену номера вашего аккаунта")
        assert warning.button_texts() == ["Отменить — это был не я"]
        # ... and once every warning is out, the change is made: the old chat is logged out
        out = await owner.next_message()
        assert out.text.startswith("Вы вышли из аккаунта: его номер телефона сменён на +7 999")
        assert "/support" in out.text
        texts = [m.text for m in anna.messages()]
        await emu.wait_for(
            lambda: any(
                t.startswith("Номер аккаунта сменён") for t in (m.text for m in anna.messages())
            ),
            10,
        )
        assert sum(t.startswith("Специалист подтвердил") for t in texts) <= 1
        assert immediate.app is not None
        store = immediate.app.services["marketplace"]
        assert (await store.account("A1")).phone == NEW_PHONE  # type: ignore[attr-defined]
    finally:
        await immediate.stop()


async def _review_john(john: SimUser, sms: SmsEndpoint) -> None:
    await start_review(john, "No access to email")
    for answer in ("John Smith", "12345678-0001", "+447911123456", "+447911000111"):
        await john.send(answer)
        await john.next_message()
    await john.send(await sms.next_code())
    await john.next_message()
    await john.send("lost my phone")
    await john.next_message()


async def test_the_owners_not_me_says_plainly_that_the_change_was_cancelled(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint, smtp: SmtpInbox
) -> None:
    owner = emu.add_user(2001, "Анна (старый телефон)", language_code="ru")
    await log_in(owner, sms)
    thief = emu.add_user(1001, "Кто-то", language_code="ru")
    scheduled = await _schedule(thief, smtp, sms)
    warning = await owner.next_message()
    await thief.click(scheduled, text="Отменить смену номера")  # thought better of it
    assert (await thief.next_message()).text.startswith("Смена номера отменена")
    await owner.click(warning, text="Отменить — это был не я")
    told = await emu.wait_for(
        lambda: next(
            (a for a in emu.callback_answers if "уже отменили" in (a.get("text") or "")), None
        ),
        5,
    )
    assert "ваш номер остаётся прежним" in told["text"]


async def test_a_one_letter_name_is_refused(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await start_review(anna)
    await anna.send("А.")
    assert (await anna.next_message()).text.startswith("Напишите имя и фамилию")
    await anna.send("Анна Петрова")
    assert (await anna.next_message()).text.startswith("Номер любого недавнего заказа")


async def _no_email_to_new_number(john: SimUser) -> StoredMessage:
    """The review path in English up to the question of the new number."""
    await start_review(john, "No access to email")
    for answer in ("John Smith", "12345678-0001", "+447911123456"):
        await john.send(answer)
        asked = await john.next_message()
    return asked


async def test_the_no_email_path_never_says_email_confirmed(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    john = emu.add_user(1002, "John", language_code="en")
    asked = await _no_email_to_new_number(john)
    assert asked.text.startswith("Now your new phone number")
    await john.send("+447911000111")
    await john.next_message()
    await sms.next()
    running.clock.advance(minutes=10)  # the code runs out: the number is asked again
    await john.send("123456")
    await john.next_message()
    again = await john.next_message()
    assert again.text.startswith("Now your new phone number")
    assert not [m.text for m in john.messages() if "Email confirmed" in (m.text or "")]


async def test_the_new_number_step_offers_no_email_login_on_the_no_email_path(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    john = emu.add_user(1002, "John", language_code="en")
    asked = await _no_email_to_new_number(john)
    assert asked.button_texts() == ["📱 Share my number", "Cancel"]


async def _queue(emu: BotApiEmulator) -> str:
    """What /queue answers now."""
    before = len(emu.messages(FORUM))
    await emu.user(ADMIN).send_in_topic(FORUM, None, "/queue")
    await emu.wait_for(lambda: any("Очередь" in m.text for m in emu.messages(FORUM)[before:]), 5)
    return next(m.text for m in emu.messages(FORUM)[before:] if "Очередь" in m.text)


async def test_an_approved_recovery_card_loses_its_buttons_and_the_ticket_closes(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await _review(anna, sms)
    card = await emu.wait_message(FORUM, predicate=lambda m: bool(m.button_texts()))
    assert "№1 · Анна" in await _queue(emu)
    await emu.user(ADMIN).click(card, text="Одобрить смену номера")
    await anna.next_message()
    await emu.wait_for(lambda: not card.button_texts(), 5)
    assert "Смену номера одобрил(а) Olga Admin. Обращение закрыто." in card.text
    assert card.text.startswith("Обращение №1")  # the rest of the card is still there
    assert "Восстановление доступа к аккаунту A1" in card.text
    await emu.wait_for(lambda: emu.topic(FORUM, card.thread_id).name.startswith("✅ #1"), 5)
    assert await _queue(emu) == "Очередь пуста 🎉"


async def test_a_rejected_recovery_card_loses_its_buttons_and_the_ticket_closes(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    john = emu.add_user(1002, "John", language_code="en")
    await _review_john(john, sms)
    card = await emu.wait_message(FORUM, predicate=lambda m: bool(m.button_texts()))
    await emu.user(ADMIN).send_in_topic(FORUM, card.thread_id, "/reject the order is not yours")
    await john.next_message()
    await emu.wait_for(lambda: not card.button_texts(), 5)
    assert "Заявку отклонил(а) Olga Admin. Обращение закрыто." in card.text
    await emu.wait_for(lambda: emu.topic(FORUM, card.thread_id).name.startswith("✅ #1"), 5)
    assert await _queue(emu) == "Очередь пуста 🎉"
