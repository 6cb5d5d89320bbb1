import asyncio
from datetime import timedelta

import pytest

from bot.delivery.background import Background
from bot.delivery.outbox import Outbox
from bot.delivery.pacing import Pacer
from bot.domain.clock import Clock, FrozenClock
from bot.domain.values import Locale, RecoveryMethod, RecoveryStatus
from bot.ports.marketplace import Account
from bot.services.codes import (
    CodeExpired,
    CodePolicy,
    CodeService,
    CodeWrong,
    NotACode,
)
from bot.services.courier import Courier
from bot.services.hours import SupportHours
from bot.services.recovery import (
    Evidence,
    RecoveryApplied,
    RecoveryCancelled,
    RecoveryNotOpen,
    RecoveryPolicy,
    RecoveryService,
    TooManyRecoveries,
)
from bot.services.tickets import (
    Banned,
    Person,
    TicketPolicy,
    TicketRepos,
    TicketService,
    Written,
)
from bot.telegram.i18n import Translator
from bot.telegram.notices import RecoveryNotices
from storage.codes import CodeRepo
from storage.customers import CustomerRepo
from storage.db import Database
from storage.marketplace import EmbeddedMarketplace
from storage.outbox import Notice, OutboxRepo
from storage.recovery import Recovery, RecoveryRepo
from tests.unit.test_login import Outbox as Sender

POLICY = CodePolicy(
    length=6, ttl_seconds=300, max_attempts=5, cooldown_seconds=0, hourly_cap=50, daily_cap=50
)
NEW = "+79991112233"
FORUM = -100500
_PENDING = "SELECT * FROM outbox WHERE sent_at IS NULL AND failed IS NULL ORDER BY id"


