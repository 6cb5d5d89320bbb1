"""Customers agents do not hear from."""

from __future__ import annotations

from datetime import datetime

from storage.db import Database

_BAN = """
INSERT INTO bans (telegram_id, banned_by, at) VALUES (:telegram_id, :by, :now)
ON CONFLICT (telegram_id) DO NOTHING
"""
_UNBAN = "DELETE FROM bans WHERE telegram_id = :telegram_id"
_IS_BANNED = "SELECT 1 FROM bans WHERE telegram_id = :telegram_id"


class BanRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def ban(self, telegram_id: int, by: int, now: datetime) -> None:
        params = {"telegram_id": telegram_id, "by": by, "now": now.isoformat()}
        await self._db.execute(_BAN, params)

    async def unban(self, telegram_id: int) -> bool:
        return (await self._db.execute(_UNBAN, {"telegram_id": telegram_id})).rowcount > 0

    async def is_banned(self, telegram_id: int) -> bool:
        return await self._db.fetchone(_IS_BANNED, {"telegram_id": telegram_id}) is not None
