"""Notices waiting to be sent, and what became of each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.values import Channel
from storage.db import Database, Row

_ADD = """
INSERT INTO outbox (chat_id, text, markup, created_at, channel, destination, subject,
                    recovery_id, next_at, code, code_id, expires_at)
VALUES (:chat_id, :text, :markup, :now, :channel, :destination, :subject, :recovery_id, :now,
        :code, :code_id, :expires_at)
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
# `live`: not carrying a code that was used or replaced since.
_CONTACT = """
SELECT *, (code_id IS NULL OR EXISTS (
    SELECT 1 FROM codes c WHERE c.id = outbox.code_id AND c.used_at IS NULL AND c.burned_at IS NULL
)) AS live
FROM outbox WHERE id = :id AND sent_at IS NULL AND failed IS NULL AND channel != 'telegram'
"""
# A delivered or abandoned code leaves no readable copy behind.
_SENT = """
UPDATE outbox SET sent_at = :now, message_id = :message_id,
    text = CASE WHEN code IS NULL THEN text ELSE '' END, code = NULL
WHERE id = :id
"""
_FAILED = """
UPDATE outbox SET failed = :reason,
    text = CASE WHEN code IS NULL THEN text ELSE '' END, code = NULL
WHERE id = :id
"""
_RETRY = "UPDATE outbox SET attempts = :attempts, next_at = :next_at WHERE id = :id"


@dataclass(frozen=True)
class Notice:
    id: int
    chat_id: int
    text: str
    markup: str | None  # an inline keyboard as JSON
    channel: Channel = Channel.TELEGRAM
    destination: str | None = None  # the phone or the email, off Telegram
    subject: str | None = None
    recovery_id: int | None = None  # a phone change waits for this notice
    attempts: int = 0
    code: str | None = None  # a one-time code, for the gateway, until delivered
    expires_at: str | None = None  # not worth delivering after this
    live: bool = True  # False: its code was used or replaced meanwhile


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
        channel: Channel = Channel.TELEGRAM,
        destination: str | None = None,
        subject: str | None = None,
        recovery_id: int | None = None,
        code: str | None = None,
        code_id: int | None = None,
        expires_at: datetime | None = None,
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
            "code": code,
            "code_id": code_id,
            "expires_at": expires_at.isoformat() if expires_at else None,
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


def _notice(row: Row | None) -> Notice | None:
    if row is None:
        return None
    names = set(row.keys())
    values = {n: row[n] for n in Notice.__dataclass_fields__ if n in names}
    return Notice(**{**values, "channel": Channel(values["channel"])})
