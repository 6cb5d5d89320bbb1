"""Notices waiting to be sent, and what became of each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Database

_ADD = """
INSERT INTO outbox (chat_id, text, markup, created_at, channel, destination, subject,
                    recovery_id, next_at)
VALUES (:chat_id, :text, :markup, :now, :channel, :destination, :subject, :recovery_id, :now)
"""
_PENDING_CHATS = """
SELECT chat_id FROM outbox WHERE sent_at IS NULL AND failed IS NULL AND channel = 'telegram'
GROUP BY chat_id ORDER BY min(id) LIMIT :limit
"""
_NEXT_OF = """
SELECT * FROM outbox
WHERE chat_id = :chat_id AND sent_at IS NULL AND failed IS NULL AND channel = 'telegram'
ORDER BY id LIMIT 1
"""
_DUE_CONTACTS = """
SELECT id FROM outbox
WHERE sent_at IS NULL AND failed IS NULL AND channel != 'telegram' AND next_at <= :now
ORDER BY next_at LIMIT :limit
"""
_CONTACT = """
SELECT * FROM outbox WHERE id = :id AND sent_at IS NULL AND failed IS NULL
AND channel != 'telegram'
"""
_SENT = "UPDATE outbox SET sent_at = :now, message_id = :message_id WHERE id = :id"
_FAILED = "UPDATE outbox SET failed = :reason WHERE id = :id"
_RETRY = "UPDATE outbox SET attempts = :attempts, next_at = :next_at WHERE id = :id"


@dataclass(frozen=True)
class Notice:
    id: int
    chat_id: int
    text: str
    markup: str | None  # an inline keyboard as JSON
    channel: str = "telegram"  # or sms, email
    destination: str | None = None  # the phone or the email, off Telegram
    subject: str | None = None
    recovery_id: int | None = None  # a phone change waits for this notice
    attempts: int = 0


class OutboxRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self,
        chat_id: int,
        text: str,
        markup: str | None,
        now: datetime,
        *,
        channel: str = "telegram",
        destination: str | None = None,
        subject: str | None = None,
        recovery_id: int | None = None,
    ) -> None:
        params = {
            "chat_id": chat_id,
            "text": text,
            "markup": markup,
            "now": now.isoformat(),
            "channel": channel,
            "destination": destination,
            "subject": subject,
            "recovery_id": recovery_id,
        }
        await self._db.execute(_ADD, params)

    async def pending_chats(self, limit: int) -> list[int]:
        """Chats with a notice to send, the longest waiting first."""
        return [int(r[0]) for r in await self._db.fetchall(_PENDING_CHATS, {"limit": limit})]

    async def next_of(self, chat_id: int) -> Notice | None:
        return _notice(await self._db.fetchone(_NEXT_OF, {"chat_id": chat_id}))

    async def due_contacts(self, now: datetime, limit: int) -> list[int]:
        """SMS and email notices whose turn has come."""
        rows = await self._db.fetchall(_DUE_CONTACTS, {"now": now.isoformat(), "limit": limit})
        return [int(r[0]) for r in rows]

    async def contact(self, notice_id: int) -> Notice | None:
        return _notice(await self._db.fetchone(_CONTACT, {"id": notice_id}))

    async def sent(self, notice_id: int, message_id: int | None, now: datetime) -> None:
        params = {"id": notice_id, "message_id": message_id, "now": now.isoformat()}
        await self._db.execute(_SENT, params)

    async def failed(self, notice_id: int, reason: str) -> None:
        await self._db.execute(_FAILED, {"id": notice_id, "reason": reason})

    async def retry_at(self, notice_id: int, attempts: int, when: datetime) -> None:
        params = {"id": notice_id, "attempts": attempts, "next_at": when.isoformat()}
        await self._db.execute(_RETRY, params)


def _notice(row: object) -> Notice | None:
    if row is None:
        return None
    return Notice(**{name: row[name] for name in Notice.__dataclass_fields__})  # type: ignore[index]
