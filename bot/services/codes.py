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

from bot.clock import Clock
from bot.phones import mask
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
    def __init__(self, minutes: int) -> None:
        super().__init__(minutes)
        self.minutes = minutes


@dataclass(frozen=True)
class CodePolicy:
    length: int
    ttl_seconds: int
    max_attempts: int
    cooldown_seconds: int
    hourly_cap: int
    daily_cap: int = 10


@dataclass(frozen=True)
class Issued:
    code: str
    channel: str
    destination: str
    account_id: str | None
    expires_at: datetime


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
            refusal = await self._refusal(telegram_id, purpose, destination, now)
            if refusal is None:
                call = channel == "call"
                length = CALL_CODE_LENGTH if call else self.policy.length
                attempts = (
                    min(CALL_CODE_MAX_ATTEMPTS, self.policy.max_attempts)
                    if call
                    else (self.policy.max_attempts)
                )
                code = "".join(secrets.choice("0123456789") for _ in range(length))
                salt = secrets.token_bytes(16)
                expires = now + timedelta(seconds=self.policy.ttl_seconds)
                await self._repo.replace_open(
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
        # Raised outside the transaction, so that what it recorded is kept.
        if refusal is not None:
            raise refusal
        return Issued(code, channel, destination, account_id, expires)

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

    async def cooldown_left(self, telegram_id: int, purpose: str) -> int:
        """Seconds before another code may be asked for; 0 when it may be now."""
        last = await self._repo.latest(telegram_id, purpose)
        if last is None:
            return 0
        ready = last.created_at + timedelta(seconds=self.policy.cooldown_seconds)
        return max(0, math.ceil((ready - self._clock.now()).total_seconds()))

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

    async def _refusal(
        self, telegram_id: int, purpose: str, destination: str, now: datetime
    ) -> CodeError | None:
        wait = await self.cooldown_left(telegram_id, purpose)
        if wait:
            return TooSoon(wait)
        for window, cap in (
            (timedelta(hours=1), self.policy.hourly_cap),
            (timedelta(days=1), self.policy.daily_cap),
        ):
            by_sender, by_destination, oldest = await self._repo.issued_since(
                telegram_id, destination, now - window
            )
            if max(by_sender, by_destination) >= cap:
                await self._repo.audit(
                    now, telegram_id, "code-capped", destination_masked=mask(destination)
                )
                free_at = (oldest or now) + window
                return HourlyCapReached(max(1, math.ceil((free_at - now).total_seconds() / 60)))
        return None


def _unusable(row: CodeRow | None, now: datetime) -> CodeError | None:
    if row is None or row.used:
        return NoCode()
    if row.burned:
        return CodeBurned()
    if now >= row.expires_at:
        return CodeExpired()
    return None
