"""Access recovery after a phone-number change.

Two ways in: a code to the account's confirmed email, or a review by an agent of
evidence the customer gives. Either way the new number is proven by a code first,
and the change waits out a holding period during which the old contacts are told
and anyone holding them can cancel it. A scheduler applies what is due, once.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from bot.domain.clock import Clock
from bot.domain.phones import mask
from bot.ports.marketplace import Account, MarketplacePort
from bot.services.codes import CodeService, NoCode
from bot.services.courier import Courier
from bot.services.tickets import Banned, Opened, Person, TicketService, Written
from bot.settings import Locale
from storage.codes import CodeRepo
from storage.customers import CustomerRepo
from storage.db import Database
from storage.recovery import Recovery, RecoveryRepo

EMAIL_PURPOSE = "recover-email"
PHONE_PURPOSE = "recover-phone"


class Notices(Protocol):
    """What people are told of a change. Each is queued in the caller's transaction and
    delivered by the outbox; a change is applied only once its warnings are settled."""

    async def old_chat(self, chat_id: int, recovery: Recovery, applied: bool) -> None:
        """A chat linked to the account: ahead of the change with the way to stop it, or
        that it is done."""

    async def contact(self, destination: str, recovery: Recovery, applied: bool) -> bool:
        """The account's email or phone, likewise; False when that channel is not set up."""

    async def applied(self, recovery: Recovery) -> None:
        """The customer who asked: the number is changed."""

    async def logged_out(self, chat_id: int, recovery: Recovery) -> None:
        """A chat logged in with the old number, logged out by the change."""

    async def lost(self, recovery: Recovery, whom: str, reason: str) -> None:
        """Agents: a warning could not be delivered (`whom` is masked)."""


class RecoveryError(Exception):
    pass


class TooManyRecoveries(RecoveryError):
    pass


class RecoveryNotOpen(RecoveryError):
    pass


class RecoveryCancelled(RecoveryNotOpen):
    pass


