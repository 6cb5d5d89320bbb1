"""The limits on asking for codes (bot/services/code_limits.py), through the code service
that applies them."""

import pytest

from bot.domain.clock import FrozenClock
from bot.domain.values import AuditEvent, CodePurpose
from bot.services.codes import (
    CodeBurned,
    CodePolicy,
    CodeService,
    CodeWrong,
    DestinationCapped,
    HourlyCapReached,
    RequesterLocked,
    TooSoon,
)
from storage.codes import CodeRepo
from storage.db import Database
from tests.unit.test_codes import PHONE, _issue, _service


async def test_resend_has_a_cooldown(db: Database, clock: FrozenClock) -> None:
    service = _service(db, clock)
    await _issue(service)
    clock.advance(seconds=45)
    with pytest.raises(TooSoon) as error:
        await _issue(service)
    assert error.value.seconds == 15
    assert await service.cooldown_left(7, CodePurpose.LOGIN) == 15
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
        waits.append(await service.cooldown_left(7, CodePurpose.LOGIN))
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
    await CodeRepo(db).audit(clock.now(), 7, AuditEvent.LOGIN, account_id="A1")
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
        await service.verify(7, CodePurpose.LOGIN, wrong)
    clock.advance(seconds=60)
    second = await _issue(service)
    wrong = "000000" if second.code != "000000" else "111111"
    with pytest.raises(CodeWrong) as left:
        await service.verify(7, CodePurpose.LOGIN, wrong)
    assert left.value.attempts_left == 1
    with pytest.raises(CodeBurned):
        await service.verify(7, CodePurpose.LOGIN, wrong)
    clock.advance(minutes=5)
    with pytest.raises(RequesterLocked) as locked:
        await _issue(service)
    assert locked.value.minutes == 55
    await _issue(service, who=8)  # the number itself is not locked
    clock.advance(minutes=55)
    third = await _issue(service)
    assert (await service.verify(7, CodePurpose.LOGIN, third.code)).account_id == "A1"


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
