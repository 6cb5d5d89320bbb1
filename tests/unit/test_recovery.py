from datetime import timedelta

import pytest

from bot.background import Background
from bot.clock import FrozenClock
from bot.i18n import Translator
from bot.marketplace import Account
from bot.services.codes import CodePolicy, CodeService
from bot.services.courier import Courier
from bot.services.recovery import (
    Evidence,
    RecoveryNotOpen,
    RecoveryPolicy,
    RecoveryService,
    TooManyRecoveries,
)
from storage.codes import CodeRepo
from storage.customers import CustomerRepo
from storage.db import Database
from storage.marketplace import EmbeddedMarketplace
from storage.recoveries import Recovery, RecoveryRepo
from tests.unit.test_login import Outbox

POLICY = CodePolicy(
    length=6, ttl_seconds=300, max_attempts=5, cooldown_seconds=0, hourly_cap=50, daily_cap=50
)
NEW = "+79991112233"


class World:
    def __init__(self, db: Database, clock: FrozenClock, *, immediate: bool = False) -> None:
        self.db, self.clock = db, clock
        self.market = EmbeddedMarketplace(db, clock)
        self.phone, self.mail, self.background = Outbox(), Outbox(), Background()
        self.old_chats: list[int] = []
        self.applied_old_chats: list[int] = []
        self.told_applied: list[int] = []
        self.customers = CustomerRepo(db)

        async def told(chat: int, recovery: Recovery, applied: bool) -> None:
            (self.applied_old_chats if applied else self.old_chats).append(chat)

        async def applied(recovery: Recovery) -> None:
            self.told_applied.append(recovery.id)

        courier = Courier(self.phone, self.mail, Translator("ru"), self.background, 300)
        code_repo = CodeRepo(db)
        self.service = RecoveryService(
            db=db,
            repo=RecoveryRepo(db),
            codes=CodeService(db, code_repo, clock, POLICY, key=b"k"),
            audit=code_repo,
            customers=self.customers,
            marketplace=self.market,
            courier=courier,
            clock=clock,
            policy=RecoveryPolicy(hold_days=14, daily_cap=3, approve_immediately=immediate),
            login_ttl_days=30,
            tell_old_chat=told,
            tell_applied=applied,
        )

    async def seed(self) -> None:
        await self.market.upsert(
            [
                Account("A1", "Анна Петрова", "+79123456789", "anna@example.com", True),
                Account("A2", "John", "+447911123456", None, False),
            ],
            [],
        )

    async def scheduled(self, telegram_id: int = 7) -> Recovery:
        recovery = await self.service.schedule_by_email(telegram_id, "A1", NEW, "ru")
        assert recovery is not None
        return recovery


@pytest.fixture
async def world(db: Database, clock: FrozenClock) -> World:
    w = World(db, clock)
    await w.seed()
    return w


async def test_only_a_confirmed_email_gets_the_code(world: World) -> None:
    await world.service.send_email_code(7, "anna@example.com", "ru")
    await world.service.send_email_code(8, "john@example.com", "ru")
    await world.service.send_email_code(9, "nobody@example.com", "ru")
    await world.background.drain()
    assert [m[0] for m in world.mail.sent] == ["anna@example.com"]
    assert await world.service.confirm_email(7, world.mail.sent[0][2].split()[5]) == "A1"


async def test_scheduling_tells_the_old_contacts(world: World) -> None:
    await world.customers.link(42, "A1", world.clock.now(), world.clock.now() + timedelta(days=1))
    recovery = await world.scheduled()
    assert recovery.due_at == world.clock.now() + timedelta(days=14)
    assert {m[0] for m in world.mail.sent} == {"anna@example.com"}
    assert [m[0] for m in world.phone.sent] == ["+79123456789"]
    assert world.old_chats == [42]


async def test_a_number_of_another_account_is_not_scheduled(world: World) -> None:
    assert await world.service.schedule_by_email(7, "A1", "+447911123456", "ru") is None


async def test_due_change_applies_once_and_links_the_chat(world: World) -> None:
    await world.scheduled()
    assert await world.service.apply_due() == []
    world.clock.advance(days=14)
    applied = await world.service.apply_due()
    assert [r.new_phone for r in applied] == [NEW]
    assert world.told_applied == [applied[0].id]
    assert (await world.market.account("A1")).phone == NEW  # type: ignore[union-attr]
    assert await world.customers.linked_account(7, world.clock.now()) == "A1"
    assert await world.service.apply_due() == []
    assert world.told_applied == [applied[0].id]  # told once


