"""Where codes leave the bot: the SMS gateway (SMS and flash calls), SMTP, or the log.

The gateway contract: POST SMS_GATEWAY_URL with JSON
{"phone": "+79123456789", "channel": "sms" | "call", "code": "123456", "text": "..."}
and `Authorization: Bearer SMS_GATEWAY_TOKEN`; any 2xx is success.
"""

from __future__ import annotations

import logging
from email.message import EmailMessage
from typing import Protocol

import aiohttp
import aiosmtplib

from bot.domain.phones import mask

log = logging.getLogger(__name__)


class DeliveryFailed(Exception):
    pass


class PhoneSender(Protocol):
    async def send(self, phone: str, channel: str, code: str, text: str) -> None: ...


class MailSender(Protocol):
    async def send(self, to: str, subject: str, body: str) -> None: ...


# A gateway's "too many" and "timed out" answers are for now, not for good.
_BUSY = frozenset({408, 429})


class DeliveryRefused(DeliveryFailed):
    """The gateway or the mail server said no for good (a 4xx): trying again is no use."""


class SmsGateway:
    """One try per send: the outbox, which keeps every code until it expires, is the one
    that tries again (``bot.delivery.retry``'s pauses). A 4xx is a refusal."""

    def __init__(self, url: str, token: str | None, *, timeout: float = 10) -> None:
        self._url = url
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def send(self, phone: str, channel: str, code: str, text: str) -> None:
        payload = {"phone": phone, "channel": channel, "code": code, "text": text}
        try:
            async with self._client().post(self._url, json=payload) as response:
                if 200 <= response.status < 300:  # noqa: PLR2004
                    return
                reason = f"HTTP {response.status}"
                refused = response.status < 500 and response.status not in _BUSY  # noqa: PLR2004
        except (aiohttp.ClientError, TimeoutError) as error:
            reason, refused = type(error).__name__, False
        log.warning("SMS gateway send to %s failed: %s", mask(phone), reason)
        if refused:
            raise DeliveryRefused(f"gateway refused: {reason}")
        raise DeliveryFailed(f"gateway unreachable: {reason}")

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(headers=self._headers, timeout=self._timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


class SmtpMailer:
    def __init__(
        self,
        host: str,
        port: int,
        *,
        sender: str,
        user: str | None = None,
        password: str | None = None,
        starttls: bool = True,
        timeout: float = 15,
    ) -> None:
        self._host, self._port, self._sender = host, port, sender
        self._user, self._password = user, password
        self._starttls, self._timeout = starttls, timeout

    async def send(self, to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self._sender, to, subject
        message.set_content(body)
        try:
            await aiosmtplib.send(
                message,
                hostname=self._host,
                port=self._port,
                username=self._user,
                password=self._password,
                start_tls=self._starttls,
                timeout=self._timeout,
            )
        except (aiosmtplib.SMTPException, OSError) as error:
            log.warning("mail to %s failed: %s", mask(to), type(error).__name__)
            raise DeliveryFailed(str(type(error).__name__)) from None


class Unconfigured:
    """A channel switched off in production: every send fails, so the customer is
    offered the other ways at once."""

    async def send(self, *args: str) -> None:
        raise DeliveryFailed("channel not configured")


class LogSender:
    """Development only: with neither a gateway nor SMTP configured, codes go to the log."""

    def __init__(self) -> None:
        log.warning(
            "NO SMS GATEWAY OR SMTP CONFIGURED: one-time codes are written to this log. "
            "Never run like this in production."
        )

    async def send(self, *args: str) -> None:
        # The only place a code may reach a log, and only without real delivery.
        log.warning("DEVELOPMENT CODE DELIVERY: %s", " | ".join(args))
