"""Takes a one-time code to the customer, after the reply, retrying when delivery fails.

A failed delivery is never told to the chat that asked: a destination without an
account gets no delivery at all, so a "could not send" would name the ones that
have one. Both get the same "code didn't arrive" help instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from bot.background import Background, wake_or_tick
from bot.i18n import Translator
from bot.phones import mask
from bot.senders import DeliveryFailed, MailSender, PhoneSender, Unconfigured
from bot.services.codes import Issued
from bot.settings import Locale

log = logging.getLogger(__name__)

# Seconds after a failed delivery before the next try: gateway outages are often
# short, and a code lives for minutes.
RETRY_DELAYS = (10.0, 30.0)


class Courier:
    def __init__(
        self,
        phone: PhoneSender,
        mail: MailSender,
        translator: Translator,
        background: Background,
        ttl_seconds: int,
        after_commit: Callable[[Callable[[], object]], None] = lambda then: then(),
        *,
        retry_delays: tuple[float, ...] = RETRY_DELAYS,
    ) -> None:
        self._phone, self._mail, self._translator = phone, mail, translator
        self._background = background
        self._after_commit = after_commit
        self._minutes = max(1, ttl_seconds // 60)
        self._retry_delays = retry_delays
        self._closing = asyncio.Event()

    @property
    def default_locale(self) -> Locale:
        """For notices to an account's owner, whose language the bot may not know."""
        return self._translator.default

    def can_send(self, channel: str) -> bool:
        """False for a channel switched off by configuration, whatever the destination."""
        sender = self._mail if channel == "email" else self._phone
        return not isinstance(sender, Unconfigured)

    def send(self, telegram_id: int, issued: Issued, locale: Locale, *, texts: str) -> None:
        """`texts` is the flow's key prefix: `login-sms-text`, `recover-email-body`, …"""
        # Only a committed code leaves: a request rolled back (a crash, a failure) and
        # handled again must not have sent the first one.
        self._after_commit(lambda: self._background.spawn(self._deliver(issued, locale, texts)))

    def notice_later(self, destination: str, locale: Locale, key: str, **args: object) -> None:
        """`notice` after the commit, off the reply's path: its timing tells nothing."""
        self._after_commit(
            lambda: self._background.spawn(self.notice(destination, locale, key, **args))
        )

    async def notice(self, destination: str, locale: Locale, key: str, **args: object) -> None:
        """A best-effort heads-up to a phone or an email (no code in it)."""
        t = self._translator(locale)
        try:
            if "@" in destination:
                await self._mail.send(
                    destination, t.plain(f"{key}-subject"), t.plain(f"{key}-body", **args)
                )
            else:
                await self._phone.send(destination, "sms", "", t.plain(f"{key}-sms", **args))
        except DeliveryFailed:
            log.warning("notice %s to %s failed", key, mask(destination))

    def close(self) -> None:
        """Retries waiting for their turn give up, so that shutdown does not wait."""
        self._closing.set()

    async def _deliver(self, issued: Issued, locale: Locale, texts: str) -> None:
        for delay in (0.0, *self._retry_delays):
            if delay:
                await wake_or_tick(self._closing, delay)
                if self._closing.is_set():
                    break
            try:
                await self._send_once(issued, locale, texts)
            except DeliveryFailed:
                log.warning(
                    "code delivery by %s to %s failed", issued.channel, mask(issued.destination)
                )
            else:
                return
        log.warning("gave up delivering a code to %s", mask(issued.destination))

    async def _send_once(self, issued: Issued, locale: Locale, texts: str) -> None:
        t = self._translator(locale)
        args = {"code": issued.code, "minutes": self._minutes}
        if issued.channel == "email":
            await self._mail.send(
                issued.destination,
                t.plain(f"{texts}-email-subject"),
                t.plain(f"{texts}-email-body", **args),
            )
        else:
            text = t.plain(f"{texts}-{issued.channel}-text", **args)
            await self._phone.send(issued.destination, issued.channel, issued.code, text)
