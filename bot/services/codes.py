"""One-time codes: issue, verify, and the limits that keep them from being guessed.

A code is random from `secrets`, kept only as a salted hash, compared in constant
time, single use, expires, burns after too many wrong tries, and issuing a new one
burns the old. Callers use the same calls whether or not the destination has an
account, so nothing here tells an attacker which numbers are registered.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.clock import Clock
from bot.domain.phones import mask
from storage.codes import CodeRepo, CodeRow, NewCode
from storage.db import Database

CALL_CODE_LENGTH = 4  # the caller number's last four digits
# Four digits are easier to guess than six: fewer tries per call code.
CALL_CODE_MAX_ATTEMPTS = 3


class CodeError(Exception):
    """Base of what a customer can be told about their code."""


class CodeWrong(CodeError):
    def __init__(self, attempts_left: int) -> None:
        super().__init__(attempts_left)
        self.attempts_left = attempts_left


class CodeExpired(CodeError):
    pass


class CodeBurned(CodeError):
    """Too many wrong tries, or a newer code replaced it."""


class NoCode(CodeError):
    pass


class NotACode(CodeError):
    """What was typed cannot be the code: no attempt is spent on it."""

    def __init__(self, length: int, *, has_digits: bool) -> None:
        super().__init__(length)
        self.length = length
        self.has_digits = has_digits


class TooSoon(CodeError):
    def __init__(self, seconds: int) -> None:
        super().__init__(seconds)
        self.seconds = seconds


class HourlyCapReached(CodeError):
    """The requester asked for too many codes: they, not the destination, wait."""

    def __init__(self, minutes: int) -> None:
        super().__init__(minutes)
        self.minutes = minutes


class RequesterLocked(HourlyCapReached):
    """Too many wrong tries in a row, across new codes: this requester waits."""


class DestinationCapped(HourlyCapReached):
    """A flood of codes to one phone or email: no more go there for a while.
    `tell_owner` until `owner_told`, then again a day later."""

    def __init__(self, minutes: int, *, tell_owner: bool) -> None:
        super().__init__(minutes)
        self.tell_owner = tell_owner


@dataclass(frozen=True)
class CodePolicy:
    length: int
    ttl_seconds: int
    max_attempts: int
    cooldown_seconds: int
    hourly_cap: int  # per requester, as daily_cap
    daily_cap: int = 10
    # Per destination, from everyone: high, so that only a flood reaches it.
    destination_hourly_cap: int = 10
    destination_daily_cap: int = 20
    lock_minutes: int = 60


@dataclass(frozen=True)
class Issued:
    code: str
    channel: str
    destination: str
    account_id: str | None
    expires_at: datetime
    id: int = 0  # its row: a message carrying it is dropped once a newer one replaces it


@dataclass(frozen=True)
class Verified:
    account_id: str | None
    channel: str
    destination: str


def normalise_typed(text: str) -> str:
    """'123 456', '12-34-56', 'code: 123456.', Arabic-Indic or full-width digits: 123456."""
    # Phone keyboards in Arabic, Persian or Hindi, and full-width input methods, type
    # their own digits; each is a decimal digit with a value (superscripts are not).
    return "".join(str(unicodedata.decimal(char)) for char in text if char.isdecimal())


def _hash(key: bytes, salt: bytes, code: str) -> bytes:
    # Keyed with a secret that is not in the database: a copy of the database alone
    # does not let anyone try all 10^6 codes against a stored hash.
    return hmac.new(key, salt + code.encode(), hashlib.sha256).digest()


class CodeService:
    def __init__(
        self, db: Database, repo: CodeRepo, clock: Clock, policy: CodePolicy, *, key: bytes
    ) -> None:
        self._key = key
        self._db = db
        self._repo = repo
        self._clock = clock
        self.policy = policy

    async def issue(
        self,
        *,
        telegram_id: int,
        purpose: str,
        channel: str,
        destination: str,
        account_id: str | None,
    ) -> Issued:
        now = self._clock.now()
        async with self._db.tx():
            last = await self._repo.latest(telegram_id, purpose)
            failures = self._carried_failures(last, now)
            refusal = await self._refusal(
                telegram_id, purpose, destination, account_id, failures, now
            )
            issued = None
            if refusal is None:
                issued = await self._new_code(
                    telegram_id, purpose, channel, destination, account_id, failures, now
                )
        # Raised outside the transaction, so that what it recorded is kept.
        if issued is None:
            raise refusal or NoCode()
        return issued

    async def _new_code(
        self,
        telegram_id: int,
        purpose: str,
        channel: str,
        destination: str,
        account_id: str | None,
        failures: int,
        now: datetime,
    ) -> Issued:
        call = channel == "call"
        length = CALL_CODE_LENGTH if call else self.policy.length
        per_code = (
            min(CALL_CODE_MAX_ATTEMPTS, self.policy.max_attempts)
            if call
            else (self.policy.max_attempts)
        )
        # A new code does not start the count of wrong tries again (NIST SP 800-63B-4).
        attempts = min(per_code, self.policy.max_attempts - failures)
        code = "".join(secrets.choice("0123456789") for _ in range(length))
        salt = secrets.token_bytes(16)
        expires = now + timedelta(seconds=self.policy.ttl_seconds)
        code_id = await self._repo.replace_open(
            NewCode(
                telegram_id,
                purpose,
                channel,
                destination,
                account_id,
                salt,
                _hash(self._key, salt, code),
                now,
                expires,
                attempts,
                failures,
            )
        )
        await self._repo.audit(
            now,
            telegram_id,
            "code-issued",
            channel=channel,
            destination_masked=mask(destination),
            account_id=account_id,
        )
        return Issued(code, channel, destination, account_id, expires, code_id)

    async def verify(self, telegram_id: int, purpose: str, typed: str) -> Verified:
        """Raises NotACode, without spending an attempt, for what cannot be the code."""
        digits = normalise_typed(typed)
        now = self._clock.now()
        async with self._db.tx():
            row = await self._repo.latest(telegram_id, purpose)
            failure = _unusable(row, now)
            if row is not None and failure is None:
                failure = self._shape(row, digits) or await self._check(row, digits, now)
        if failure is not None or row is None:
            raise failure or NoCode()
        return Verified(row.account_id, row.channel, row.destination)

    async def owner_told(self, destination: str) -> None:
        """The owner heard of the flood: not again for a day. Left to the caller, since
        only a caller that knows the owner can tell them."""
        await self._repo.flood_told(destination, self._clock.now())

    async def cooldown_left(self, telegram_id: int, purpose: str) -> int:
        """Seconds before another code may be asked for; 0 when it may be now. The wait
        doubles with each code the person asked for in the last hour."""
        last = await self._repo.latest(telegram_id, purpose)
        if last is None:
            return 0
        now = self._clock.now()
        recent, _ = await self._repo.issued_by(telegram_id, now - timedelta(hours=1))
        wait = min(3600, self.policy.cooldown_seconds * 2 ** max(0, recent - 1))
        ready = last.created_at + timedelta(seconds=wait)
        return max(0, math.ceil((ready - now).total_seconds()))

    def _shape(self, row: CodeRow, digits: str) -> NotACode | None:
        length = CALL_CODE_LENGTH if row.channel == "call" else self.policy.length
        if len(digits) == length:
            return None
        return NotACode(length, has_digits=bool(digits))

    async def _check(self, row: CodeRow, digits: str, now: datetime) -> CodeError | None:
        if hmac.compare_digest(row.code_hash, _hash(self._key, row.salt, digits)):
            await self._repo.use(row.id, now)
            await self._repo.audit(
                now,
                row.telegram_id,
                "code-verified",
                channel=row.channel,
                destination_masked=mask(row.destination),
                account_id=row.account_id,
            )
            return None
        await self._repo.spend_attempt(row.id)
        await self._repo.audit(now, row.telegram_id, "code-wrong", channel=row.channel)
        if row.attempts_left - 1 <= 0:
            await self._repo.burn(row.id, now)
            return CodeBurned()
        return CodeWrong(row.attempts_left - 1)

    def _carried_failures(self, last: CodeRow | None, now: datetime) -> int:
        lock = timedelta(minutes=self.policy.lock_minutes)
        if last is None or last.used or last.created_at <= now - lock:
            return 0
        return last.failures

    async def _refusal(
        self,
        telegram_id: int,
        purpose: str,
        destination: str,
        account_id: str | None,
        failures: int,
        now: datetime,
    ) -> CodeError | None:
        """Limits on the requester first; the destination's own cap is for floods only,
        so that nobody's requests lock a customer out of their own number."""
        if failures >= self.policy.max_attempts:
            last = await self._repo.latest(telegram_id, purpose)
            free_at = (last.created_at if last else now) + timedelta(
                minutes=self.policy.lock_minutes
            )
            await self._repo.audit(now, telegram_id, "code-locked")
            return RequesterLocked(_minutes(free_at - now))
        for window, cap in (
            (timedelta(hours=1), self.policy.hourly_cap),
            (timedelta(days=1), self.policy.daily_cap),
        ):
            count, oldest = await self._repo.issued_by(telegram_id, now - window)
            if count >= cap:
                await self._repo.audit(
                    now, telegram_id, "code-capped", destination_masked=mask(destination)
                )
                return HourlyCapReached(_minutes((oldest or now) + window - now))
        wait = await self.cooldown_left(telegram_id, purpose)
        if wait:
            return TooSoon(wait)
        return await self._flood(telegram_id, destination, account_id, now)

    async def _flood(
        self, telegram_id: int, destination: str, account_id: str | None, now: datetime
    ) -> DestinationCapped | None:
        for window, cap in (
            (timedelta(hours=1), self.policy.destination_hourly_cap),
            (timedelta(days=1), self.policy.destination_daily_cap),
        ):
            count, oldest = await self._repo.issued_to(destination, now - window)
            if count < cap:
                continue
            # The owner's own Telegram, known from an earlier login, is not held up.
            if account_id and await self._repo.has_logged_in(telegram_id, account_id):
                return None
            told = await self._repo.flood_told_at(destination)
            tell = told is None or told <= now - timedelta(days=1)
            await self._repo.audit(
                now, telegram_id, "code-flood", destination_masked=mask(destination)
            )
            return DestinationCapped(_minutes((oldest or now) + window - now), tell_owner=tell)
        return None


def _minutes(left: timedelta) -> int:
    return max(1, math.ceil(left.total_seconds() / 60))


def _unusable(row: CodeRow | None, now: datetime) -> CodeError | None:
    if row is None or row.used:
        return NoCode()
    if row.burned:
        return CodeBurned()
    if now >= row.expires_at:
        return CodeExpired()
    return None
