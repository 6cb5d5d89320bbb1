"""Button data no button of ours carries (forged, or from a database since replaced)
gets a polite answer, never the apology for a failure."""

from __future__ import annotations

from emulator import BotApiEmulator
from tests.e2e.conftest import AGENT, FORUM, RunningBot
from tests.e2e.flows import log_in
from tests.e2e.peers import SmsEndpoint
from tests.e2e.settle import settled
from tests.e2e.test_support import _open_ticket


async def test_a_forged_page_number_gets_a_polite_answer(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await log_in(anna, sms)
    await anna.send("/orders")
    listing = await anna.next_message()
    for page in ("9" * 20, "-1", "1e3", "x"):
        await anna.click_forged(listing, f"ol:{page}")
        answer = await emu.wait_callback_answer()
        assert answer["text"].startswith("Эта кнопка устарела"), page
    assert not any(m.text.startswith("Что-то пошло не так") for m in anna.messages())


async def test_an_unknown_ticket_button_gets_a_polite_answer(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    _, topic = await _open_ticket(emu, anna, "Вопрос")
    card = emu.messages(FORUM, thread_id=topic)[0]
    for data in ("tk:t:999", "tk:c:99999999999999999999", "tk:x:1", "rd:a:999999", "zz:1"):
        await emu.user(AGENT).click_forged(card, data)
        answer = await emu.wait_callback_answer()
        assert answer["text"].startswith(("Эта кнопка устарела", "По этой заявке")), data
    await settled(running)  # a tap in the forum is answered before its posts
    assert not any("Что-то пошло не так" in m.text for m in emu.messages(FORUM))
