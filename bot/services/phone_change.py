"""The number change itself, once decided: the old contacts are warned ahead of it, and
it is applied when its hold is over and every warning is settled."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.clock import Clock
from bot.domain.phones import mask
from bot.domain.values import AuditEvent, RecoveryStatus
from bot.ports.marketplace import MarketplacePort
from bot.services.recovery_terms import Notices
from storage.codes import CodeRepo
from storage.customers import CustomerRepo
from storage.db import Database
from storage.recovery import Recovery, RecoveryRepo


class PhoneChange:
    def __init__(
        self,
        *,
        db: Database,
        repo: RecoveryRepo,
        audit: CodeRepo,
        customers: CustomerRepo,
        marketplace: MarketplacePort,
        clock: Clock,
        notices: Notices,
        login_ttl_days: int,
    ) -> None:
        self._db, self._repo, self._audit, self._customers = db, repo, audit, customers
        self._marketplace, self._clock, self._notices = marketplace, clock, notices
        self._login_ttl = timedelta(days=login_ttl_days)

    async def warn(self, recovery: Recovery) -> None:
        """Every contact of the account hears of the change ahead of it, with the way to
        stop it; the change waits until each warning is delivered or given up on."""
        if recovery.account_id is None or recovery.due_at is None:
            return
        account = await self._marketplace.account(recovery.account_id)
        if account is None:
            return
        for contact in (account.email, account.phone):
            if contact:
                await self._notices.contact(contact, recovery, False)
        for chat in await self._customers.chats_of(account.id, self._clock.now()):
            if chat != recovery.telegram_id:
                await self._notices.old_chat(chat, recovery, False)

    async def apply_due(self) -> list[Recovery]:
        """Apply every change whose hold is over and whose warnings are all settled; each
        exactly once, even across restarts."""
        now = self._clock.now()
        applied = []
        for recovery in await self._repo.due(now):
            async with self._db.tx():
                done = await self._apply(recovery, now)
            if done:
                applied.append(recovery)
        return applied

    async def _apply(self, recovery: Recovery, now: datetime) -> bool:
        """The number changes and the customer is logged in; chats logged in with the old
        number are logged out, and told why; the old contacts hear that it is done."""
        moved = RecoveryStatus.SCHEDULED, RecoveryStatus.APPLIED
        if not await self._repo.move(recovery.id, *moved, now):
            return False  # applied, or cancelled, meanwhile
        account_id = recovery.account_id
        assert account_id is not None  # noqa: S101 - scheduled ones have it
        before = await self._marketplace.account(account_id)
        await self._marketplace.change_phone(account_id, recovery.new_phone)
        for chat in await self._customers.chats_of(account_id, now):
            if chat != recovery.telegram_id:
                await self._customers.unlink(chat)
                await self._notices.logged_out(chat, recovery)
        await self._customers.link(recovery.telegram_id, account_id, now, now + self._login_ttl)
        await self._audit.audit(
            now,
            recovery.telegram_id,
            AuditEvent.RECOVERY_APPLIED,
            destination_masked=mask(recovery.new_phone),
            account_id=account_id,
        )
        done = await self._repo.get(recovery.id) or recovery
        await self._notices.applied(done)
        for contact in (before.email, before.phone) if before else ():
            if contact:
                await self._notices.contact(contact, done, True)
        return True

    async def notice_given_up(self, recovery_id: int, whom: str, reason: str) -> None:
        """A warning of this change could not be delivered: agents are told, in the
        caller's transaction, so the change does not go ahead unseen."""
        recovery = await self._repo.get(recovery_id)
        if recovery is not None:
            await self._notices.lost(recovery, whom, reason)
