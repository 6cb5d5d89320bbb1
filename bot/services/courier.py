"""Takes a one-time code to the customer: written to the outbox in the transaction that
issues it, so it leaves only if that commits, and leaves even if the process dies right
after the reply. The outbox retries a failed delivery while the code is valid.

A failed delivery is never told to the chat that asked: a destination without an
account gets no delivery at all, so a "could not send" would name the ones that
have one. Both get the same "code didn't arrive" help instead.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.domain.values import Channel, Locale
from bot.services.codes import Issued
from bot.telegram.i18n import Translator
from bot.telegram.text_keys import CODE_MESSAGES, NOTICES


class ContactQueue(Protocol):
    """The outbox, as far as codes and heads-ups go (`bot.delivery.outbox.Outbox`)."""

    def can_send(self, channel: Channel) -> bool: ...

    async def put_contact(
        self,
        destination: str,
        subject: str,
        text: str,
        *,
        channel: Channel | None = None,
        code: str | None = None,
        code_id: int | None = None,
        expires_at: datetime | None = None,
    ) -> None: ...


class Courier:
    def __init__(self, outbox: ContactQueue, translator: Translator, ttl_seconds: int) -> None:
        self._outbox, self._translator = outbox, translator
        self._minutes = max(1, ttl_seconds // 60)

    @property
    def default_locale(self) -> Locale:
        """For notices to an account's owner, whose language the bot may not know."""
        return self._translator.default

    def can_send(self, channel: Channel) -> bool:
        """False for a channel switched off by configuration, whatever the destination."""
        return self._outbox.can_send(channel)

    async def send(self, issued: Issued, locale: Locale, *, texts: str) -> None:
        """`texts` names the flow whose code texts go: `login` or `recover`."""
        t = self._translator(locale)
        args = {"code": issued.code, "minutes": self._minutes}
        subject, body = CODE_MESSAGES[texts][issued.channel]
        await self._outbox.put_contact(
            issued.destination,
            t.plain(subject) if subject else "",
            t.plain(body, **args),
            channel=issued.channel,
            code=issued.code,
            code_id=issued.id or None,
            expires_at=issued.expires_at,
        )

    async def notice(self, destination: str, locale: Locale, key: str, **args: object) -> None:
        """A heads-up to a phone or an email (no code in it), delivered after the commit,
        off the reply's path: its timing tells nothing."""
        t = self._translator(locale)
        subject, body = NOTICES[key][Channel.EMAIL if "@" in destination else Channel.SMS]
        await self._outbox.put_contact(
            destination,
            t.plain(subject) if subject else "",
            t.plain(body, **args),
        )
