import pytest

from bot.domain.clock import FrozenClock
from bot.services.codes import (
    CodeBurned,
    CodeExpired,
    CodePolicy,
    CodeService,
    CodeWrong,
    DestinationCapped,
    HourlyCapReached,
    NoCode,
    NotACode,
    RequesterLocked,
    TooSoon,
    normalise_typed,
)
from storage.codes import CodeRepo
from storage.db import Database

POLICY = CodePolicy(length=6, ttl_seconds=300, max_attempts=3, cooldown_seconds=60, hourly_cap=3)
PHONE = "+79123456789"


def _service(db: Database, clock: FrozenClock) -> CodeService:
    return CodeService(db, CodeRepo(db), clock, POLICY, key=b"test-key")


async def _issue(service: CodeService, *, who: int = 7, to: str = PHONE, channel: str = "sms"):
    return await service.issue(
        telegram_id=who, purpose="login", channel=channel, destination=to, account_id="A1"
    )


async def test_right_code_verifies_once(db: Database, clock: FrozenClock) -> None:
    service = _service(db, clock)
    issued = await _issue(service)
    assert len(issued.code) == 6
    verified = await service.verify(7, "login", issued.code)
    assert (verified.account_id, verified.destination) == ("A1", PHONE)
    with pytest.raises(NoCode):
        await service.verify(7, "login", issued.code)


async def test_call_codes_have_four_digits(db: Database, clock: FrozenClock) -> None:
    assert len((await _issue(_service(db, clock), channel="call")).code) == 4


async def test_code_is_stored_only_as_a_salted_hash(db: Database, clock: FrozenClock) -> None:
    issued = await _issue(_service(db, clock))
    row = await db.fetchone("SELECT * FROM codes")
    assert row is not None
    assert issued.code.encode() not in bytes(row["code_hash"])
    assert issued.code not in " ".join(str(v) for v in tuple(row))


async def test_wrong_code_counts_down_then_burns(db: Database, clock: FrozenClock) -> None:
    service = _service(db, clock)
    issued = await _issue(service)
    wrong = "000000" if issued.code != "000000" else "111111"
    with pytest.raises(CodeWrong) as first:
        await service.verify(7, "login", wrong)
    assert first.value.attempts_left == 2
    with pytest.raises(CodeWrong) as second:
        await service.verify(7, "login", wrong)
    assert second.value.attempts_left == 1
    with pytest.raises(CodeBurned):
        await service.verify(7, "login", wrong)
    with pytest.raises(CodeBurned):
        await service.verify(7, "login", issued.code)


async def test_code_expires(db: Database, clock: FrozenClock) -> None:
    service = _service(db, clock)
    issued = await _issue(service)
    clock.advance(seconds=300)
    with pytest.raises(CodeExpired):
        await service.verify(7, "login", issued.code)


async def test_new_code_burns_the_previous_one(db: Database, clock: FrozenClock) -> None:
    service = _service(db, clock)
    old = await _issue(service)
    clock.advance(seconds=60)
    new = await _issue(service)
    if old.code != new.code:
        with pytest.raises(CodeWrong):
            await service.verify(7, "login", old.code)
    assert (await service.verify(7, "login", new.code)).account_id == "A1"


async def test_resend_has_a_cooldown(db: Database, clock: FrozenClock) -> None:
    service = _service(db, clock)
    await _issue(service)
    clock.advance(seconds=45)
    with pytest.raises(TooSoon) as error:
        await _issue(service)
    assert error.value.seconds == 15
    assert await service.cooldown_left(7, "login") == 15
    clock.advance(seconds=15)
    await _issue(service)


async def test_hourly_cap_is_per_requester_not_per_destination(
    db: Database, clock: FrozenClock
) -> None:
    service = _service(db, clock)
    for _ in range(3):
        await _issue(service)
        clock.advance(minutes=10)
    with pytest.raises(HourlyCapReached) as by_user:
        await _issue(service, to="+79990000000")
    assert by_user.value.minutes == 30
    for who in (8, 9, 10, 11):  # the number itself is not held up by one person's caps
        await _issue(service, who=who)


async def test_the_wait_between_codes_doubles(db: Database, clock: FrozenClock) -> None:
    service = _service(db, clock)
    waits = []
    for _ in range(3):
        await _issue(service)
        waits.append(await service.cooldown_left(7, "login"))
        clock.advance(seconds=waits[-1])
    assert waits == [60, 120, 240]