class World:
    """The recovery service on a real database, its notices queued in the real outbox
    (not started: the tests deliver or fail them)."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        immediate: bool = False,
        retry: float = 60,
        attempts: int = 3,
    ) -> None:
        self.db, self.clock = db, clock
        self.market = EmbeddedMarketplace(db, clock)
        self.phone, self.mail, self.background = Sender(), Sender(), Background()
        self.customers = CustomerRepo(db)
        self.repo = OutboxRepo(db)
        self.outbox = Outbox(
            None,  # type: ignore[arg-type] - no Telegram: its notices are only queued
            db,
            self.repo,
            Pacer(1000, 60000, 1000),
            clock,
            phone=self.phone,
            mail=self.mail,
            retry_seconds=retry,
            attempts=attempts,
            tick=0.05,
        )

        courier = Courier(self.outbox, Translator("ru"), 300)
        code_repo = CodeRepo(db)
        self.tickets = TicketService(
            db,
            TicketRepos.over(db),
            clock,
            SupportHours("", "Europe/Moscow"),
            TicketPolicy(
                first_response_minutes=15, reopen_hours=24, customer_messages_per_minute=20
            ),
            on_new_work=lambda *_: None,
        )
        self.service = RecoveryService(
            db=db,
            repo=RecoveryRepo(db),
            codes=CodeService(db, code_repo, clock, POLICY, key=b"k"),
            audit=code_repo,
            customers=self.customers,
            marketplace=self.market,
            courier=courier,
            tickets=self.tickets,
            clock=clock,
            policy=RecoveryPolicy(hold_days=14, daily_cap=3, approve_immediately=immediate),
            login_ttl_days=30,
            notices=RecoveryNotices(self.outbox, Translator("ru"), FORUM),
        )

        async def lost(notice: Notice, reason: str) -> None:
            await self.service.notice_given_up(notice.recovery_id or 0, "x", reason)

        self.outbox.given_up = lost

    async def seed(self) -> None:
        await self.market.upsert(
            [
                Account("A1", "Анна Петрова", "+79123456789", "anna@example.com", True),
                Account("A2", "John", "+447911123456", None, False),
            ],
            [],
        )

    async def scheduled(self, telegram_id: int = 7) -> Recovery:
        recovery = await self.service.schedule_by_email(telegram_id, "A1", NEW, Locale.RU)
        assert recovery is not None
        return recovery

    async def review(self, telegram_id: int = 7, evidence: Evidence | None = None) -> Recovery:
        evidence = evidence or Evidence("Анна Петрова", "1-1", "+79123456789", "")
        said = Written("text", telegram_id, 1, text="lost my SIM")
        recovery, _ = await self.service.open_review(
            Person(telegram_id, "Анна"), NEW, evidence, Locale.RU, said
        )
        return recovery

    async def pending(self) -> list[tuple[str, str]]:
        """Notices not yet delivered: (a chat id, a phone or an email; the text)."""
        rows = await self.db.fetchall(_PENDING)
        return [(r["destination"] or str(r["chat_id"]), r["text"]) for r in rows]

    async def deliver_all(self) -> None:
        for row in await self.db.fetchall(_PENDING):
            await self.repo.sent(row["id"], None, self.clock.now())

    async def link_old_chat(self, chat: int = 42) -> None:
        await self.customers.link(
            chat, "A1", self.clock.now(), self.clock.now() + timedelta(days=30)
        )


@pytest.fixture
async def world(db: Database, clock: FrozenClock) -> World:
    w = World(db, clock)
    await w.seed()
    return w


async def test_only_a_confirmed_email_gets_the_code(world: World) -> None:
    await world.service.send_email_code(7, "anna@example.com", Locale.RU)
    await world.service.send_email_code(8, "john@example.com", Locale.RU)
    await world.service.send_email_code(9, "nobody@example.com", Locale.RU)
    await world.outbox.deliver_due()
    assert [m[0] for m in world.mail.sent] == ["anna@example.com"]
    assert await world.service.confirm_email(7, world.mail.sent[0][2].split()[5]) == "A1"


async def _mailed_code(world: World, email: str = "anna@example.com") -> str:
    await world.service.send_email_code(7, email, Locale.RU)
    await world.outbox.deliver_due()
    return str(world.mail.sent[-1][2].split()[5])


async def test_an_email_code_that_fails_twice_leaves_the_review_path_open(world: World) -> None:
    # The flow counts what it cannot retry in place: a code that no longer works. A
    # wrong try (it counts down) and text that is not a code are answered on the spot.
    first = await _mailed_code(world)
    with pytest.raises(CodeWrong):
        await world.service.confirm_email(7, "000000" if first != "000000" else "111111")
    with pytest.raises(NotACode):
        await world.service.confirm_email(7, "no idea")
    world.clock.advance(seconds=POLICY.ttl_seconds)
    with pytest.raises(CodeExpired):
        await world.service.confirm_email(7, first)
    second = await _mailed_code(world)
    assert len(world.mail.sent) == 2  # a fresh code, mailed again
    world.clock.advance(seconds=POLICY.ttl_seconds)
    with pytest.raises(CodeExpired):
        await world.service.confirm_email(7, second)
    # Neither failure started, or counts as, a recovery: the review opens as usual.
    assert await world.service.pending(7) is None
    await world.service.check_allowed(7, "A1")
    recovery = await world.review(7)
    assert (recovery.method, recovery.status) == (RecoveryMethod.REVIEW, RecoveryStatus.REVIEW)
    assert recovery.account_id == "A1" and recovery.ticket_id is not None


async def test_a_number_of_another_account_is_not_scheduled(world: World) -> None:
    assert await world.service.schedule_by_email(7, "A1", "+447911123456", Locale.RU) is None


async def test_cancel_by_the_customer_or_an_old_chat_only(world: World) -> None:
    recovery = await world.scheduled()
    with pytest.raises(RecoveryNotOpen):
        await world.service.cancel(recovery.id, 99)  # a stranger
    await world.link_old_chat(42)
    await world.service.cancel(recovery.id, 42)
    await world.deliver_all()
    world.clock.advance(days=15)
    assert await world.service.apply_due() == []


async def test_the_owner_hears_plainly_that_a_change_was_cancelled(world: World) -> None:
    await world.link_old_chat(42)
    recovery = await world.scheduled()
    await world.service.cancel(recovery.id, 7)  # the requester changed their mind
    with pytest.raises(RecoveryCancelled):
        await world.service.cancel(recovery.id, 42)  # the owner's "this wasn't me"


async def test_the_owner_hears_plainly_that_a_change_already_happened(world: World) -> None:
    await world.link_old_chat(42)
    recovery = await world.scheduled()
    await world.deliver_all()
    world.clock.advance(days=14)
    await world.service.apply_due()
    with pytest.raises(RecoveryApplied):
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


async def test_a_stranger_cannot_use_up_the_owners_recovery_attempts(world: World) -> None:
    # Strangers naming the victim's old number in reviews, then cancelling.
    for stranger in (101, 102, 103, 104):
        await world.service.cancel((await world.review(stranger)).id, stranger)
    await world.service.check_allowed(7, "A1")  # the owner's email path stays open
    await world.scheduled(7)


async def test_review_shows_what_was_typed_next_to_what_the_account_holds(world: World) -> None:
    evidence = Evidence("петрова  АННА", "99999999-0001", "+79123456789", "lost the SIM")
    said = Written("text", 7, 1, text="lost the SIM")
    recovery, opened = await world.service.open_review(
        Person(7, "Анна"), NEW, evidence, Locale.RU, said
    )
    assert recovery.status == RecoveryStatus.REVIEW and recovery.ticket_id == opened.ticket.id
    matches = opened.ticket.context["evidence"]
    assert matches["account"] == "A1"
    assert (matches["name"], matches["order"], matches["old_phone"]) == (True, False, True)
    assert (matches["name_typed"], matches["name_held"]) == ("петрова  АННА", "Анна Петрова")
    assert matches["order_typed"] == "99999999-0001"
    assert matches["phone_held_masked"] == "+7 912 ***-**-89"
    assert matches["new_phone_masked"] == "+7 999 ***-**-33"


async def test_a_review_opens_its_ticket_in_the_same_transaction(world: World) -> None:
    recovery = await world.review()
    ticket = await world.tickets.get(recovery.ticket_id or 0)
    assert ticket.context["recovery_id"] == recovery.id


async def test_a_banned_customer_opens_no_review(world: World) -> None:
    await world.tickets.ban(7, by=9001)
    with pytest.raises(Banned):
        await world.review(7)
    assert await world.service.pending(7) is None  # nothing half-written


async def test_approve_schedules_and_reject_is_final(world: World) -> None:
    recovery = await world.review(7)
    approved = await world.service.approve(recovery.id, 9001)
    assert approved.status == RecoveryStatus.SCHEDULED
    with pytest.raises(RecoveryNotOpen):
        await world.service.reject(recovery.id, 9001, "late")
    other = await world.review(8)
    rejected = await world.service.reject(other.id, 9001, "the order is not yours")
    assert rejected.status == RecoveryStatus.REJECTED
    with pytest.raises(RecoveryNotOpen):
        await world.service.approve(other.id, 9001)


async def test_a_warning_lost_for_good_is_told_to_agents_and_then_the_change_goes_ahead(
    db: Database,
) -> None:
    world = World(db, Clock(), retry=0.01)
    await world.seed()
    world.mail.broken = True
    recovery = await world.scheduled()
    settled = asyncio.Event()
    world.outbox.settled = settled.set  # told as each warning is sent or given up on
    await world.outbox.start()
    try:
        async with asyncio.timeout(10):
            while [w for w, _ in await world.pending() if w == "anna@example.com"]:
                await settled.wait()
                settled.clear()
    finally:
        await world.outbox.stop()
    assert world.phone.sent  # the SMS went
    told = [text for whom, text in await world.pending() if whom == str(FORUM)]
    assert len(told) == 1 and f"№{recovery.id}" in told[0]


async def test_a_warning_is_retried_until_the_mail_server_is_back(db: Database) -> None:
    world = World(db, Clock(), retry=0.01, attempts=100)
    await world.seed()
    world.mail.broken = True
    await world.scheduled()
    tries, settled = asyncio.Semaphore(0), asyncio.Event()
    mail = world.mail.send

    async def counted(*args: str) -> None:
        tries.release()
        await mail(*args)

    world.mail.send = counted  # type: ignore[method-assign]
    world.outbox.settled = settled.set  # told once the warning is sent
    await world.outbox.start()
    try:
        async with asyncio.timeout(10):
            await tries.acquire()
            await tries.acquire()  # failed, and tried again
            world.mail.broken = False
            while not world.mail.sent:
                await settled.wait()
                settled.clear()
    finally:
        await world.outbox.stop()
    assert [m[0] for m in world.mail.sent] == ["anna@example.com"]
