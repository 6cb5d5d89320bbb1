"""What was said in tickets, each message kept until it is relayed to the other side."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from bot.domain.values import Direction, MessageKind
from storage.db import Database, Row

_ADD = """
INSERT INTO ticket_messages (ticket_id, direction, author_id, author_name, kind, text, file_id,
    media_group_id, source_chat_id, source_message_id, edit_of, created_at, relayed_at)
VALUES (:ticket_id, :direction, :author_id, :author_name, :kind, :text, :file_id,
    :media_group_id, :source_chat_id, :source_message_id, :edit_of, :created_at, :relayed_at)
ON CONFLICT DO NOTHING RETURNING id
"""
_PENDING = """
SELECT * FROM ticket_messages WHERE relayed_at IS NULL AND failed IS NULL
ORDER BY id LIMIT :limit
"""
# A ticket has two queues: to the customer ('out') and to the agents' forum (the rest).
_PENDING_QUEUES = """
SELECT ticket_id, CASE WHEN direction = 'out' THEN 1 ELSE 0 END AS outbound FROM ticket_messages
WHERE relayed_at IS NULL AND failed IS NULL
GROUP BY ticket_id, outbound ORDER BY min(id) LIMIT :limit
"""
_PENDING_OF = """
SELECT * FROM ticket_messages
WHERE ticket_id = :ticket_id AND relayed_at IS NULL AND failed IS NULL
AND CASE WHEN direction = 'out' THEN 1 ELSE 0 END = :outbound
ORDER BY id LIMIT :limit
"""
_ANY_RELAYED = """
SELECT EXISTS (SELECT 1 FROM ticket_messages WHERE ticket_id = :id AND relayed_at IS NOT NULL)
"""
_RELAYED = "UPDATE ticket_messages SET relayed_at = :now, relayed_id = :relayed_id WHERE id = :id"
_PARTS_SENT = """
UPDATE ticket_messages SET relayed_ids = :relayed_ids WHERE id = :id AND relayed_at IS NULL"""
_RELAYED_EACH = """
UPDATE ticket_messages SET relayed_at = :now, relayed_id = :relayed_id, relayed_ids = :relayed_ids
WHERE id = :id
"""
_ALBUM_HEAD = """
SELECT min(id) FROM ticket_messages
WHERE ticket_id = :ticket_id AND direction = :direction AND media_group_id = :group
"""
_FAILED = "UPDATE ticket_messages SET failed = :reason WHERE id = :id"
_ATTEMPT = "UPDATE ticket_messages SET attempts = attempts + 1 WHERE id = :id"
_BY_SOURCE = """
SELECT * FROM ticket_messages WHERE source_chat_id = :chat_id AND source_message_id = :message_id
ORDER BY id LIMIT 1
"""
_BY_ID = "SELECT * FROM ticket_messages WHERE id = :id"
_RECENT = """
SELECT * FROM (
    SELECT * FROM ticket_messages WHERE ticket_id = :ticket_id
    AND direction IN ('in', 'out') AND edit_of IS NULL ORDER BY id DESC LIMIT :limit
) AS latest
ORDER BY id
"""


@dataclass(frozen=True)
class NewMessage:
    ticket_id: int
    direction: Direction
    kind: MessageKind
    created_at: datetime
    text: str | None = None
    file_id: str | None = None
    media_group_id: str | None = None
    author_id: int | None = None
    author_name: str | None = None
    source_chat_id: int | None = None
    source_message_id: int | None = None
    edit_of: int | None = None
    relayed: bool = False


@dataclass(frozen=True)
class TicketMessage(NewMessage):
    id: int = 0
    relayed_id: int | None = None
    attempts: int = 0
    relayed_ids: tuple[int, ...] = ()  # every message the copy took; () before 0017


class MessageRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, message: NewMessage) -> int:
        """The new message's id; 0 when that Telegram message is stored already."""
        params = {k: v for k, v in message.__dict__.items() if k != "relayed"}
        params["created_at"] = message.created_at.isoformat()
        params["relayed_at"] = message.created_at.isoformat() if message.relayed else None
        return await self._db.insert(_ADD, params)

    async def get(self, message_id: int) -> TicketMessage | None:
        row = await self._db.fetchone(_BY_ID, {"id": message_id})
        return _message(row) if row else None

    async def by_source(self, chat_id: int, message_id: int) -> TicketMessage | None:
        params = {"chat_id": chat_id, "message_id": message_id}
        row = await self._db.fetchone(_BY_SOURCE, params)
        return _message(row) if row else None

    async def recent(self, ticket_id: int, limit: int) -> list[TicketMessage]:
        rows = await self._db.fetchall(_RECENT, {"ticket_id": ticket_id, "limit": limit})
        return [_message(r) for r in rows]

    async def any_relayed(self, ticket_id: int) -> bool:
        row = await self._db.fetchone(_ANY_RELAYED, {"id": ticket_id})
        return bool(row and row[0])

    async def pending(self, limit: int = 100) -> list[TicketMessage]:
        return [_message(r) for r in await self._db.fetchall(_PENDING, {"limit": limit})]

    async def pending_queues(self, limit: int) -> list[tuple[int, bool]]:
        """(ticket, to the customer?) for each queue with something to deliver, the
        longest waiting first."""
        rows = await self._db.fetchall(_PENDING_QUEUES, {"limit": limit})
        return [(int(r[0]), bool(r[1])) for r in rows]

    async def pending_of(self, ticket_id: int, outbound: bool, limit: int) -> list[TicketMessage]:
        """What is still to deliver of one of the ticket's queues, in order."""
        params = {"ticket_id": ticket_id, "outbound": outbound, "limit": limit}
        return [_message(r) for r in await self._db.fetchall(_PENDING_OF, params)]

    async def relayed(self, message_id: int, relayed_id: int | None, now: datetime) -> None:
        params = {"id": message_id, "relayed_id": relayed_id, "now": now.isoformat()}
        await self._db.execute(_RELAYED, params)

    async def parts_sent(self, message_id: int, ids: list[int]) -> None:
        """The parts of a long text sent so far; the message is relayed once all are."""
        await self._db.execute(_PARTS_SENT, {"id": message_id, "relayed_ids": json.dumps(ids)})

    async def relayed_many(
        self, message_ids: list[int], relayed_id: int | None, now: datetime
    ) -> None:
        """One copy delivered several stored messages (an album, a merged relay)."""
        rows = [{"id": i, "relayed_id": relayed_id, "now": now.isoformat()} for i in message_ids]
        await self._db.executemany(_RELAYED, rows)  # one transaction: all or none

    async def relayed_each(self, copies: dict[int, list[int]], now: datetime) -> None:
        """Each stored message delivered as its own copy (an album's items, a split text)."""
        rows = [
            {
                "id": i,
                "now": now.isoformat(),
                "relayed_id": c[0] if c else None,
                "relayed_ids": json.dumps(c),
            }
            for i, c in copies.items()
        ]
        await self._db.executemany(_RELAYED_EACH, rows)  # one transaction: all or none

    async def album_head(self, message: TicketMessage) -> int | None:
        """The first stored item of the message's album: the one that carried the header."""
        params = {
            "ticket_id": message.ticket_id,
            "direction": message.direction,
            "group": message.media_group_id,
        }
        row = await self._db.fetchone(_ALBUM_HEAD, params)
        return int(row[0]) if row and row[0] is not None else None

    async def failed(self, message_id: int, reason: str) -> None:
        await self._db.execute(_FAILED, {"id": message_id, "reason": reason})

    async def attempt(self, message_id: int) -> None:
        await self._db.execute(_ATTEMPT, {"id": message_id})


def _message(row: Row) -> TicketMessage:
    return TicketMessage(
        ticket_id=row["ticket_id"],
        direction=Direction(row["direction"]),
        kind=MessageKind(row["kind"]),
        created_at=datetime.fromisoformat(row["created_at"]),
        text=row["text"],
        file_id=row["file_id"],
        media_group_id=row["media_group_id"],
        author_id=row["author_id"],
        author_name=row["author_name"],
        source_chat_id=row["source_chat_id"],
        source_message_id=row["source_message_id"],
        edit_of=row["edit_of"],
        relayed=row["relayed_at"] is not None,
        id=row["id"],
        relayed_id=row["relayed_id"],
        attempts=row["attempts"],
        relayed_ids=tuple(json.loads(row["relayed_ids"])) if row["relayed_ids"] else (),
    )