async def test_a_flood_on_one_destination_is_capped_and_told_once(
    db: Database, clock: FrozenClock
) -> None:
    policy = CodePolicy(
        length=6,
        ttl_seconds=300,
        max_attempts=3,
        cooldown_seconds=60,
        hourly_cap=3,
        destination_hourly_cap=3,
    )
    service = CodeService(db, CodeRepo(db), clock, policy, key=b"test-key")
    for who in (8, 9, 10):
        await _issue(service, who=who)
    tells = []
    for who in (11, 12, 14):
        with pytest.raises(DestinationCapped) as capped:
            await _issue(service, who=who)
        tells.append(capped.value.tell_owner)
        if who == 12:
            await service.owner_told(PHONE)
    assert tells == [True, True, False]
    await CodeRepo(db).audit(clock.now(), 7, "login", account_id="A1")
    await _issue(service, who=7)  # the owner's own Telegram is not held up
    clock.advance(hours=1)
    await _issue(service, who=13)


async def test_a_new_code_carries_the_wrong_tries_then_the_requester_is_locked(
    db: Database, clock: FrozenClock
) -> None:
    service = _service(db, clock)
    issued = await _issue(service)
    wrong = "000000" if issued.code != "000000" else "111111"
    with pytest.raises(CodeWrong):
        await service.verify(7, "login", wrong)
    clock.advance(seconds=60)
    second = await _issue(service)
    wrong = "000000" if second.code != "000000" else "111111"
    with pytest.raises(CodeWrong) as left:
        await service.verify(7, "login", wrong)
    assert left.value.attempts_left == 1
    with pytest.raises(CodeBurned):
        await service.verify(7, "login", wrong)
    clock.advance(minutes=5)
    with pytest.raises(RequesterLocked) as locked:
        await _issue(service)
    assert locked.value.minutes == 55
    await _issue(service, who=8)  # the number itself is not locked
    clock.advance(minutes=55)
    third = await _issue(service)
    assert (await service.verify(7, "login", third.code)).account_id == "A1"


async def test_every_issue_and_check_is_audited_masked(db: Database, clock: FrozenClock) -> None:
    service = _service(db, clock)
    issued = await _issue(service)
    await service.verify(7, "login", issued.code)
    rows = await db.fetchall("SELECT event, destination_masked FROM auth_audit ORDER BY id")
    assert [tuple(r) for r in rows] == [
        ("code-issued", "+7 912 ***-**-89"),
        ("code-verified", "+7 912 ***-**-89"),
    ]


@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        ("123 456", "123456"),
        ("12-34-56", "123456"),
        (" code: 123456. ", "123456"),
        ("", ""),
        ("١٢٣٤٥٦", "123456"),
        ("۱۲۳ ۴۵۶", "123456"),
        ("１２３４５６", "123456"),
        ("१२३४५६", "123456"),
        ("12³456", "12456"),
    ],
)
def test_typed_codes_are_normalised(typed: str, digits: str) -> None:
    assert normalise_typed(typed) == digits


async def test_call_codes_allow_fewer_tries(db: Database, clock: FrozenClock) -> None:
    service = _service(db, clock)
    issued = await _issue(service, channel="call")
    wrong = "0000" if issued.code != "0000" else "1111"
    with pytest.raises(CodeWrong) as first:
        await service.verify(7, "login", wrong)
    assert first.value.attempts_left == min(2, POLICY.max_attempts - 1)


async def test_daily_cap_outlasts_the_hourly_one(db: Database, clock: FrozenClock) -> None:
    service = CodeService(
        db,
        CodeRepo(db),
        clock,
        CodePolicy(
            length=6,
            ttl_seconds=300,
            max_attempts=3,
            cooldown_seconds=60,
            hourly_cap=3,
            daily_cap=4,
        ),
        key=b"test-key",
    )
    for _ in range(3):
        await _issue(service)
        clock.advance(minutes=5)
    clock.advance(hours=1)
    await _issue(service)
    clock.advance(hours=1)
    with pytest.raises(HourlyCapReached) as error:
        await _issue(service)
    assert error.value.minutes > 60


async def test_what_cannot_be_the_code_spends_no_attempt(db: Database, clock: FrozenClock) -> None:
    service = _service(db, clock)
    issued = await _issue(service)
    for typed in ("hello", "12345", "1234567"):
        with pytest.raises(NotACode) as error:
            await service.verify(7, "login", typed)
        assert error.value.length == 6
    wrong = "000000" if issued.code != "000000" else "111111"
    with pytest.raises(CodeWrong) as first:
        await service.verify(7, "login", wrong)
    assert first.value.attempts_left == POLICY.max_attempts - 1
