"""Canned replies: an agent's `/reply KEY`, worded per locale."""

from __future__ import annotations

from bot.domain.values import Locale
from storage.db import Database

_SET = """
INSERT INTO canned_replies (key, locale, text) VALUES (:key, :locale, :text)
ON CONFLICT (key, locale) DO UPDATE SET text = excluded.text
"""
_GET = "SELECT text FROM canned_replies WHERE key = :key AND locale = :locale"
_ANY = "SELECT text FROM canned_replies WHERE key = :key ORDER BY locale LIMIT 1"
_LIST = "SELECT key, locale, text FROM canned_replies ORDER BY key, locale"
_DELETE = "DELETE FROM canned_replies WHERE key = :key"


class CannedRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def set(self, key: str, locale: Locale, text: str) -> None:
        await self._db.execute(_SET, {"key": key, "locale": locale, "text": text})

    async def get(self, key: str, locale: Locale) -> str | None:
        """In the locale asked for, or else in any: a reply in another language beats none."""
        row = await self._db.fetchone(_GET, {"key": key, "locale": locale})
        row = row or await self._db.fetchone(_ANY, {"key": key})
        return str(row[0]) if row else None

    async def all(self) -> list[tuple[str, Locale, str]]:
        return [(r[0], Locale(r[1]), r[2]) for r in await self._db.fetchall(_LIST)]

    async def delete(self, key: str) -> bool:
        return (await self._db.execute(_DELETE, {"key": key})).rowcount > 0
