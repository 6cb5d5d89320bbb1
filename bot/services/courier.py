"""Takes a one-time code to the customer, after the reply, and says so if it could not."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.background import Background
from bot.i18n import Translator
from bot.phones import mask
from bot.senders import DeliveryFailed, MailSender, PhoneSender
from bot.services.codes import Issued
from bot.settings import Locale

log = logging.getLogger(__name__)

DeliveryFailedHook = Callable[[int, str, Locale], Awaitable[None]]


class Courier:
    def __init__(
        self,
        phone: PhoneSender,
        mail: MailSender,
        translator: Translator,
        background: Background,
        on_failed: DeliveryFailedHook,
        ttl_seconds: int,
        after_commit: Callable[[Callable[[], object]], None] = lambda then: then(),
    ) -> None:
        self._phone, self._mail, self._translator = phone, mail, translator
        self._background, self._on_failed = background, on_failed
        self._after_commit = after_commit
        self._minutes = max(1, ttl_seconds // 60)

    def send(self, telegram_id: int, issued: Issued, locale: Locale, *, texts: str) -> None:
        """`texts` is the flow's key prefix: `login-sms-text`, `recover-email-body`, …"""
        # Only a committed code leaves: a request rolled back (a crash, a failure) and
        # handled again must not have sent the first one.
        self._after_commit(
            lambda: self._background.spawn(self._deliver(telegram_id, issued, locale, texts))
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

    async def _deliver(self, telegram_id: int, issued: Issued, locale: Locale, texts: str) -> None:
        t = self._translator(locale)
        args = {"code": issued.code, "minutes": self._minutes}
        try:
            if issued.channel == "email":
                await self._mail.send(
                    issued.destination,
                    t.plain(f"{texts}-email-subject"),
                    t.plain(f"{texts}-email-body", **args),
                )
            else:
                text = t.plain(f"{texts}-{issued.channel}-text", **args)
                await self._phone.send(issued.destination, issued.channel, issued.code, text)
        except DeliveryFailed:
            log.warning(
                "code delivery by %s to %s failed", issued.channel, mask(issued.destination)
            )
            await self._on_failed(telegram_id, issued.channel, locale)
