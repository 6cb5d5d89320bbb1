"""Leases on work that must run in one worker at a time."""

from __future__ import annotations

from storage.db import Database

# Taken when free or run out, renewed by its holder; one statement, so it is atomic
# on both databases.
_HOLD = """
INSERT INTO leases (name, holder, until) VALUES (:name, :me, :until)
ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
WHERE leases.holder = excluded.holder OR leases.until < :now
"""
_RELEASE = "DELETE FROM leases WHERE name = :name AND holder = :me"
_RELEASE_OF = "DELETE FROM leases WHERE substr(holder, 1, :length) = :prefix"


class LeaseRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def hold(self, name: str, me: str, now: str, until: str) -> bool:
        """Whether ``me`` holds the lease ``name`` until ``until`` (ISO times, UTC)."""
        params = {"name": name, "me": me, "now": now, "until": until}
        return (await self._db.execute(_HOLD, params)).rowcount == 1

    async def release(self, name: str, me: str) -> None:
        await self._db.execute(_RELEASE, {"name": name, "me": me})

    async def release_all_of(self, prefix: str) -> None:
        """Every lease of the holders whose names begin with ``prefix``."""
        await self._db.execute(_RELEASE_OF, {"prefix": prefix, "length": len(prefix)})
