"""Login by one-time code, end to end: emulator, SMS gateway, SMTP, SQLite."""

from __future__ import annotations

from bot.domain.clock import FrozenClock
from emulator import BotApiEmulator, SimUser
from tests.e2e.conftest import RunningBot
from tests.e2e.flows import running_with
from tests.e2e.peers import SmsEndpoint, SmtpInbox
from tests.e2e.settle import settled

ANNA_PHONE = "+79123456789"


async def _ask_code(anna: SimUser, phone_text: str = "8 (912) 345-67-89") -> str:
    await anna.send("/login")
    prompt = await anna.next_message()
    assert "номер телефона" in prompt.text
    await anna.send(phone_text)
    sent = await anna.next_message()
    return sent.text


async def test_login_by_sms(emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    reply = await _ask_code(anna)
    assert "+7 912 ***-**-89" in reply
    assert "5 мин" in reply
    request = await sms.next()
    assert request["phone"] == ANNA_PHONE
    assert request["channel"] == "sms"
    assert request["code"] in request["text"]
    assert len(request["code"]) == 6
    await anna.send(request["code"])
    welcome = await anna.next_message()
    assert welcome.text.startswith("Готово, Анна, вы вошли")
    menu = await anna.next_message()
    assert "Войти" not in menu.button_texts()


async def test_code_with_spaces_and_dashes_works(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await _ask_code(anna, "+7 912 3456789")
    code = (await sms.next())["code"]
    await anna.send(f"код: {code[:3]} {code[3:]}.")
    assert (await anna.next_message()).text.startswith("Готово")


ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


async def test_codes_typed_in_other_scripts_are_read_as_digits(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await _ask_code(anna)
    code = (await sms.next())["code"]
    await anna.send(code.translate(FULL_WIDTH)[:5])
    assert (await anna.next_message()).text.startswith("В коде 6 цифр")
    await anna.send(code.translate(ARABIC_INDIC))
    assert (await anna.next_message()).text.startswith("Готово")


async def test_login_by_call(emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await _ask_code(anna)
    await sms.next()
    await anna.send("Код не пришёл")
    tips = await anna.next_message()
    assert "телефон включён" in tips.text
    running.clock.advance(seconds=61)
    await anna.click(tips, text="Позвоните мне")
    told = await anna.next_message()
    assert "Не берите трубку" in told.text
    call = await sms.next()
    assert call["channel"] == "call"
    assert len(call["code"]) == 4
    await anna.send(call["code"])
    assert (await anna.next_message()).text.startswith("Готово")


async def test_login_by_email(
    emu: BotApiEmulator, running: RunningBot, smtp: SmtpInbox, sms: SmsEndpoint
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="en")
    await anna.send("/login")
    await anna.next_message()
    await anna.press_reply_button("Log in by email")
    assert "email" in (await anna.next_message()).text
    await anna.send("Anna@Example.com")
    sent = await anna.next_message()
    assert "a***@example.com" in sent.text
    mail = await smtp.next()
    assert mail["To"] == "anna@example.com"
    body = mail.get_payload(decode=True).decode()
    code = next(word for word in body.split() if word.isdigit() and len(word) == 6)
    await anna.send(code)
    assert (await anna.next_message()).text.startswith("Done, Анна, you're logged in")
    await settled(running)
    assert sms.received == []


async def test_unconfirmed_email_gets_the_same_reply_and_no_mail(
    emu: BotApiEmulator, running: RunningBot, smtp: SmtpInbox
) -> None:
    john = emu.add_user(1002, "John", language_code="en")
    replies = []
    for email in ("john@example.com", "nobody@example.com"):
        await john.send("/login")
        await john.next_message()
        await john.press_reply_button("Log in by email")
        await john.next_message()
        await john.send(email)
        replies.append((await john.next_message()).text.replace(email[0], "?", 1))
        running.clock.advance(seconds=61)
    assert replies[0].split("@")[1] == replies[1].split("@")[1].replace("nobody", "john")
    await settled(running)
    assert smtp.messages == []


async def test_unknown_number_gets_the_same_reply_and_no_sms(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    stranger = emu.add_user(1009, "Кто-то", language_code="ru")
    known = await _ask_code(anna, "+7 912 345-67-89")
    unknown = await _ask_code(stranger, "+7 912 345-67-88")
    assert known.replace("89", "XX") == unknown.replace("88", "XX")
    await sms.next()
    await settled(running)
    assert len(sms.received) == 1
    await stranger.send("123456")
    assert (await stranger.next_message()).text.startswith("Код не подошёл")


async def test_wrong_code_counts_down_then_burns(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await _ask_code(anna)
    code = (await sms.next())["code"]
    wrong = "000000" if code != "000000" else "111111"
    expected = [
        "Осталось 4 попытки",
        "Осталось 3 попытки",
        "Осталось 2 попытки",
        "Осталась 1 попытка",
    ]
    for left in expected:
        await anna.send(wrong)
        assert left in (await anna.next_message()).text
    await anna.send(wrong)
    burned = await anna.next_message()
    assert burned.text.startswith("Этот код больше не действует")
    await anna.send(code)
    assert (await anna.next_message()).text.startswith("Этот код больше не действует")


async def test_expired_code_is_refused_with_a_way_on(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await _ask_code(anna)
    code = (await sms.next())["code"]
    running.clock.advance(seconds=301)
    await anna.send(code)
    expired = await anna.next_message()
    assert expired.text.startswith("Срок действия кода истёк")
    assert expired.button_texts() == ["Отправить код ещё раз"]


async def test_resend_respects_the_cooldown_and_burns_the_old_code(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await _ask_code(anna)
    first = (await sms.next())["code"]
    running.clock.advance(seconds=20)
    await anna.send("Код не пришёл")
    tips = await anna.next_message()
    assert "Отправить ещё раз (через 40 с)" in tips.button_texts()
    await anna.click(tips, text="Отправить ещё раз (через 40 с)")
    alert = await emu.wait_callback_answer()
    assert "через 40 с" in alert["text"]
    running.clock.advance(seconds=40)
    await anna.click(tips, text="Отправить ещё раз (через 40 с)")
    await anna.next_message()
    second = (await sms.next())["code"]
    if first != second:  # the old code is no longer the one checked
        await anna.send(first)
        assert (await anna.next_message()).text.startswith("Код не подошёл")
    await anna.send(second)
    assert (await anna.next_message()).text.startswith("Готово")


async def test_hourly_cap_locks_out_with_a_clear_message(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    for _ in range(5):
        await _ask_code(anna)
        running.clock.advance(minutes=10)  # past the wait, which doubles each time
    await anna.send("/login")
    await anna.next_message()
    await anna.send("+79123456789")
    capped = await anna.next_message()
    assert capped.text.startswith("Слишком много запросов кода за час")
    assert "8-800-234-55-66" in capped.text
    running.clock.advance(minutes=60)
    await anna.send("+79123456789")
    assert "Отправили SMS" in (await anna.next_message()).text


async def test_forged_contact_is_refused_and_own_contact_accepted(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await anna.send("/login")
    await anna.next_message()
    await anna.send_contact("+79123456789", user_id=4242)
    assert (await anna.next_message()).text.startswith("Это чужой контакт")
    await anna.send_contact("79123456789", user_id=1001)
    assert "+7 912 ***-**-89" in (await anna.next_message()).text
    assert (await sms.next())["phone"] == ANNA_PHONE


def _said(user: SimUser, shown: str) -> list[str]:
    """Everything the bot told this user, with the destination's masked form left out."""
    return [(m.text or "").replace(shown, "<shown>") for m in user.messages()]


async def _by_email(user: SimUser, email: str) -> None:
    await user.send("/login")
    await user.next_message()
    await user.press_reply_button("Войти по email")
    await user.next_message()
    await user.send(email)
    await user.next_message()


async def test_known_and_unknown_numbers_get_the_same_answers_in_sms_only_setup(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    async with running_with(running, smtp_host=None) as bot:
        anna = emu.add_user(1001, "Анна", language_code="ru")
        stranger = emu.add_user(1009, "Кто-то", language_code="ru")
        await _by_email(anna, "anna@example.com")
        await _by_email(stranger, "nobody@example.com")
        await settled(bot)  # a late "could not send" would have come by now
        known, unknown = _said(anna, "a***@example.com"), _said(stranger, "n***@example.com")
        assert known == unknown
        assert known[-2].startswith("Коды на email сейчас недоступны")
        assert "номер телефона" in known[-1]
        await anna.next_message()  # asks for the phone
        await anna.send("+7 912 345-67-89")  # which still works
        await anna.next_message()
        await anna.send(await sms.next_code())
        assert (await anna.next_message()).text.startswith("Готово")


async def test_known_and_unknown_numbers_get_the_same_answers_in_email_only_setup(
    emu: BotApiEmulator, running: RunningBot, smtp: SmtpInbox
) -> None:
    async with running_with(running, sms_gateway_url=None) as bot:
        anna = emu.add_user(1001, "Анна", language_code="ru")
        stranger = emu.add_user(1009, "Кто-то", language_code="ru")
        await _ask_code(anna, "+7 912 345-67-89")
        await _ask_code(stranger, "+7 912 345-67-88")
        await settled(bot)
        assert _said(anna, "") == _said(stranger, "")
        assert anna.messages()[-2].text.startswith("Коды по SMS и звонком сейчас недоступны")
        await anna.next_message()  # asks for the email at once
        await anna.send("anna@example.com")
        await anna.next_message()
        mail = await smtp.next()
        code = next(w for w in mail.get_payload(decode=True).decode().split() if w.isdigit())
        await anna.send(code)
        assert (await anna.next_message()).text.startswith("Готово")


async def test_known_and_unknown_numbers_get_the_same_answers_during_a_gateway_outage(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    stranger = emu.add_user(1009, "Кто-то", language_code="ru")
    sms.down = True
    for user, phone in ((anna, "+7 912 345-67-89"), (stranger, "+7 912 345-67-88")):
        await _ask_code(user, phone)
        await user.send("Код не пришёл")
        await user.next_message()
    await emu.wait_for(lambda: sms.attempts >= 1, 10)  # the one account's code was tried
    await settled(running)
    known, unknown = _said(anna, "***-**-89"), _said(stranger, "***-**-88")
    assert known == unknown
    assert "попросите звонок или код на email" in known[-1]
    # The outage ends: the help offered to both brings the code to the one with an account.
    sms.down = False
    running.clock.advance(seconds=61)
    await anna.click(anna.messages()[-1], text="Позвоните мне")
    await anna.next_message()
    await anna.send(await sms.next_code())
    assert (await anna.next_message()).text.startswith("Готово")


async def test_a_failed_sms_is_retried_while_the_code_is_valid(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    sms.down = True
    await _ask_code(anna)
    await emu.wait_for(lambda: sms.attempts >= 1, 10)
    sms.down = False
    running.clock.advance(seconds=1)
    code = await sms.next_code(timeout=15)  # the outbox's next try, half a second on
    await anna.send(code)
    assert (await anna.next_message()).text.startswith("Готово")


async def test_code_survives_a_restart(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await _ask_code(anna)
    code = (await sms.next())["code"]
    await running.restart()
    await anna.send(code)
    assert (await anna.next_message()).text.startswith("Готово")


async def test_bad_input_in_every_login_state(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await anna.send("/login")
    await anna.next_message()
    await anna.send("<b>not a phone</b> & " + "x" * 5000)
    assert (
        "Не получается разобрать номер «<b>not a phone</b> &" in (await anna.next_message()).text
    )
    await anna.send_sticker()
    assert "Пришлите номер телефона" in (await anna.next_message()).text
    await anna.send("+79123456789")
    await anna.next_message()
    await anna.send_photo()
    assert "Введите код цифрами" in (await anna.next_message()).text
    await anna.send("hello")
    assert "Введите код цифрами" in (await anna.next_message()).text
    await anna.send("12345")
    assert "В коде 6 цифр" in (await anna.next_message()).text
    await anna.press_reply_button("Отмена")
    assert (await anna.next_message()).text.startswith("Отменил")


async def _log_in(anna: SimUser, sms: SmsEndpoint) -> None:
    await _ask_code(anna)
    await anna.send((await sms.next())["code"])
    assert (await anna.next_message()).text.startswith("Готово")
    await anna.next_message()  # the menu


async def test_logout_unlinks_the_chat(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await _log_in(anna, sms)
    await anna.send("/login")
    assert (await anna.next_message()).text.startswith("Вы уже вошли как Анна")
    await anna.send("/logout")
    assert (await anna.next_message()).text.startswith("Вы вышли из аккаунта")
    assert "Войти" in (await anna.next_message()).button_texts()
    await anna.send("/logout")
    assert (await anna.next_message()).text.startswith("Вы и так не вошли")


async def test_login_expires_after_its_lifetime(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint, clock: FrozenClock
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await _log_in(anna, sms)
    clock.advance(days=29)
    await anna.send("/login")
    assert (await anna.next_message()).text.startswith("Вы уже вошли")
    clock.advance(days=2)
    await anna.send("/login")
    assert "номер телефона" in (await anna.next_message()).text


async def test_menu_button_starts_login_and_english_texts(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    john = emu.add_user(1002, "John", language_code="en")
    await john.send("/start")
    menu = await john.next_message()
    await john.click(menu, text="Log in")
    prompt = await john.next_message()
    assert prompt.text.startswith("To log in, send the phone number")
    assert emu.chat(1002).reply_keyboard is not None
    await john.send("+44 7911 123456")
    assert "+44 791* ****56" in (await john.next_message()).text
    await john.send((await sms.next())["code"])
    assert (await john.next_message()).text.startswith("Done, John, you're logged in")


async def test_lost_number_button_hands_over_to_recovery_with_one_answer(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await _ask_code(anna)
    await sms.next()
    await anna.send("Код не пришёл")
    tips = await anna.next_message()
    query = await anna.click(tips, text="У меня больше нет этого номера")
    assert (await anna.next_message()).text.startswith("Сменили номер")
    assert (await anna.next_message()).text.startswith("Напишите email")
    await emu.wait_callback_answer(query["id"])
    await anna.send("/start")
    assert (await anna.next_message()).text == "Вышли из смены номера."
    assert (await anna.next_message()).text.startswith("Здравствуйте")
    tries = emu.calls_to("answerCallbackQuery")
    assert [c["callback_query_id"] for c in tries].count(query["id"]) == 1
