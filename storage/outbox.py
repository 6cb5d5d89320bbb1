"""Notices waiting to be sent, and what became of each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Database

_ADD = """
INSERT INTO outbox (chat_id, text, markup, created_at) VALUES (:chat_id, :text, :markup, :now)
"""
_PENDING_CHATS = """
SELECT chat_id FROM outbox WHERE sent_at IS NULL AND failed IS NULL
GROUP BY chat_id ORDER BY min(id) LIMIT :limit
"""
_NEXT_OF = """
SELECT id, chat_id, text, markup FROM outbox
WHERE chat_id = :chat_id AND sent_at IS NULL AND failed IS NULL ORDER BY id LIMIT 1
"""
_SENT = "UPDATE outbox SET sent_at = :now, message_id = :message_id WHERE id = :id"
_FAILED = "UPDATE outbox SET failed = :reason WHERE id = :id"


@dataclass(frozen=True)
class Notice:
    id: int
    chat_id: int
    text: str
    markup: str | None  # an inline keyboard as JSON


class OutboxRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, chat_id: int, text: str, markup: str | None, now: datetime) -> None:
        params = {"chat_id": chat_id, "text": text, "markup": markup, "now": now.isoformat()}
        await self._db.execute(_ADD, params)

    async def pending_chats(self, limit: int) -> list[int]:
        """Chats with a notice to send, the longest waiting first."""
        return [int(r[0]) for r in await self._db.fetchall(_PENDING_CHATS, {"limit": limit})]

    async def next_of(self, chat_id: int) -> Notice | None:
        row = await self._db.fetchone(_NEXT_OF, {"chat_id": chat_id})
        return Notice(row["id"], row["chat_id"], row["text"], row["markup"]) if row else None

    async def sent(self, notice_id: int, message_id: int, now: datetime) -> None:
        params = {"id": notice_id, "message_id": message_id, "now": now.isoformat()}
        await self._db.execute(_SENT, params)

    async def failed(self, notice_id: int, reason: str) -> None:
        await self._db.execute(_FAILED, {"id": notice_id, "reason": reason})