class RecoveryApplied(RecoveryNotOpen):
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
        tickets: TicketService,
        clock: Clock,
        policy: RecoveryPolicy,
        login_ttl_days: int,
        notices: Notices,
    ) -> None:
        self._db, self._repo, self._codes, self._audit = db, repo, codes, audit
        self._customers, self._marketplace, self._courier = customers, marketplace, courier
        self._clock, self.policy = clock, policy
        self._login_ttl = timedelta(days=login_ttl_days)
        self._notices, self._tickets = notices, tickets

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
            await self._courier.send(issued, locale, texts="recover")
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
        await self._courier.send(issued, locale, texts="recover")
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
        async with self._db.tx():  # the change, its audit and every warning, or none
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
        account = await self._marketplace.account_by_phone(evidence.old_phone)
        order = await self._marketplace.order(evidence.order_number)
        if account is None and order is not None:
            account = await self._marketplace.account(order.account_id)
        async with self._db.tx():
            if await self._tickets.is_banned(customer.id):
                raise Banned
            await self.check_allowed(customer.id, account.id if account else None)
            matches = _matches(account, order, evidence, new_phone)
            recovery_id = await self._repo.create(
                {
                    "telegram_id": customer.id,
                    "account_id": account.id if account else None,
                    "method": "review",
                    "status": "review",
                    "new_phone": new_phone,
                    "locale": locale,
                    "evidence": {**matches, "description": evidence.description},
                    "created_at": self._clock.now(),
                }
            )
            opened = await self._tickets.open_ticket(
                customer,
                locale=locale,
                description=description,
                account_id=account.id if account else None,
                problem="recovery",
                order_number=evidence.order_number,
                context={"recovery_id": recovery_id, "evidence": matches},
            )
            await self._repo.set_ticket(recovery_id, opened.ticket.id)
            recovery = await self._repo.get(recovery_id)
        assert recovery is not None  # noqa: S101
        return recovery, opened

    async def attach_ticket(self, recovery_id: int, ticket_id: int) -> None:
        await self._repo.set_ticket(recovery_id, ticket_id)

    async def by_ticket(self, ticket_id: int) -> Recovery | None:
        return await self._repo.by_ticket(ticket_id)

    async def approve(self, recovery_id: int, agent_id: int) -> Recovery:
        """Schedule a reviewed change and warn the old contacts, in one transaction. An
        immediate approval is due at once, and applied as soon as the warnings are out."""
        async with self._db.tx():
            recovery = await self._repo.get(recovery_id)
            if recovery is None or recovery.account_id is None:
                raise RecoveryNotOpen
            hold = timedelta(0 if self.policy.approve_immediately else self.policy.hold_days)
            if not await self._repo.schedule(recovery_id, self._clock.now() + hold, agent_id):
                raise RecoveryNotOpen
            approved = await self._repo.get(recovery_id)
            assert approved is not None  # noqa: S101
            await self._warn_old_contacts(
                approved, await self._marketplace.account(recovery.account_id)
            )
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
        if recovery.status == "cancelled":
            raise RecoveryCancelled
        if recovery.status == "applied":
            raise RecoveryApplied
        if recovery.status not in ("scheduled", "review"):
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
        """Apply every change whose hold is over and whose warnings are all settled; each
        exactly once, even across restarts. Chats logged in with the old number are
        logged out, and told why."""
        now = self._clock.now()
        applied = []
        for recovery in await self._repo.due(now):
            async with self._db.tx():
                if not await self._repo.move(recovery.id, "scheduled", "applied", now):
                    continue
                assert recovery.account_id is not None  # noqa: S101 - scheduled ones have it
                before = await self._marketplace.account(recovery.account_id)
                await self._marketplace.change_phone(recovery.account_id, recovery.new_phone)
                for chat in await self._customers.chats_of(recovery.account_id, now):
                    if chat != recovery.telegram_id:
                        await self._customers.unlink(chat)
                        await self._notices.logged_out(chat, recovery)
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
                done = await self._repo.get(recovery.id) or recovery
                await self._notices.applied(done)
                for contact in (before.email, before.phone) if before else ():
                    if contact:
                        await self._notices.contact(contact, done, True)
            applied.append(recovery)
        return applied

    async def notice_given_up(self, recovery_id: int, whom: str, reason: str) -> None:
        """A warning of this change could not be delivered: agents are told, in the
        caller's transaction, so the change does not go ahead unseen."""
        recovery = await self._repo.get(recovery_id)
        if recovery is not None:
            await self._notices.lost(recovery, whom, reason)

    async def _warn_old_contacts(self, recovery: Recovery, account: Account | None) -> None:
        """Every contact of the account hears of the change ahead of it, with the way to
        stop it; the change waits until each warning is delivered or given up on."""
        if account is None or recovery.due_at is None:
            return
        for contact in (account.email, account.phone):
            if contact:
                await self._notices.contact(contact, recovery, False)
        for chat in await self._customers.chats_of(account.id, self._clock.now()):
            if chat != recovery.telegram_id:
                await self._notices.old_chat(chat, recovery, False)


def _matches(
    account: Account | None, order: Any, evidence: Evidence, new_phone: str
) -> dict[str, Any]:
    """What the customer typed next to what the account holds, for the agent to judge."""
    return {
        "account": account.id if account else None,
        "name": bool(account and same_name(account.name, evidence.name)),
        "name_typed": evidence.name,
        "name_held": account.name if account else None,
        "order": bool(account and order is not None and order.account_id == account.id),
        "order_typed": evidence.order_number,
        "old_phone": bool(account and account.phone == evidence.old_phone),
        "old_phone_masked": mask(evidence.old_phone),
        "phone_held_masked": mask(account.phone) if account and account.phone else None,
        "new_phone_masked": mask(new_phone),
    }


def normal_name(name: str) -> str:
    """A name as compared: case, diacritics (the two dots of Russian yo too),
    punctuation and spacing do not matter."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    kept = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(kept.split())


def same_name(held: str, typed: str) -> bool:
    """The whole name matches, its words in any order (surname first too)."""
    a, b = normal_name(held).split(), normal_name(typed).split()
    return bool(a) and sorted(a) == sorted(b)
