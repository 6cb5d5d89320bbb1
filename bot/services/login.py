"""Login by one-time code: a phone (SMS or call) or a confirmed email, then a link.

Unknown phones and emails walk the same path as known ones, code and all; only
delivery is skipped, and delivery runs in the background so the reply time does
not tell either.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.domain.clock import Clock
from bot.domain.phones import mask
from bot.domain.values import AuditEvent, Channel, CodePurpose, Locale
from bot.ports.marketplace import Account, MarketplacePort
from bot.services.codes import CodeError, CodeService, DestinationCapped, NoCode
from bot.services.courier import Courier
from storage import keys
from storage.codes import CodeRepo
from storage.customers import CustomerRepo
from storage.db import Database

PURPOSE = CodePurpose.LOGIN

# Told to a chat linked to an account whose phone or email is flooded with codes.
FloodHook = Callable[[int, str], Awaitable[None]]


async def _tell_nobody(chat_id: int, shown: str) -> None:
    return None


class ChannelOff(CodeError):
    """The channel is switched off by configuration: so for every destination alike."""

    def __init__(self, channel: Channel) -> None:
        super().__init__(channel)
        self.channel = channel


@dataclass(frozen=True)
class CodeSent:
    channel: Channel
    destination: str
    shown: str  # the destination as we may show it: masked
    code_length: int
    ttl_minutes: int


class LoginService:
    def __init__(
        self,
        *,
        db: Database,
        codes: CodeService,
        audit: CodeRepo,
        customers: CustomerRepo,
        marketplace: MarketplacePort,
        courier: Courier,
        clock: Clock,
        ttl_days: int,
        tell_flood: FloodHook = _tell_nobody,
    ) -> None:
        self._db, self._codes, self._audit = db, codes, audit
        self._customers, self._marketplace = customers, marketplace
        self._courier, self._clock = courier, clock
        self._ttl = timedelta(days=ttl_days)
        self._tell_flood = tell_flood

    async def send_code(
        self, telegram_id: int, channel: Channel, destination: str, locale: Locale
    ) -> CodeSent:
        """Issue a code to a phone (sms/call) or an email; raises ChannelOff, TooSoon,
        HourlyCapReached."""
        # Before the account is looked up: the answer must not depend on it. A channel
        # that cannot deliver is refused for all, not found out only for the customers.
        if not self._courier.can_send(channel):
            raise ChannelOff(channel)
        account = await self._owner(channel, destination)
        try:
            issued = await self._codes.issue(
                telegram_id=telegram_id,
                purpose=PURPOSE,
                channel=channel,
                destination=destination,
                account_id=account.id if account else None,
            )
        except DestinationCapped as capped:
            if capped.tell_owner and account is not None:
                await self._tell_owner_of_flood(account, destination)
                await self._codes.owner_told(destination)
            raise
        if account is not None:
            await self._courier.send(issued, locale, texts="login")
        minutes = max(1, round((issued.expires_at - self._clock.now()).total_seconds() / 60))
        return CodeSent(channel, destination, mask(destination), len(issued.code), minutes)

    async def cooldown_left(self, telegram_id: int) -> int:
        return await self._codes.cooldown_left(telegram_id, PURPOSE)

    async def confirm(self, telegram_id: int, typed: str) -> Account:
        """Check the typed code; on success link the chat. Raises CodeError subclasses."""
        verified = await self._codes.verify(telegram_id, PURPOSE, typed)
        account = None
        if verified.account_id is not None:
            account = await self._marketplace.account(verified.account_id)
        if account is None:
            # Right digits for a destination without an account cannot happen with a
            # real customer; answer as for a code that is no longer valid.
            raise NoCode
        now = self._clock.now()
        # With the account's chats: a change of its number warns every one of them.
        async with self._db.tx(keys.account(account.id)):
            await self._customers.link(telegram_id, account.id, now, now + self._ttl)
            await self._audit.audit(
                now,
                telegram_id,
                AuditEvent.LOGIN,
                channel=verified.channel,
                destination_masked=mask(verified.destination),
                account_id=account.id,
            )
        return account

    async def account_of(self, telegram_id: int) -> Account | None:
        account_id = await self._customers.linked_account(telegram_id, self._clock.now())
        return await self._marketplace.account(account_id) if account_id else None

    async def logout(self, telegram_id: int) -> bool:
        now = self._clock.now()
        async with self._db.tx():
            active = await self._customers.linked_account(telegram_id, now) is not None
            await self._customers.unlink(telegram_id)
            if active:
                await self._audit.audit(now, telegram_id, AuditEvent.LOGOUT)
        return active

    async def _tell_owner_of_flood(self, account: Account, destination: str) -> None:
        """By another way than the flooded one: the other contact and the linked chats."""
        shown = mask(destination)
        if "@" in destination:
            other = account.phone
        else:
            other = account.email if account.email and account.email_verified else None
        if other:
            locale = self._courier.default_locale
            await self._courier.notice(other, locale, "login-flood", shown=shown)
        for chat in await self._customers.chats_of(account.id, self._clock.now()):
            await self._tell_flood(chat, shown)

    async def _owner(self, channel: Channel, destination: str) -> Account | None:
        if channel == Channel.EMAIL:
            account = await self._marketplace.account_by_email(destination)
            return account if account and account.email_verified else None
        return await self._marketplace.account_by_phone(destination)
