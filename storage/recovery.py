"""Access recoveries: who asked, for which account, what is due and when."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.domain.values import Locale, RecoveryMethod, RecoveryStatus
from storage.db import Database, Row

_CREATE = """
INSERT INTO recoveries (telegram_id, account_id, method, status, new_phone, locale, evidence,
                        created_at, due_at)
VALUES (:telegram_id, :account_id, :method, :status, :new_phone, :locale, :evidence,
        :created_at, :due_at)
RETURNING id
"""
_GET = "SELECT * FROM recoveries WHERE id = :id"
_OPEN_OF = """
SELECT * FROM recoveries WHERE telegram_id = :telegram_id AND status IN ('review', 'scheduled')
ORDER BY id DESC LIMIT 1
"""
_BY_TICKET = "SELECT * FROM recoveries WHERE ticket_id = :ticket_id"
_COUNT_BY_USER = (
    "SELECT count(*) FROM recoveries WHERE telegram_id = :telegram_id AND created_at > :since"
)
# Only changes proven by the account's email count against the account: a stranger who
# names its old number in a review must not use up the owner's attempts.
_COUNT_BY_ACCOUNT = """
SELECT count(*) FROM recoveries
WHERE account_id = :account_id AND method = 'email' AND created_at > :since
"""
# Due, and every notice of it settled: the old owner has been warned, or agents told why not.
_DUE = """
SELECT * FROM recoveries r WHERE status = 'scheduled' AND due_at <= :now
AND NOT EXISTS (
    SELECT 1 FROM outbox o
    WHERE o.recovery_id = r.id AND o.sent_at IS NULL AND o.failed IS NULL
)
ORDER BY due_at
"""
# Each transition names the state it leaves: a second attempt changes nothing.
_MOVE = """
UPDATE recoveries SET status = :to, finished_at = :now, decided_by = :by, reason = :reason
WHERE id = :id AND status = :from
"""
_SCHEDULE = """
UPDATE recoveries SET status = 'scheduled', due_at = :due_at, decided_by = :by
WHERE id = :id AND status = 'review'
"""
_SET_TICKET = "UPDATE recoveries SET ticket_id = :ticket_id WHERE id = :id"


@dataclass(frozen=True)
class NewRecovery:
    telegram_id: int
    account_id: str | None
    method: RecoveryMethod
    status: RecoveryStatus
    new_phone: str
    locale: Locale
    created_at: datetime
    due_at: datetime | None = None
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Recovery:
    id: int
    telegram_id: int
    account_id: str | None
    method: RecoveryMethod
    status: RecoveryStatus
    new_phone: str
    locale: Locale
    evidence: dict[str, Any]
    ticket_id: int | None
    created_at: datetime
    due_at: datetime | None


class RecoveryRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(self, recovery: NewRecovery) -> int:
        params = {
            **recovery.__dict__,
            "evidence": json.dumps(recovery.evidence, ensure_ascii=False),
            "created_at": recovery.created_at.isoformat(),
            "due_at": recovery.due_at.isoformat() if recovery.due_at else None,
        }
        return await self._db.insert(_CREATE, params)

    async def get(self, recovery_id: int) -> Recovery | None:
        return _recovery(await self._db.fetchone(_GET, {"id": recovery_id}))

    async def open_of(self, telegram_id: int) -> Recovery | None:
        return _recovery(await self._db.fetchone(_OPEN_OF, {"telegram_id": telegram_id}))

    async def by_ticket(self, ticket_id: int) -> Recovery | None:
        return _recovery(await self._db.fetchone(_BY_TICKET, {"ticket_id": ticket_id}))

    async def started_since(
        self, telegram_id: int, account_id: str | None, since: datetime
    ) -> int:
        by_user = await self._db.fetchone(
            _COUNT_BY_USER, {"telegram_id": telegram_id, "since": since.isoformat()}
        )
        by_account = (
            await self._db.fetchone(
                _COUNT_BY_ACCOUNT, {"account_id": account_id, "since": since.isoformat()}
            )
            if account_id
            else None
        )
        return max(by_user[0] if by_user else 0, by_account[0] if by_account else 0)

    async def due(self, now: datetime) -> list[Recovery]:
        rows = await self._db.fetchall(_DUE, {"now": now.isoformat()})
        return [r for r in map(_recovery, rows) if r is not None]

    async def move(
        self,
        recovery_id: int,
        source: RecoveryStatus,
        target: RecoveryStatus,
        now: datetime,
        *,
        by: int | None = None,
        reason: str | None = None,
    ) -> bool:
        params = {
            "id": recovery_id,
            "from": source,
            "to": target,
            "now": now.isoformat(),
            "by": by,
            "reason": reason,
        }
        return (await self._db.execute(_MOVE, params)).rowcount == 1

    async def schedule(self, recovery_id: int, due_at: datetime, by: int) -> bool:
        params = {"id": recovery_id, "due_at": due_at.isoformat(), "by": by}
        return (await self._db.execute(_SCHEDULE, params)).rowcount == 1

    async def set_ticket(self, recovery_id: int, ticket_id: int) -> None:
        await self._db.execute(_SET_TICKET, {"id": recovery_id, "ticket_id": ticket_id})


def _recovery(row: Row | None) -> Recovery | None:
    if row is None:
        return None
    values = {name: row[name] for name in Recovery.__dataclass_fields__}
    values["method"] = RecoveryMethod(values["method"])
    values["status"] = RecoveryStatus(values["status"])
    values["locale"] = Locale(values["locale"])
    values["evidence"] = json.loads(values["evidence"])
    values["created_at"] = datetime.fromisoformat(values["created_at"])
    values["due_at"] = datetime.fromisoformat(values["due_at"]) if values["due_at"] else None
    return Recovery(**values)
