"""The `incoming` table as the webhook workers' queue: updates kept as they arrive,
claimed one chat at a time under a lease, marked handled with the handler's writes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from storage import keys
from storage.db import Database

# Telegram sends an update again after any answer but a 200: the second copy is dropped.
_RECORD = """
INSERT INTO incoming (update_id, body, chat_key, received_at)
VALUES (:id, :body, :key, :at)
ON CONFLICT (update_id) DO NOTHING"""
# Free: unhandled, its lease never taken or run out, nothing of its chat before it still
# unhandled, and nothing its chat's earlier updates committed still to send (so a chat's
# answers go out in order, as under polling, where the chat's lock covers the sending).
_CLAIMABLE = """
SELECT i.update_id, i.body, i.starts FROM incoming i
WHERE i.handled = 0
  AND (i.lease_until IS NULL OR i.lease_until < :now)
  AND NOT EXISTS (
      SELECT 1 FROM incoming e
      WHERE e.chat_key = i.chat_key AND e.handled = 0 AND e.update_id < i.update_id)
  AND NOT EXISTS (
      SELECT 1 FROM answers a JOIN incoming s ON s.update_id = a.update_id
      WHERE s.chat_key = i.chat_key AND s.update_id < i.update_id)
ORDER BY i.update_id
LIMIT :limit"""
_TAKE = """
UPDATE incoming SET lease_holder = :me, lease_until = :until, starts = starts + 1
WHERE update_id = :id AND handled = 0 AND (lease_until IS NULL OR lease_until < :now)"""
_RENEW = "UPDATE incoming SET lease_until = :until WHERE update_id = :id AND lease_holder = :me"
_HANDLED = """
UPDATE incoming SET handled = 1
WHERE update_id = :id AND handled = 0 AND lease_holder = :me"""
_LET_GO = "UPDATE incoming SET handled = 2 WHERE update_id = :id AND lease_holder = :me"
# Committed by a worker that died before sending all of it (or by long polling).
_ORPHANED = """
SELECT DISTINCT i.update_id FROM answers a JOIN incoming i ON i.update_id = a.update_id
WHERE i.lease_until IS NULL OR i.lease_until < :now
ORDER BY i.update_id
LIMIT :limit"""
_ADOPT = """
UPDATE incoming SET lease_holder = :me, lease_until = :until
WHERE update_id = :id AND (lease_until IS NULL OR lease_until < :now)"""
_RELEASE_ALL = (
    "UPDATE incoming SET lease_holder = NULL, lease_until = NULL WHERE lease_until IS NOT NULL"
)
# A dead worker's: what it had in hand and what it committed and did not send. Both are
# few (the index of the waiting ones, the answers table), however long `incoming` is.
_RELEASE_OF = """
UPDATE incoming SET lease_until = NULL
WHERE (handled = 0 OR update_id IN (SELECT a.update_id FROM answers a))
  AND lease_until IS NOT NULL AND substr(lease_holder, 1, :length) = :prefix"""
_UNKEYED = "SELECT update_id, body FROM incoming WHERE handled = 0 AND chat_key IS NULL"
_KEY = "UPDATE incoming SET chat_key = :key WHERE update_id = :id"
_FORGET = "DELETE FROM incoming WHERE handled = 1 AND received_at < :before"


@dataclass(frozen=True)
class Claimed:
    update_id: int
    body: str  # the update as Telegram's JSON
    starts: int  # claims before this one: each ended without the update handled


@dataclass(frozen=True)
class Lease:
    holder: str
    now: str  # ISO times, UTC, compared as text
    until: str


Choose = Callable[[list[Claimed]], list[Claimed]]


class QueueRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(self, update_id: int, body: str, key: str | None, at: str) -> None:
        params = {"id": update_id, "body": body, "key": key, "at": at}
        await self._db.execute(_RECORD, params)

    async def claim(self, lease: Lease, limit: int, choose: Choose) -> list[Claimed]:
        """Takes, in one transaction, what ``choose`` picks of the free updates."""
        async with self._db.tx(keys.QUEUE):
            rows = await self._db.fetchall(_CLAIMABLE, {"now": lease.now, "limit": limit})
            free = [Claimed(r["update_id"], r["body"], r["starts"]) for r in rows]
            taken = []
            for each in choose(free):
                params = {"id": each.update_id, "me": lease.holder, **_times(lease)}
                if (await self._db.execute(_TAKE, params)).rowcount:
                    taken.append(each)
            return taken

    async def renew(self, update_id: int, lease: Lease) -> bool:
        params = {"id": update_id, "me": lease.holder, "until": lease.until}
        return (await self._db.execute(_RENEW, params)).rowcount > 0

    async def handled(self, update_id: int, holder: str) -> bool:
        """False when the lease went to another worker: it handles the update."""
        params = {"id": update_id, "me": holder}
        return (await self._db.execute(_HANDLED, params)).rowcount > 0

    async def let_go(self, update_id: int, holder: str) -> None:
        await self._db.execute(_LET_GO, {"id": update_id, "me": holder})

    async def adopt_answers(self, lease: Lease, limit: int) -> list[int]:
        """Updates whose worker died with answers committed and not sent: leased here."""
        async with self._db.tx(keys.QUEUE):
            rows = await self._db.fetchall(_ORPHANED, {"now": lease.now, "limit": limit})
            adopted = []
            for row in rows:
                params = {"id": row["update_id"], "me": lease.holder, **_times(lease)}
                if (await self._db.execute(_ADOPT, params)).rowcount:
                    adopted.append(row["update_id"])
            return adopted

    async def release_all(self) -> None:
        """Only for the one process a SQLite database has: every lease is a dead one's."""
        await self._db.execute(_RELEASE_ALL)

    async def release_all_of(self, prefix: str) -> None:
        """The leases of the holders whose names begin with ``prefix``: they are gone."""
        await self._db.execute(_RELEASE_OF, {"prefix": prefix, "length": len(prefix)})

    async def unkeyed(self) -> list[tuple[int, str]]:
        """Unhandled updates long polling kept, which have no chat key."""
        return [(r["update_id"], r["body"]) for r in await self._db.fetchall(_UNKEYED)]

    async def set_keys(self, keys: Sequence[tuple[int, str | None]]) -> None:
        await self._db.executemany(_KEY, [{"id": i, "key": k} for i, k in keys])

    async def forget(self, before: str) -> None:
        await self._db.execute(_FORGET, {"before": before})


def _times(lease: Lease) -> dict[str, str]:
    return {"now": lease.now, "until": lease.until}
