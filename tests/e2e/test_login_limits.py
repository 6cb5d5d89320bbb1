"""Limits on login codes hold the one who asks, never the account: end to end."""

from __future__ import annotations

from emulator import BotApiEmulator, SimUser
from tests.e2e.conftest import RunningBot
from tests.e2e.flows import log_in, running_with
from tests.e2e.peers import SmsEndpoint, SmtpInbox
from tests.e2e.settle import settled

ANNA = "+7 912 345-67-89"
SENT = "Отправили SMS"
TOO_MANY = "Слишком много запросов кода за час"


async def _ask(user: SimUser, phone: str = ANNA) -> str:
    await user.send("/login")
    await user.next_message()
    await user.send(phone)
    return (await user.next_message()).text or ""


async def _code_number(emu: BotApiEmulator, sms: SmsEndpoint, n: int) -> str:
    """The code of the n-th SMS the gateway received (the ones before were others')."""
    await emu.wait_for(lambda: len(sms.received) >= n, 5)
    return str(sms.received[n - 1]["code"])


async def test_a_stranger_cannot_lock_the_owner_out_of_sms_login(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    stranger = emu.add_user(1009, "Кто-то", language_code="ru")
    answers = []
    for _ in range(6):
        answers.append(await _ask(stranger))
        await settled(running)  # its SMS went out before the clock moves past its life
        running.clock.advance(minutes=8)  # past each wait, all within the hour
    assert [SENT in a for a in answers] == [True] * 5 + [False]
    assert answers[5].startswith(TOO_MANY)
    anna = emu.add_user(1001, "Анна", language_code="ru")
    assert SENT in await _ask(anna)
    await anna.send(await _code_number(emu, sms, 6))
    assert (await anna.next_message()).text.startswith("Готово")


async def test_a_stranger_is_slowed_then_locked_not_the_account(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    stranger = emu.add_user(1009, "Кто-то", language_code="ru")
    clock = running.clock
    said = []
    for wait in (61, 61, 60, 61, 180, 480, 960):
        said.append(await _ask(stranger))
        await settled(running)
        clock.advance(seconds=wait)
    said.append(await _ask(stranger))
    assert [SENT in text for text in said] == [
        True, True, False, True, False, True, True, False,
    ]  # fmt: skip
    assert said[2] == "Новый код можно запросить через 59 с."
    assert said[4] == "Новый код можно запросить через 179 с."
    assert said[7].startswith(TOO_MANY)
    anna = emu.add_user(1001, "Анна", language_code="ru")
    assert SENT in await _ask(anna)
    await anna.send(await _code_number(emu, sms, 6))
    assert (await anna.next_message()).text.startswith("Готово")


async def test_a_new_code_does_not_reset_the_failure_count(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await _ask(anna)
    code = await sms.next_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(3):
        await anna.send(wrong)
        left = await anna.next_message()
    assert "Осталось 2 попытки" in left.text
    await anna.send("Код не пришёл")
    tips = await anna.next_message()
    running.clock.advance(seconds=61)
    await anna.click(tips, text=tips.button_texts()[0])
    await anna.next_message()
    code = await sms.next_code()
    wrong = "000000" if code != "000000" else "111111"
    await anna.send(wrong)
    assert "Осталась 1 попытка" in (await anna.next_message()).text
    await anna.send(wrong)
    burned = await anna.next_message()
    assert burned.text.startswith("Этот код больше не действует")
    running.clock.advance(seconds=121)
    await anna.click(burned, text="Отправить код ещё раз")
    locked = await anna.next_message()
    assert locked.text.startswith("Слишком много неверных кодов подряд")
    assert "через 58 мин" in locked.text
    running.clock.advance(minutes=58)
    await anna.click(burned, text="Отправить код ещё раз")
    await anna.next_message()
    await anna.send(await sms.next_code())
    assert (await anna.next_message()).text.startswith("Готово")


async def test_a_flood_on_one_number_tells_the_owner(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint, smtp: SmtpInbox
) -> None:
    async with running_with(running, code_destination_hourly_cap=3) as bot:
        owner = emu.add_user(2001, "Анна", language_code="ru")
        await log_in(owner, sms)  # the first code to her number
        strangers = [emu.add_user(3000 + i, "Кто-то", language_code="ru") for i in range(8)]
        said = [await _ask(stranger) for stranger in strangers[:4]]
        assert [SENT in text for text in said] == [True, True, False, False]
        assert said[2].startswith("На +7 912 ***-**-89 недавно запросили слишком много кодов")
        mail = await smtp.next()
        assert mail["To"] == "anna@example.com"
        assert mail["Subject"] == "Много запросов кода для входа в ваш аккаунт"
        assert "+7 912 ***-**-89" in mail.get_payload(decode=True).decode()
        told = await owner.next_message()
        assert told.text.startswith("Кто-то за короткое время запросил много кодов")
        # A number without an account is refused alike, and nobody is told.
        unknown = [await _ask(stranger, "+7 912 345-67-88") for stranger in strangers[4:]]
        assert unknown[3] == said[2].replace("89", "88")
        await settled(bot)
        assert len(smtp.messages) == 1  # told once, not once per refusal
        # The owner's own Telegram, which logged in before, still gets a code.
        running.clock.advance(seconds=61)
        await owner.send("/logout")
        await owner.next_message()
        await owner.next_message()
        assert SENT in await _ask(owner)
        await owner.send(await _code_number(emu, sms, 4))
        assert (await owner.next_message()).text.startswith("Готово")
