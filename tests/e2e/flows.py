"""Steps several end-to-end tests share."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from emulator import BotApiEmulator, SimUser, StoredMessage
from tests.e2e.conftest import FORUM, RunningBot
from tests.e2e.peers import SmsEndpoint


@asynccontextmanager
async def running_with(running: RunningBot, **changes: object) -> AsyncIterator[RunningBot]:
    """The bot with other settings, on the same emulator, peers and database."""
    await running.stop()
    other = RunningBot(running.settings.model_copy(update=changes), running.clock, running.emu)
    await other.start()
    try:
        yield other
    finally:
        await other.stop()


async def log_in(user: SimUser, sms: SmsEndpoint, phone: str = "+79123456789") -> None:
    """Log in by SMS code and consume the bot's replies up to the menu."""
    await user.send("/login")
    await user.next_message()
    await user.send(phone)
    await user.next_message()
    await user.send((await sms.next())["code"])
    await user.next_message()  # welcome
    await user.next_message()  # menu


async def ticket_card(
    emu: BotApiEmulator, customer: SimUser, text: str, forum: int = FORUM
) -> StoredMessage:
    """/support and a description; the ticket's card in the agents' forum, its topic's
    first message."""
    await customer.send("/support")
    await customer.next_message()
    await customer.send(text)
    await customer.next_message()
    card = await emu.wait_message(
        forum, predicate=lambda m: bool(m.button_texts()) and text in m.text
    )
    assert card.thread_id is not None
    return card


async def open_ticket(emu: BotApiEmulator, customer: SimUser, text: str = "нужна помощь") -> int:
    """/support and a description; returns the ticket's topic in the agents' forum."""
    thread = (await ticket_card(emu, customer, text)).thread_id
    assert thread is not None
    return thread


async def start_review(user: SimUser, no_email: str = "Нет доступа к email") -> None:
    """/recover without email, up to the question of the name."""
    await user.send("/recover")
    await user.next_message()
    await user.next_message()
    await user.press_reply_button(no_email)
    await user.next_message()  # intro
    await user.next_message()  # the name, please
