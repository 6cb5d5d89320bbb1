import pytest

from bot.domain.clock import FrozenClock
from bot.domain.values import Channel, CodePurpose
from bot.services.codes import (
    CodeBurned,
    CodeExpired,
    CodePolicy,
    CodeService,
    CodeWrong,
    NoCode,
    NotACode,
    normalise_typed,
)
from storage.codes import CodeRepo
from storage.db import Database

POLICY = CodePolicy(length=6, ttl_seconds=300, max_attempts=3, cooldown_seconds=60, hourly_cap=3)
PHONE = "+79123456789"


def _service(db: Database, clock: FrozenClock) -> CodeService:
    return CodeService(db, CodeRepo(db), clock, POLICY, key=b"test-key")


async def _issue(
    service: CodeService, *, who: int = 7, to: str = PHONE, channel: Channel = Channel.SMS
):
    return await service.issue(
        telegram_id=who,
        purpose=CodePurpose.LOGIN,
        channel=channel,
        destination=to,
        account_id="A1",
    )


async def test_right_code_verifies_once(db: Database, clock: FrozenClock) -> None:
    service = _service(db, clock)
    issued = await _issue(service)
    assert len(issued.code) == 6
    verified = await service.verify(7, CodePurpose.LOGIN, issued.code)
    assert (verified.account_id, verified.destination) == ("A1", PHONE)
    with pytest.raises(NoCode):
        await service.verify(7, CodePurpose.LOGIN, issued.code)


async def test_call_codes_have_four_digits(db: Database, clock: FrozenClock) -> None:
    assert len((await _issue(_service(db, clock), channel=Channel.CALL)).code) == 4


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
        await service.verify(7, CodePurpose.LOGIN, wrong)
    assert first.value.attempts_left == 2
    with pytest.raises(CodeWrong) as second:
        await service.verify(7, CodePurpose.LOGIN, wrong)
    assert second.value.attempts_left == 1
    with pytest.raises(CodeBurned):
        await service.verify(7, CodePurpose.LOGIN, wrong)
    with pytest.raises(CodeBurned):
        await service.verify(7, CodePurpose.LOGIN, issued.code)


async def test_code_expires(db: Database, clock: FrozenClock) -> None:
    service = _service(db, clock)
    issued = await _issue(service)
    clock.advance(seconds=300)
    with pytest.raises(CodeExpired):
        await service.verify(7, CodePurpose.LOGIN, issued.code)


async def test_new_code_burns_the_previous_one(db: Database, clock: FrozenClock) -> None:
    service = _service(db, clock)
    old = await _issue(service)
    clock.advance(seconds=60)
    new = await _issue(service)
    if old.code != new.code:
        with pytest.raises(CodeWrong):
            await service.verify(7, CodePurpose.LOGIN, old.code)
    assert (await service.verify(7, CodePurpose.LOGIN, new.code)).account_id == "A1"


async def test_every_issue_and_check_is_audited_masked(db: Database, clock: FrozenClock) -> None:
    service = _service(db, clock)
    issued = await _issue(service)
    await service.verify(7, CodePurpose.LOGIN, issued.code)
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
    issued = await _issue(service, channel=Channel.CALL)
    wrong = "0000" if issued.code != "0000" else "1111"
    with pytest.raises(CodeWrong) as first:
        await service.verify(7, CodePurpose.LOGIN, wrong)
    assert first.value.attempts_left == min(2, POLICY.max_attempts - 1)


async def test_what_cannot_be_the_code_spends_no_attempt(db: Database, clock: FrozenClock) -> None:
    service = _service(db, clock)
    issued = await _issue(service)
    for typed in ("hello", "12345", "1234567"):
        with pytest.raises(NotACode) as error:
            await service.verify(7, CodePurpose.LOGIN, typed)
        assert error.value.length == 6
    wrong = "000000" if issued.code != "000000" else "111111"
    with pytest.raises(CodeWrong) as first:
        await service.verify(7, CodePurpose.LOGIN, wrong)
    assert first.value.attempts_left == POLICY.max_attempts - 1
