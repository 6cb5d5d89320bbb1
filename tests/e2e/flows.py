"""Steps several end-to-end tests share."""

from __future__ import annotations

from bot.emulator import SimUser
from tests.e2e.peers import SmsEndpoint


async def log_in(user: SimUser, sms: SmsEndpoint, phone: str = "+79123456789") -> None:
    """Log in by SMS code and consume the bot's replies up to the menu."""
    await user.send("/login")
    await user.next_message()
    await user.send(phone)
    await user.next_message()
    await user.send((await sms.next())["code"])
    await user.next_message()  # welcome
    await user.next_message()  # menu
