"""One-time codes and the audit trail of everything done with them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.values import AuditEvent, Channel, CodePurpose
from storage.db import Database, Row

_BURN_OPEN = """
UPDATE codes SET burned_at = :now
WHERE telegram_id = :telegram_id AND purpose = :purpose AND used_at IS NULL AND burned_at IS NULL
"""
_INSERT = """
INSERT INTO codes (telegram_id, purpose, channel, destination, account_id, salt, code_hash,
                   created_at, expires_at, attempts_left, failures)
VALUES (:telegram_id, :purpose, :channel, :destination, :account_id, :salt, :code_hash,
        :created_at, :expires_at, :attempts_left, :failures)
RETURNING id
"""
_LATEST = """
SELECT * FROM codes WHERE telegram_id = :telegram_id AND purpose = :purpose
ORDER BY id DESC LIMIT 1
"""
_BY_SENDER_SINCE = """
SELECT count(*), min(created_at) FROM codes
WHERE telegram_id = :telegram_id AND created_at > :since
"""
_BY_DESTINATION_SINCE = """
SELECT count(*), min(created_at) FROM codes
WHERE destination = :destination AND created_at > :since
"""
_HAS_LOGGED_IN = """
SELECT 1 FROM auth_audit
WHERE telegram_id = :telegram_id AND account_id = :account_id AND event = 'login' LIMIT 1
"""
_FLOOD_TOLD_AT = "SELECT told_at FROM code_floods WHERE destination = :destination"
_FLOOD_TOLD = """
INSERT INTO code_floods (destination, told_at) VALUES (:destination, :now)
ON CONFLICT (destination) DO UPDATE SET told_at = excluded.told_at
"""
_SPEND_ATTEMPT = """
UPDATE codes SET attempts_left = attempts_left - 1, failures = failures + 1 WHERE id = :id
"""
_BURN = "UPDATE codes SET burned_at = :now WHERE id = :id AND burned_at IS NULL"
_USE = "UPDATE codes SET used_at = :now WHERE id = :id AND used_at IS NULL"
_AUDIT = """
INSERT INTO auth_audit (at, telegram_id, event, channel, destination_masked, account_id)
VALUES (:at, :telegram_id, :event, :channel, :destination_masked, :account_id)
"""


@dataclass(frozen=True)
class NewCode:
    telegram_id: int
    purpose: CodePurpose
    channel: Channel
    destination: str
    account_id: str | None
    salt: bytes
    code_hash: bytes
    created_at: datetime
    expires_at: datetime
    attempts_left: int
    failures: int  # wrong tries in a row by the requester, this code's and carried ones


@dataclass(frozen=True)
class CodeRow(NewCode):
    id: int
    used: bool
    burned: bool


class CodeRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def replace_open(self, code: NewCode) -> int:
        # Only the newest code may work: issuing one burns the rest.
        params = {**code.__dict__, "now": code.created_at.isoformat()}
        params["created_at"] = code.created_at.isoformat()
        params["expires_at"] = code.expires_at.isoformat()
        async with self._db.tx():
            await self._db.execute(_BURN_OPEN, params)
            return await self._db.insert(_INSERT, params)

    async def latest(self, telegram_id: int, purpose: CodePurpose) -> CodeRow | None:
        params = {"telegram_id": telegram_id, "purpose": purpose}
        return _to_code(await self._db.fetchone(_LATEST, params))

    async def issued_by(self, telegram_id: int, since: datetime) -> tuple[int, datetime | None]:
        """Codes this person asked for since `since`, and when the oldest of them was."""
        params = {"telegram_id": telegram_id, "since": since.isoformat()}
        return _count(await self._db.fetchone(_BY_SENDER_SINCE, params))

    async def issued_to(self, destination: str, since: datetime) -> tuple[int, datetime | None]:
        """Codes sent to this phone or email since `since`, by anyone."""
        params = {"destination": destination, "since": since.isoformat()}
        return _count(await self._db.fetchone(_BY_DESTINATION_SINCE, params))

    async def has_logged_in(self, telegram_id: int, account_id: str) -> bool:
        params = {"telegram_id": telegram_id, "account_id": account_id}
        return await self._db.fetchone(_HAS_LOGGED_IN, params) is not None

    async def flood_told_at(self, destination: str) -> datetime | None:
        row = await self._db.fetchone(_FLOOD_TOLD_AT, {"destination": destination})
        return datetime.fromisoformat(row[0]) if row else None

    async def flood_told(self, destination: str, now: datetime) -> None:
        await self._db.execute(_FLOOD_TOLD, {"destination": destination, "now": now.isoformat()})

    async def spend_attempt(self, code_id: int) -> None:
        await self._db.execute(_SPEND_ATTEMPT, {"id": code_id})

    async def burn(self, code_id: int, now: datetime) -> None:
        await self._db.execute(_BURN, {"id": code_id, "now": now.isoformat()})

    async def use(self, code_id: int, now: datetime) -> None:
        await self._db.execute(_USE, {"id": code_id, "now": now.isoformat()})

    async def audit(
        self,
        now: datetime,
        telegram_id: int,
        event: AuditEvent,
        *,
        channel: Channel | None = None,
        destination_masked: str | None = None,
        account_id: str | None = None,
    ) -> None:
        await self._db.execute(
            _AUDIT,
            {
                "at": now.isoformat(),
                "telegram_id": telegram_id,
                "event": event,
                "channel": channel,
                "destination_masked": destination_masked,
                "account_id": account_id,
            },
        )


def _count(row: Row | None) -> tuple[int, datetime | None]:
    if row is None:
        return 0, None
    return int(row[0] or 0), datetime.fromisoformat(row[1]) if row[1] else None


def _to_code(row: Row | None) -> CodeRow | None:
    if row is None:
        return None
    return CodeRow(
        telegram_id=row["telegram_id"],
        purpose=CodePurpose(row["purpose"]),
        channel=Channel(row["channel"]),
        destination=row["destination"],
        account_id=row["account_id"],
        salt=bytes(row["salt"]),
        code_hash=bytes(row["code_hash"]),
        created_at=datetime.fromisoformat(row["created_at"]),
        expires_at=datetime.fromisoformat(row["expires_at"]),
        attempts_left=row["attempts_left"],
        failures=row["failures"],
        id=row["id"],
        used=row["used_at"] is not None,
        burned=row["burned_at"] is not None,
    )
