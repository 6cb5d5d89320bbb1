import pytest

from bot.delivery.outbox import Outbox as Notices
from bot.delivery.pacing import Pacer
from bot.domain.clock import FrozenClock
from bot.domain.values import Channel, Locale
from bot.ports.marketplace import Account
from bot.ports.senders import DeliveryFailed, Unconfigured
from bot.services.codes import CodePolicy, CodeService, CodeWrong, NoCode
from bot.services.courier import Courier
from bot.services.login import ChannelOff, LoginService
from bot.telegram.i18n import Translator
from storage.codes import CodeRepo
from storage.customers import CustomerRepo
from storage.db import Database
from storage.marketplace import EmbeddedMarketplace
from storage.outbox import OutboxRepo

POLICY = CodePolicy(length=6, ttl_seconds=300, max_attempts=5, cooldown_seconds=60, hourly_cap=5)


class Outbox:
    """A sender that keeps what it was given; `broken` makes it fail like a dead gateway."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, ...]] = []
        self.broken = False

    async def send(self, *args: str) -> None:
        if self.broken:
            raise DeliveryFailed("down")
        self.sent.append(args)


def _service(
    db: Database, clock: FrozenClock, market: EmbeddedMarketplace, phone: object, mail: object
) -> tuple[LoginService, Notices]:
    """The login service on the real outbox (not started: `Delivery` stands in for it)."""
    outbox = Notices(
        None,  # type: ignore[arg-type] - codes go by SMS and email only
        db,
        OutboxRepo(db),
        Pacer(1000, 60000, 1000),
        clock,
        phone=phone,  # type: ignore[arg-type]
        mail=mail,  # type: ignore[arg-type]
    )
    code_repo = CodeRepo(db)
    service = LoginService(
        db=db,
        codes=CodeService(db, code_repo, clock, POLICY, key=b"test-key"),
        audit=code_repo,
        customers=CustomerRepo(db),
        marketplace=market,
        courier=Courier(outbox, Translator("ru"), POLICY.ttl_seconds),
        clock=clock,
        ttl_days=30,
    )
    return service, outbox


class Delivery:
    """What the outbox's workers would do: deliver what is due; `drain` lets the clock
    run on far enough for retries to come due."""

    def __init__(self, outbox: Notices, clock: FrozenClock) -> None:
        self._outbox, self._clock = outbox, clock

    async def drain(self) -> None:
        await self._outbox.deliver_due()
        self._clock.advance(seconds=60)  # a failed one comes due again (10 s, 20 s, …)
        await self._outbox.deliver_due()


@pytest.fixture
async def setup(db: Database, clock: FrozenClock):
    market = EmbeddedMarketplace(db, clock)
    await market.upsert(
        [
            Account("A1", "Анна", "+79123456789", "anna@example.com", True),
            Account("A2", "John", "+447911123456", "john@example.com", False),
        ],
        [],
    )
    phone, mail = Outbox(), Outbox()
    service, outbox = _service(db, clock, market, phone, mail)
    return service, phone, mail, Delivery(outbox, clock)


async def test_known_phone_gets_a_code_and_links(setup) -> None:
    service, phone, _, background = setup
    sent = await service.send_code(7, Channel.SMS, "+79123456789", Locale.RU)
    await background.drain()
    assert sent.shown == "+7 912 ***-**-89"
    (to, channel, code, text) = phone.sent[0]
    assert (to, channel) == ("+79123456789", "sms")
    assert code in text
    account = await service.confirm(7, code)
    assert account.id == "A1"
    assert (await service.account_of(7)) == account


async def test_unknown_phone_looks_the_same_but_nothing_is_sent(setup) -> None:
    service, phone, _, background = setup
    known = await service.send_code(7, Channel.SMS, "+79123456789", Locale.RU)
    unknown = await service.send_code(8, Channel.SMS, "+79123456788", Locale.RU)
    await background.drain()
    assert (known.code_length, known.ttl_minutes) == (unknown.code_length, unknown.ttl_minutes)
    assert len(phone.sent) == 1
    # A code was issued all the same, and even its right digits would link nothing.
    with pytest.raises((CodeWrong, NoCode)):
        await service.confirm(8, "123456")
    assert await service.account_of(8) is None


async def test_unconfirmed_email_gets_no_mail(setup) -> None:
    service, _, mail, background = setup
    await service.send_code(7, Channel.EMAIL, "john@example.com", Locale.EN)
    await service.send_code(8, Channel.EMAIL, "anna@example.com", Locale.EN)
    await background.drain()
    assert [m[0] for m in mail.sent] == ["anna@example.com"]
    assert mail.sent[0][1] == "Your login code"


async def test_a_failed_delivery_is_retried_in_the_background(setup) -> None:
    service, phone, _, background = setup
    phone.broken = True
    await service.send_code(7, Channel.CALL, "+79123456789", Locale.EN)
    await background.drain()
    assert phone.sent == []
    phone.broken = False
    await background.drain()
    assert [sent[:2] for sent in phone.sent] == [("+79123456789", "call")]


async def test_a_switched_off_channel_is_refused_for_every_destination(
    db: Database, clock: FrozenClock
) -> None:
    market = EmbeddedMarketplace(db, clock)
    await market.upsert([Account("A1", "Анна", "+79123456789", "anna@example.com", True)], [])
    service, _ = _service(db, clock, market, Outbox(), Unconfigured())
    for who, email in ((7, "anna@example.com"), (8, "nobody@example.com")):
        with pytest.raises(ChannelOff):
            await service.send_code(who, Channel.EMAIL, email, Locale.RU)
    assert await db.fetchall("SELECT * FROM codes") == []


async def test_logout_reports_whether_a_login_was_active(setup, clock: FrozenClock) -> None:
    service, phone, _, background = setup
    await service.send_code(7, Channel.SMS, "+79123456789", Locale.RU)
    await background.drain()
    await service.confirm(7, phone.sent[0][2])
    assert await service.logout(7) is True
    assert await service.logout(7) is False
    assert await service.account_of(7) is None