async def test_cancel_by_the_customer_or_an_old_chat_only(world: World) -> None:
    recovery = await world.scheduled()
    with pytest.raises(RecoveryNotOpen):
        await world.service.cancel(recovery.id, 99)  # a stranger
    await world.customers.link(42, "A1", world.clock.now(), world.clock.now() + timedelta(days=1))
    await world.service.cancel(recovery.id, 42)
    world.clock.advance(days=15)
    assert await world.service.apply_due() == []
    with pytest.raises(RecoveryNotOpen):
        await world.service.cancel(recovery.id, 7)


async def test_one_open_recovery_and_a_daily_cap(world: World) -> None:
    recovery = await world.scheduled()
    with pytest.raises(TooManyRecoveries):
        await world.service.check_allowed(7)
    await world.service.cancel(recovery.id, 7)
    for _ in range(2):
        await world.service.cancel((await world.scheduled()).id, 7)
    with pytest.raises(TooManyRecoveries):
        await world.service.check_allowed(7)
    world.clock.advance(days=1, seconds=1)
    await world.service.check_allowed(7)


async def test_review_compares_the_evidence_with_the_account(world: World) -> None:
    evidence = Evidence("анна петрова", "99999999-0001", "+79123456789", "lost the SIM")
    recovery, matches = await world.service.open_review(7, NEW, evidence, "ru")
    assert recovery.status == "review"
    assert matches["account"] == "A1"
    assert (matches["name"], matches["order"], matches["old_phone"]) == (True, False, True)
    assert matches["new_phone_masked"] == "+7 999 ***-**-33"


async def test_approve_schedules_and_reject_is_final(world: World) -> None:
    evidence = Evidence("Анна", "1-1", "+79123456789", "")
    recovery, _ = await world.service.open_review(7, NEW, evidence, "ru")
    approved = await world.service.approve(recovery.id, 9001)
    assert approved.status == "scheduled"
    with pytest.raises(RecoveryNotOpen):
        await world.service.reject(recovery.id, 9001, "late")
    other, _ = await world.service.open_review(8, "+79990000000", evidence, "en")
    rejected = await world.service.reject(other.id, 9001, "the order is not yours")
    assert rejected.status == "rejected"
    with pytest.raises(RecoveryNotOpen):
        await world.service.approve(other.id, 9001)


async def test_immediate_approval_applies_at_once(db: Database, clock: FrozenClock) -> None:
    world = World(db, clock, immediate=True)
    await world.seed()
    recovery, _ = await world.service.open_review(
        7, NEW, Evidence("Анна", "1-1", "+79123456789", ""), "ru"
    )
    await world.customers.link(42, "A1", world.clock.now(), world.clock.now() + timedelta(days=1))
    await world.service.approve(recovery.id, 9001)
    assert (await world.market.account("A1")).phone == NEW  # type: ignore[union-attr]
    # the old contacts hear that it is done, not that it can still be stopped
    assert (world.old_chats, world.applied_old_chats) == ([], [42])
    await world.background.drain()
    assert [m[1] for m in world.mail.sent] == ["Номер телефона сменён"]
    assert "сменён" in world.phone.sent[-1][-1]


async def test_an_immediate_change_that_fails_is_announced_as_pending_not_done(
    db: Database, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = World(db, clock, immediate=True)
    await world.seed()
    recovery, _ = await world.service.open_review(
        7, NEW, Evidence("Анна", "1-1", "+79123456789", ""), "ru"
    )
    await world.customers.link(42, "A1", world.clock.now(), world.clock.now() + timedelta(days=1))

    async def marketplace_down(*_: object) -> None:
        raise RuntimeError("marketplace is down")

    monkeypatch.setattr(world.market, "change_phone", marketplace_down)
    with pytest.raises(RuntimeError):
        await world.service.approve(recovery.id, 9001)
    # still scheduled (the scheduler tries again), and told as such, with the way to stop it
    assert (world.old_chats, world.applied_old_chats) == ([42], [])
    await world.background.drain()
    assert [m[1] for m in world.mail.sent] == ["Запрошена смена номера телефона"]
