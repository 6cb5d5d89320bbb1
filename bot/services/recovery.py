"""Access recovery after a phone-number change.

Two ways in: a code to the account's confirmed email, or a review by an agent of
evidence the customer gives. Either way the new number is proven by a code first,
and the change waits out a holding period during which the old contacts are told
and anyone holding them can cancel it. A scheduler applies what is due, once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.clock import Clock
from bot.marketplace import Account, MarketplacePort
from bot.phones import mask
from bot.services.codes import CodeService, NoCode
from bot.services.courier import Courier
from bot.settings import Locale
from storage.codes import CodeRepo
from storage.customers import CustomerRepo
from storage.db import Database
from storage.recoveries import Recovery, RecoveryRepo

EMAIL_PURPOSE = "recover-email"
PHONE_PURPOSE = "recover-phone"

# Told to every chat still linked to the account: (chat, recovery, already applied).
OldChatHook = Callable[[int, Recovery, bool], Awaitable[None]]
AppliedHook = Callable[[Recovery], Awaitable[None]]


class RecoveryError(Exception):
    pass


class TooManyRecoveries(RecoveryError):
    pass


class RecoveryNotOpen(RecoveryError):
    pass


@dataclass(frozen=True)
class RecoveryPolicy:
    hold_days: int
    daily_cap: int
    approve_immediately: bool = False


@dataclass(frozen=True)
class Evidence:
    name: str
    order_number: str
    old_phone: str
    description: str


class RecoveryService:
    def __init__(
        self,
        *,
        db: Database,
        repo: RecoveryRepo,
        codes: CodeService,
        audit: CodeRepo,
        customers: CustomerRepo,
        marketplace: MarketplacePort,
        courier: Courier,
        clock: Clock,
        policy: RecoveryPolicy,
        login_ttl_days: int,
        tell_old_chat: OldChatHook,
        tell_applied: AppliedHook,
    ) -> None:
        self._db, self._repo, self._codes, self._audit = db, repo, codes, audit
        self._customers, self._marketplace, self._courier = customers, marketplace, courier
        self._clock, self.policy = clock, policy
        self._login_ttl = timedelta(days=login_ttl_days)
        self._tell_old_chat, self._tell_applied = tell_old_chat, tell_applied

    async def pending(self, telegram_id: int) -> Recovery | None:
        return await self._repo.open_of(telegram_id)

    async def check_allowed(self, telegram_id: int, account_id: str | None = None) -> None:
        """One open recovery at a time, and a daily cap per person and per account."""
        if await self._repo.open_of(telegram_id) is not None:
            raise TooManyRecoveries
        since = self._clock.now() - timedelta(days=1)
        if await self._repo.started_since(telegram_id, account_id, since) >= (
            self.policy.daily_cap
        ):
            raise TooManyRecoveries

    async def send_email_code(self, telegram_id: int, email: str, locale: Locale) -> int:
        """The same answer for any address; only a confirmed one gets the code."""
        account = await self._marketplace.account_by_email(email)
        owner = account if account is not None and account.email_verified else None
        issued = await self._codes.issue(
            telegram_id=telegram_id,
            purpose=EMAIL_PURPOSE,
            channel="email",
            destination=email,
            account_id=owner.id if owner else None,
        )
        if owner is not None:
            self._courier.send(telegram_id, issued, locale, texts="recover")
        return len(issued.code)

    async def confirm_email(self, telegram_id: int, typed: str) -> str:
        """The account whose email the code went to; CodeError subclasses otherwise."""
        verified = await self._codes.verify(telegram_id, EMAIL_PURPOSE, typed)
        if verified.account_id is None:
            raise NoCode
        return verified.account_id

    async def send_phone_code(
        self, telegram_id: int, phone: str, channel: str, locale: Locale
    ) -> int:
        """The new number is the customer's own: the code always goes there."""
        issued = await self._codes.issue(
            telegram_id=telegram_id,
            purpose=PHONE_PURPOSE,
            channel=channel,
            destination=phone,
            account_id=None,
        )
        self._courier.send(telegram_id, issued, locale, texts="recover")
        return len(issued.code)

    async def confirm_phone(self, telegram_id: int, typed: str) -> str:
        return (await self._codes.verify(telegram_id, PHONE_PURPOSE, typed)).destination

    async def schedule_by_email(
        self, telegram_id: int, account_id: str, new_phone: str, locale: Locale
    ) -> Recovery | None:
        """Schedule the change; None when the number is someone else's (then: review)."""
        holder = await self._marketplace.account_by_phone(new_phone)
        if holder is not None and holder.id != account_id:
            return None
        await self.check_allowed(telegram_id, account_id)
        now = self._clock.now()
        recovery_id = await self._repo.create(
            {
                "telegram_id": telegram_id,
                "account_id": account_id,
                "method": "email",
                "status": "scheduled",
                "new_phone": new_phone,
                "locale": locale,
                "created_at": now,
                "due_at": now + timedelta(days=self.policy.hold_days),
            }
        )
        await self._audit.audit(
            now,
            telegram_id,
            "recovery-scheduled",
            destination_masked=mask(new_phone),
            account_id=account_id,
        )
        recovery = await self._repo.get(recovery_id)
        assert recovery is not None  # noqa: S101 - just written
        await self._warn_old_contacts(recovery, await self._marketplace.account(account_id))
        return recovery

    async def open_review(
        self, telegram_id: int, new_phone: str, evidence: Evidence, locale: Locale
    ) -> tuple[Recovery, dict[str, Any]]:
        """A recovery for an agent to decide, with the evidence checked against the account
        the old number (or else the order) points to. Returns it and the matches to show."""
        account = await self._marketplace.account_by_phone(evidence.old_phone)
        order = await self._marketplace.order(evidence.order_number)
        if account is None and order is not None:
            account = await self._marketplace.account(order.account_id)
        await self.check_allowed(telegram_id, account.id if account else None)
        matches = _matches(account, order, evidence, new_phone)
        recovery_id = await self._repo.create(
            {
                "telegram_id": telegram_id,
                "account_id": account.id if account else None,
                "method": "review",
                "status": "review",
                "new_phone": new_phone,
                "locale": locale,
                "evidence": {**matches, "description": evidence.description},
                "created_at": self._clock.now(),
            }
        )
        recovery = await self._repo.get(recovery_id)
        assert recovery is not None  # noqa: S101
        return recovery, matches

    async def attach_ticket(self, recovery_id: int, ticket_id: int) -> None:
        await self._repo.set_ticket(recovery_id, ticket_id)

    async def by_ticket(self, ticket_id: int) -> Recovery | None:
        return await self._repo.by_ticket(ticket_id)

    async def approve(self, recovery_id: int, agent_id: int) -> Recovery:
        recovery = await self._repo.get(recovery_id)
        if recovery is None or recovery.account_id is None:
            raise RecoveryNotOpen
        hold = timedelta(0 if self.policy.approve_immediately else self.policy.hold_days)
        if not await self._repo.schedule(recovery_id, self._clock.now() + hold, agent_id):
            raise RecoveryNotOpen
        approved = await self._repo.get(recovery_id)
        assert approved is not None  # noqa: S101
        # The contacts as they are before the change: the old number is told, not the new.
        account = await self._marketplace.account(approved.account_id or "")
        if self.policy.approve_immediately:
            try:
                await self.apply_due()
            finally:  # told what really happened, even if applying failed
                approved = await self._repo.get(recovery_id) or approved
                await self._warn_old_contacts(approved, account)
        else:
            await self._warn_old_contacts(approved, account)
        return approved

    async def reject(self, recovery_id: int, agent_id: int, reason: str) -> Recovery:
        if not await self._repo.move(
            recovery_id, "review", "rejected", self._clock.now(), by=agent_id, reason=reason
        ):
            raise RecoveryNotOpen
        rejected = await self._repo.get(recovery_id)
        assert rejected is not None  # noqa: S101
        return rejected

    async def cancel(self, recovery_id: int, telegram_id: int) -> Recovery:
        """By the customer who asked, or from any chat linked to the account."""
        recovery = await self._repo.get(recovery_id)
        if recovery is None:
            raise RecoveryNotOpen
        linked = await self._customers.linked_account(telegram_id, self._clock.now())
        allowed = telegram_id == recovery.telegram_id or (
            linked is not None and linked == recovery.account_id
        )
        if not allowed or recovery.status not in ("scheduled", "review"):
            raise RecoveryNotOpen
        if not await self._repo.move(
            recovery_id, recovery.status, "cancelled", self._clock.now(), by=telegram_id
        ):
            raise RecoveryNotOpen
        await self._audit.audit(
            self._clock.now(), telegram_id, "recovery-cancelled", account_id=recovery.account_id
        )
        return recovery

    async def apply_due(self) -> list[Recovery]:
        """Apply every change whose hold is over; each exactly once, even across restarts."""
        now = self._clock.now()
        applied = []
        for recovery in await self._repo.due(now):
            async with self._db.tx():
                if not await self._repo.move(recovery.id, "scheduled", "applied", now):
                    continue
                assert recovery.account_id is not None  # noqa: S101 - scheduled ones have it
                await self._marketplace.change_phone(recovery.account_id, recovery.new_phone)
                await self._customers.link(
                    recovery.telegram_id, recovery.account_id, now, now + self._login_ttl
                )
                await self._audit.audit(
                    now,
                    recovery.telegram_id,
                    "recovery-applied",
                    destination_masked=mask(recovery.new_phone),
                    account_id=recovery.account_id,
                )
                await self._tell_applied(recovery)  # kept or dropped with the change
            applied.append(recovery)
        return applied

    async def _warn_old_contacts(self, recovery: Recovery, account: Account | None) -> None:
        """Every contact of the account hears of the change: ahead of it, with the way to
        stop it, or, once it is applied, that it is done and whom to call."""
        if account is None or recovery.due_at is None:
            return
        applied = recovery.status == "applied"
        locale: Locale = recovery.locale  # type: ignore[assignment]
        args = {"date": recovery.due_at.strftime("%d.%m.%Y"), "phone": mask(recovery.new_phone)}
        for contact in (account.email, account.phone):
            if contact:
                key = "recover-changed" if applied else "recover-notice"
                await self._courier.notice(contact, locale, key, **args)
        for chat in await self._customers.chats_of(account.id, self._clock.now()):
            if chat != recovery.telegram_id:
                await self._tell_old_chat(chat, recovery, applied)


def _matches(
    account: Account | None, order: Any, evidence: Evidence, new_phone: str
) -> dict[str, Any]:
    def same_name(a: str, b: str) -> bool:
        return set(a.casefold().split()) & set(b.casefold().split()) != set()

    return {
        "account": account.id if account else None,
        "name": bool(account and same_name(account.name, evidence.name)),
        "order": bool(account and order is not None and order.account_id == account.id),
        "old_phone": bool(account and account.phone == evidence.old_phone),
        "old_phone_masked": mask(evidence.old_phone),
        "new_phone_masked": mask(new_phone),
    }
