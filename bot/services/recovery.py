"""Access recovery after a phone-number change.

Two ways in: a code to the account's confirmed email, or a review by an agent of
evidence the customer gives. Either way the new number is proven by a code first,
and the change waits out a holding period during which the old contacts are told
and anyone holding them can cancel it. A scheduler applies what is due, once.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.domain.clock import Clock
from bot.domain.phones import mask
from bot.domain.values import (
    AuditEvent,
    Channel,
    CodePurpose,
    Locale,
    RecoveryMethod,
    RecoveryStatus,
)
from bot.ports.marketplace import Account, MarketplacePort, Order
from bot.services.codes import CodeService, NoCode
from bot.services.courier import Courier
from bot.services.evidence import Evidence, matches, normal_name, same_name
from bot.services.phone_change import PhoneChange
from bot.services.recovery_terms import (
    Notices,
    RecoveryApplied,
    RecoveryCancelled,
    RecoveryError,
    RecoveryNotOpen,
    RecoveryPolicy,
    TooManyRecoveries,
)
from bot.services.tickets import Banned, Opened, Person, TicketService, Written
from storage import keys
from storage.codes import CodeRepo
from storage.customers import CustomerRepo
from storage.db import Database
from storage.recovery import NewRecovery, Recovery, RecoveryRepo

# The names the flows know recovery by, wherever they are defined.
__all__ = [
    "Evidence",
    "Notices",
    "RecoveryApplied",
    "RecoveryCancelled",
    "RecoveryError",
    "RecoveryNotOpen",
    "RecoveryPolicy",
    "RecoveryService",
    "TooManyRecoveries",
    "normal_name",
    "same_name",
]

REVIEW_PROBLEM = "recovery"  # what a review's ticket is about, on the agents' card
_OPEN = (RecoveryStatus.SCHEDULED, RecoveryStatus.REVIEW)


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
        tickets: TicketService,
        clock: Clock,
        policy: RecoveryPolicy,
        login_ttl_days: int,
        notices: Notices,
    ) -> None:
        self._db, self._repo, self._codes, self._audit = db, repo, codes, audit
        self._customers, self._marketplace, self._courier = customers, marketplace, courier
        self._clock, self.policy, self._tickets = clock, policy, tickets
        self._change = PhoneChange(
            db=db,
            repo=repo,
            audit=audit,
            customers=customers,
            marketplace=marketplace,
            clock=clock,
            notices=notices,
            login_ttl_days=login_ttl_days,
        )

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
            purpose=CodePurpose.RECOVER_EMAIL,
            channel=Channel.EMAIL,
            destination=email,
            account_id=owner.id if owner else None,
        )
        if owner is not None:
            await self._courier.send(issued, locale, texts="recover")
        return len(issued.code)

    async def confirm_email(self, telegram_id: int, typed: str) -> str:
        """The account whose email the code went to; CodeError subclasses otherwise: the
        flow counts those, and after the second one it takes the review path."""
        verified = await self._codes.verify(telegram_id, CodePurpose.RECOVER_EMAIL, typed)
        if verified.account_id is None:
            raise NoCode
        return verified.account_id

    async def send_phone_code(
        self, telegram_id: int, phone: str, channel: Channel, locale: Locale
    ) -> int:
        """The new number is the customer's own: the code always goes there."""
        issued = await self._codes.issue(
            telegram_id=telegram_id,
            purpose=CodePurpose.RECOVER_PHONE,
            channel=channel,
            destination=phone,
            account_id=None,
        )
        await self._courier.send(issued, locale, texts="recover")
        return len(issued.code)

    async def confirm_phone(self, telegram_id: int, typed: str) -> str:
        return (
            await self._codes.verify(telegram_id, CodePurpose.RECOVER_PHONE, typed)
        ).destination

    async def schedule_by_email(
        self, telegram_id: int, account_id: str, new_phone: str, locale: Locale
    ) -> Recovery | None:
        """Schedule the change; None when the number is someone else's (then: review)."""
        holder = await self._marketplace.account_by_phone(new_phone)
        if holder is not None and holder.id != account_id:
            return None
        async with self._db.tx(keys.account(account_id)):  # with every warning, or none
            await self.check_allowed(telegram_id, account_id)
            now = self._clock.now()
            due = now + timedelta(days=self.policy.hold_days)
            recovery = await self._created(
                NewRecovery(
                    telegram_id,
                    account_id,
                    RecoveryMethod.EMAIL,
                    RecoveryStatus.SCHEDULED,
                    new_phone,
                    locale,
                    now,
                    due_at=due,
                )
            )
            await self._audit.audit(
                now,
                telegram_id,
                AuditEvent.RECOVERY_SCHEDULED,
                destination_masked=mask(new_phone),
                account_id=account_id,
            )
            await self._change.warn(recovery)
        return recovery

    async def open_review(
        self,
        customer: Person,
        new_phone: str,
        evidence: Evidence,
        locale: Locale,
        description: Written,
    ) -> tuple[Recovery, Opened]:
        """A recovery for an agent to decide, in a ticket whose card shows the evidence
        next to what the account holds: one transaction, so never a review without its
        ticket. Raises Banned for a customer agents do not hear from."""
        account, order = await self._claimed(evidence)
        account_id = account.id if account else None
        found = matches(account, order, evidence, new_phone)
        async with self._db.tx(keys.chat(customer.id)):
            await self._db.lock(*[keys.account(account_id)] if account_id else [])
            if await self._tickets.is_banned(customer.id):
                raise Banned
            await self.check_allowed(customer.id, account_id)
            recovery = await self._created(
                NewRecovery(
                    customer.id,
                    account_id,
                    RecoveryMethod.REVIEW,
                    RecoveryStatus.REVIEW,
                    new_phone,
                    locale,
                    self._clock.now(),
                    evidence={**found, "description": evidence.description},
                )
            )
            opened = await self._tickets.open_ticket(
                customer,
                locale=locale,
                description=description,
                account_id=account_id,
                problem=REVIEW_PROBLEM,
                order_number=evidence.order_number,
                context={"recovery_id": recovery.id, "evidence": found},
            )
            await self._repo.set_ticket(recovery.id, opened.ticket.id)
        return replace(recovery, ticket_id=opened.ticket.id), opened

    async def _claimed(self, evidence: Evidence) -> tuple[Account | None, Order | None]:
        """The account the evidence points to: by the old number, else by the order."""
        account = await self._marketplace.account_by_phone(evidence.old_phone)
        order = await self._marketplace.order(evidence.order_number)
        if account is None and order is not None:
            account = await self._marketplace.account(order.account_id)
        return account, order

    async def _created(self, new: NewRecovery) -> Recovery:
        recovery = await self._repo.get(await self._repo.create(new))
        assert recovery is not None  # noqa: S101 - just written
        return recovery

    async def by_ticket(self, ticket_id: int) -> Recovery | None:
        return await self._repo.by_ticket(ticket_id)

    async def approve(self, recovery_id: int, agent_id: int) -> Recovery:
        """Schedule a reviewed change and warn the old contacts, in one transaction. An
        immediate approval is due at once, and applied as soon as the warnings are out."""
        async with self._db.tx():
            recovery = await self._repo.get(recovery_id)
            if recovery is None or recovery.account_id is None:
                raise RecoveryNotOpen
            await self._db.lock(keys.chat(recovery.telegram_id), keys.account(recovery.account_id))
            hold = timedelta(0 if self.policy.approve_immediately else self.policy.hold_days)
            if not await self._repo.schedule(recovery_id, self._clock.now() + hold, agent_id):
                raise RecoveryNotOpen
            approved = await self._repo.get(recovery_id)
            assert approved is not None  # noqa: S101
            await self._change.warn(approved)
        return approved

    async def reject(self, recovery_id: int, agent_id: int, reason: str) -> Recovery:
        now, moved = self._clock.now(), (RecoveryStatus.REVIEW, RecoveryStatus.REJECTED)
        if not await self._repo.move(recovery_id, *moved, now, by=agent_id, reason=reason):
            raise RecoveryNotOpen
        rejected = await self._repo.get(recovery_id)
        assert rejected is not None  # noqa: S101
        return rejected

    async def cancel(self, recovery_id: int, telegram_id: int) -> Recovery:
        """By the customer who asked, or from any chat linked to the account. Says why
        not: RecoveryCancelled, RecoveryApplied, or RecoveryNotOpen."""
        recovery = await self._repo.get(recovery_id)
        if recovery is None:
            raise RecoveryNotOpen
        linked = await self._customers.linked_account(telegram_id, self._clock.now())
        allowed = telegram_id == recovery.telegram_id or (
            linked is not None and linked == recovery.account_id
        )
        if not allowed:
            raise RecoveryNotOpen
        if recovery.status == RecoveryStatus.CANCELLED:
            raise RecoveryCancelled
        if recovery.status == RecoveryStatus.APPLIED:
            raise RecoveryApplied
        if recovery.status not in _OPEN:
            raise RecoveryNotOpen
        now = self._clock.now()
        cancelled = RecoveryStatus.CANCELLED
        if not await self._repo.move(recovery_id, recovery.status, cancelled, now, by=telegram_id):
            raise RecoveryNotOpen
        await self._audit.audit(
            now, telegram_id, AuditEvent.RECOVERY_CANCELLED, account_id=recovery.account_id
        )
        return recovery

    async def apply_due(self) -> list[Recovery]:
        """What the scheduler runs: see `PhoneChange.apply_due`."""
        return await self._change.apply_due()

    async def notice_given_up(self, recovery_id: int, whom: str, reason: str) -> None:
        """What the outbox reports: see `PhoneChange.notice_given_up`."""
        await self._change.notice_given_up(recovery_id, whom, reason)
