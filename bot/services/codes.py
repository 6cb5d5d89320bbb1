"""One-time codes: issue and verify; the limits on asking are `code_limits`.

A code is random from `secrets`, kept only as a salted hash, compared in constant
time, single use, expires, burns after too many wrong tries, and issuing a new one
burns the old. Callers use the same calls whether or not the destination has an
account, so nothing here tells an attacker which numbers are registered.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.clock import Clock
from bot.domain.phones import mask
from bot.domain.values import AuditEvent, Channel, CodePurpose
from bot.services.code_errors import (
    CodeBurned,
    CodeError,
    CodeExpired,
    CodeWrong,
    DestinationCapped,
    HourlyCapReached,
    NoCode,
    NotACode,
    RequesterLocked,
    TooSoon,
)
from bot.services.code_limits import CodeLimits, CodePolicy, Request
from storage import keys
from storage.codes import CodeRepo, CodeRow, NewCode
from storage.db import Database

# The names the flows know codes by, wherever they are defined.
__all__ = [
    "CALL_CODE_LENGTH",
    "CALL_CODE_MAX_ATTEMPTS",
    "CodeBurned",
    "CodeError",
    "CodeExpired",
    "CodePolicy",
    "CodeService",
    "CodeWrong",
    "DestinationCapped",
    "HourlyCapReached",
    "Issued",
    "NoCode",
    "NotACode",
    "RequesterLocked",
    "TooSoon",
    "Verified",
    "normalise_typed",
]

CALL_CODE_LENGTH = 4  # the caller number's last four digits
# Four digits are easier to guess than six: fewer tries per call code.
CALL_CODE_MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class Issued:
    code: str
    channel: Channel
    destination: str
    account_id: str | None
    expires_at: datetime
    id: int = 0  # its row: a message carrying it is dropped once a newer one replaces it


@dataclass(frozen=True)
class Verified:
    account_id: str | None
    channel: Channel
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
        self._limits = CodeLimits(repo, policy)

    async def issue(
        self,
        *,
        telegram_id: int,
        purpose: CodePurpose,
        channel: Channel,
        destination: str,
        account_id: str | None,
    ) -> Issued:
        now = self._clock.now()
        asked = Request(telegram_id, purpose, destination, account_id)
        # The caps of an address count the codes every chat asked for it.
        async with self._db.tx(keys.destination(destination)):
            last = await self._repo.latest(telegram_id, purpose)
            failures = self._limits.carried_failures(last, now)
            refusal = await self._limits.refusal(asked, failures, now)
            issued = None
            if refusal is None:
                issued = await self._new_code(asked, channel, failures, now)
        # Raised outside the transaction, so that what it recorded is kept.
        if issued is None:
            raise refusal or NoCode()
        return issued

    async def _new_code(
        self, asked: Request, channel: Channel, failures: int, now: datetime
    ) -> Issued:
        call = channel == Channel.CALL
        length = CALL_CODE_LENGTH if call else self.policy.length
        per_code = self.policy.max_attempts
        if call:
            per_code = min(CALL_CODE_MAX_ATTEMPTS, per_code)
        # A new code does not start the count of wrong tries again (NIST SP 800-63B-4).
        attempts = min(per_code, self.policy.max_attempts - failures)
        code = "".join(secrets.choice("0123456789") for _ in range(length))
        salt = secrets.token_bytes(16)
        expires = now + timedelta(seconds=self.policy.ttl_seconds)
        code_id = await self._repo.replace_open(
            NewCode(
                asked.telegram_id,
                asked.purpose,
                channel,
                asked.destination,
                asked.account_id,
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
            asked.telegram_id,
            AuditEvent.CODE_ISSUED,
            channel=channel,
            destination_masked=mask(asked.destination),
            account_id=asked.account_id,
        )
        return Issued(code, channel, asked.destination, asked.account_id, expires, code_id)

    async def verify(self, telegram_id: int, purpose: CodePurpose, typed: str) -> Verified:
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

    async def cooldown_left(self, telegram_id: int, purpose: CodePurpose) -> int:
        """Seconds before another code may be asked for; 0 when it may be now."""
        return await self._limits.cooldown_left(telegram_id, purpose, self._clock.now())

    def _shape(self, row: CodeRow, digits: str) -> NotACode | None:
        length = CALL_CODE_LENGTH if row.channel == Channel.CALL else self.policy.length
        if len(digits) == length:
            return None
        return NotACode(length, has_digits=bool(digits))

    async def _check(self, row: CodeRow, digits: str, now: datetime) -> CodeError | None:
        if hmac.compare_digest(row.code_hash, _hash(self._key, row.salt, digits)):
            await self._repo.use(row.id, now)
            await self._repo.audit(
                now,
                row.telegram_id,
                AuditEvent.CODE_VERIFIED,
                channel=row.channel,
                destination_masked=mask(row.destination),
                account_id=row.account_id,
            )
            return None
        await self._repo.spend_attempt(row.id)
        await self._repo.audit(now, row.telegram_id, AuditEvent.CODE_WRONG, channel=row.channel)
        if row.attempts_left - 1 <= 0:
            await self._repo.burn(row.id, now)
            return CodeBurned()
        return CodeWrong(row.attempts_left - 1)


def _unusable(row: CodeRow | None, now: datetime) -> CodeError | None:
    if row is None or row.used:
        return NoCode()
    if row.burned:
        return CodeBurned()
    if now >= row.expires_at:
        return CodeExpired()
    return None
