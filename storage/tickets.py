"""Tickets, what was said in them, canned replies and bans."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.db import Database, Row

_COLUMNS = (
    "customer_id, customer_name, customer_username, account_id, locale, status, subject, "
    "order_number, problem, context, created_at"
)
_CREATE = f"""
INSERT INTO tickets ({_COLUMNS})
VALUES (:customer_id, :customer_name, :customer_username, :account_id, :locale, :status,
        :subject, :order_number, :problem, :context, :created_at)
"""  # noqa: S608 - a constant list of columns
_GET = "SELECT * FROM tickets WHERE id = :id"
_OPEN_OF = """
SELECT * FROM tickets WHERE customer_id = :customer_id AND status != 'closed'
ORDER BY id DESC LIMIT 1
"""
_LAST_OF = "SELECT * FROM tickets WHERE customer_id = :customer_id ORDER BY id DESC LIMIT 1"
_BY_TOPIC = "SELECT * FROM tickets WHERE topic_id = :topic_id ORDER BY id DESC LIMIT 1"
_QUEUE = "SELECT * FROM tickets WHERE status != 'closed' ORDER BY created_at, id LIMIT :limit"
_OPEN_COUNT = "SELECT count(*) FROM tickets WHERE status != 'closed'"
_POSITION = "SELECT count(*) FROM tickets WHERE status = 'new' AND id <= :id"
_OVERDUE = """
SELECT * FROM tickets INDEXED BY tickets_to_announce
WHERE status = 'new' AND first_response_at IS NULL AND overdue_announced_at IS NULL
  AND created_at <= :before
ORDER BY created_at
"""
_TOPICS_TO_CLOSE = """
SELECT * FROM tickets INDEXED BY tickets_topic_to_close
WHERE status = 'closed' AND topic_closed = 0 AND topic_id IS NOT NULL AND card_pending = 0
  AND NOT EXISTS (
    SELECT 1 FROM ticket_messages
    WHERE ticket_id = tickets.id AND direction != 'out' AND relayed_at IS NULL AND failed IS NULL
  )
LIMIT :limit
"""
_SET_TOPIC = """
UPDATE tickets SET topic_id = :topic_id, topic_closed = 0, card_pending = :topic_id IS NOT NULL
WHERE id = :id
"""
_CARD_POSTED = """
UPDATE tickets SET card_pending = 0, card_message_id = :message_id, card_tail = :tail,
    card_rider = :rider
WHERE id = :id
"""
_SET_ORDER = """
UPDATE tickets SET order_number = :order_number, problem = :problem, subject = :subject
WHERE id = :id
"""
_SET_CONTEXT = "UPDATE tickets SET context = :context WHERE id = :id"
_ANY_RELAYED = """
SELECT EXISTS (SELECT 1 FROM ticket_messages WHERE ticket_id = :id AND relayed_at IS NOT NULL)
"""
_TOPIC_CLOSED = "UPDATE tickets SET topic_closed = :flag WHERE id = :id"
_SET_STATUS = "UPDATE tickets SET status = :status WHERE id = :id"
_ASSIGN = """
UPDATE tickets SET assignee_id = :agent_id, assignee_name = :agent_name,
    status = CASE WHEN status = 'new' THEN 'taken' ELSE status END
WHERE id = :id
"""
_FIRST_RESPONSE = """
UPDATE tickets SET first_response_at = :now WHERE id = :id AND first_response_at IS NULL
"""
_CLOSE = "UPDATE tickets SET status = 'closed', closed_at = :now WHERE id = :id"
_REOPEN = """
UPDATE tickets SET status = CASE WHEN assignee_id IS NULL THEN 'new' ELSE 'taken' END,
    closed_at = NULL
WHERE id = :id
"""
_ANNOUNCED = "UPDATE tickets SET overdue_announced_at = :now WHERE id = :id"
_UNREACHABLE = "UPDATE tickets SET unreachable = :flag WHERE id = :id"
_RATE = "UPDATE tickets SET rating = :rating WHERE id = :id"
_COMMENT = "UPDATE tickets SET rating_comment = :comment WHERE id = :id"

_ADD_MESSAGE = """
INSERT INTO ticket_messages (ticket_id, direction, author_id, author_name, kind, text, file_id,
    media_group_id, source_chat_id, source_message_id, edit_of, created_at, relayed_at)
VALUES (:ticket_id, :direction, :author_id, :author_name, :kind, :text, :file_id,
    :media_group_id, :source_chat_id, :source_message_id, :edit_of, :created_at, :relayed_at)
ON CONFLICT DO NOTHING
"""
_PENDING = """
SELECT * FROM ticket_messages WHERE relayed_at IS NULL AND failed IS NULL
ORDER BY id LIMIT :limit
"""
# A ticket has two queues: to the customer ('out') and to the agents' forum (the rest).
_PENDING_QUEUES = """
SELECT ticket_id, direction = 'out' AS outbound FROM ticket_messages
WHERE relayed_at IS NULL AND failed IS NULL
GROUP BY ticket_id, outbound ORDER BY min(id) LIMIT :limit
"""
_PENDING_OF = """
SELECT * FROM ticket_messages
WHERE ticket_id = :ticket_id AND relayed_at IS NULL AND failed IS NULL
AND (direction = 'out') = :outbound
ORDER BY id LIMIT :limit
"""
_RELAYED = "UPDATE ticket_messages SET relayed_at = :now, relayed_id = :relayed_id WHERE id = :id"
_RELAYED_MANY = """
UPDATE ticket_messages SET relayed_at = :now, relayed_id = :relayed_id
WHERE id IN (SELECT value FROM json_each(:ids))
"""
# {"<stored id>": [ids of its copy, in order], ...}: an album's items each get their own.
_RELAYED_EACH = """
UPDATE ticket_messages SET relayed_at = :now,
    relayed_id = json_extract(:ids, '$."' || id || '"[0]'),
    relayed_ids = json_extract(:ids, '$."' || id || '"')
WHERE id IN (SELECT CAST(key AS INTEGER) FROM json_each(:ids))
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
SELECT * FROM (SELECT * FROM ticket_messages WHERE ticket_id = :ticket_id
               AND direction IN ('in', 'out') AND edit_of IS NULL ORDER BY id DESC LIMIT :limit)
ORDER BY id
"""

_CANNED_SET = """
INSERT INTO canned_replies (key, locale, text) VALUES (:key, :locale, :text)
ON CONFLICT (key, locale) DO UPDATE SET text = excluded.text
"""
_CANNED_GET = "SELECT text FROM canned_replies WHERE key = :key AND locale = :locale"
_CANNED_ANY = "SELECT text FROM canned_replies WHERE key = :key ORDER BY locale LIMIT 1"
_CANNED_LIST = "SELECT key, locale, text FROM canned_replies ORDER BY key, locale"
_CANNED_DELETE = "DELETE FROM canned_replies WHERE key = :key"
_BAN = """
INSERT INTO bans (telegram_id, banned_by, at) VALUES (:telegram_id, :by, :now)
ON CONFLICT (telegram_id) DO NOTHING
"""
_UNBAN = "DELETE FROM bans WHERE telegram_id = :telegram_id"
_IS_BANNED = "SELECT 1 FROM bans WHERE telegram_id = :telegram_id"
# What a customer's message outside a flow depends on, in one trip: a ban, the messages
# of the last minute, and the open ticket (its columns are NULL when there is none).
_STANDING = """
SELECT t.*,
    EXISTS (SELECT 1 FROM bans WHERE telegram_id = :customer_id) AS banned,
    (SELECT count(*) FROM ticket_messages m JOIN tickets o ON o.id = m.ticket_id
     WHERE o.customer_id = :customer_id AND m.direction = 'in' AND m.created_at > :since)
     AS recent
FROM (SELECT 1) LEFT JOIN tickets t ON t.id = (
    SELECT id FROM tickets WHERE customer_id = :customer_id AND status != 'closed'
    ORDER BY id DESC LIMIT 1)
"""
_KNOWN = """
SELECT EXISTS (SELECT 1 FROM tickets WHERE customer_id = :id)
    OR EXISTS (SELECT 1 FROM bans WHERE telegram_id = :id)
"""


@dataclass(frozen=True)
class Standing:
    banned: bool
    recent: int  # messages written since the time asked about
    open: Ticket | None


@dataclass(frozen=True)
class Ticket:
    id: int
    customer_id: int
    customer_name: str
    customer_username: str | None
    account_id: str | None
    locale: str
    status: str
    subject: str
    order_number: str | None
    problem: str | None
    context: dict[str, Any]
    assignee_id: int | None
    assignee_name: str | None
    topic_id: int | None
    topic_closed: bool
    created_at: datetime
    first_response_at: datetime | None
    closed_at: datetime | None
    unreachable: bool
    rating: int | None
    card_pending: bool = False  # the topic is open, its card not posted yet
    card_message_id: int | None = None
    # What the card carried besides the ticket's own fields: quotes, the first words.
    card_tail: str | None = None
    card_rider: str | None = None


@dataclass(frozen=True)
class NewMessage:
    ticket_id: int
    direction: str
    kind: str
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


class TicketRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(self, values: dict[str, Any]) -> int:
        params = {**values, "context": json.dumps(values.get("context") or {}, ensure_ascii=False)}
        params["created_at"] = values["created_at"].isoformat()
        return int((await self._db.execute(_CREATE, params)).lastrowid or 0)

    async def get(self, ticket_id: int) -> Ticket | None:
        return _ticket(await self._db.fetchone(_GET, {"id": ticket_id}))

    async def open_of(self, customer_id: int) -> Ticket | None:
        return _ticket(await self._db.fetchone(_OPEN_OF, {"customer_id": customer_id}))

    async def last_of(self, customer_id: int) -> Ticket | None:
        return _ticket(await self._db.fetchone(_LAST_OF, {"customer_id": customer_id}))

    async def by_topic(self, topic_id: int) -> Ticket | None:
        return _ticket(await self._db.fetchone(_BY_TOPIC, {"topic_id": topic_id}))

    async def queue(self, limit: int) -> list[Ticket]:
        rows = await self._db.fetchall(_QUEUE, {"limit": limit})
        return [t for t in map(_ticket, rows) if t is not None]

    async def open_count(self) -> int:
        row = await self._db.fetchone(_OPEN_COUNT)
        return int(row[0]) if row else 0

    async def position(self, ticket_id: int) -> int:
        row = await self._db.fetchone(_POSITION, {"id": ticket_id})
        return int(row[0]) if row else 0

    async def overdue(self, before: datetime) -> list[Ticket]:
        rows = await self._db.fetchall(_OVERDUE, {"before": before.isoformat()})
        return [t for t in map(_ticket, rows) if t is not None]

    async def topics_to_close(self, limit: int) -> list[Ticket]:
        """Closed tickets whose topic is open, with nothing left to post in it."""
        rows = await self._db.fetchall(_TOPICS_TO_CLOSE, {"limit": limit})
        return [t for t in map(_ticket, rows) if t is not None]

    async def set_topic(self, ticket_id: int, topic_id: int | None) -> None:
        """A new topic waits for its card (see `card_posted`)."""
        await self._db.execute(_SET_TOPIC, {"id": ticket_id, "topic_id": topic_id})

    async def card_posted(
        self, ticket_id: int, message_id: int | None = None, tail: str = "", rider: str = ""
    ) -> None:
        await self._db.execute(
            _CARD_POSTED,
            {"id": ticket_id, "message_id": message_id, "tail": tail, "rider": rider},
        )

    async def set_order(
        self, ticket_id: int, order_number: str, problem: str | None, subject: str
    ) -> None:
        values = {"order_number": order_number, "problem": problem, "subject": subject}
        await self._db.execute(_SET_ORDER, {"id": ticket_id, **values})

    async def set_context(self, ticket_id: int, context: dict[str, Any]) -> None:
        await self._db.execute(
            _SET_CONTEXT, {"id": ticket_id, "context": json.dumps(context, ensure_ascii=False)}
        )

    async def any_relayed(self, ticket_id: int) -> bool:
        row = await self._db.fetchone(_ANY_RELAYED, {"id": ticket_id})
        return bool(row and row[0])

    async def set_topic_closed(self, ticket_id: int, flag: bool) -> None:
        await self._db.execute(_TOPIC_CLOSED, {"id": ticket_id, "flag": int(flag)})

    async def set_status(self, ticket_id: int, status: str) -> None:
        await self._db.execute(_SET_STATUS, {"id": ticket_id, "status": status})

    async def assign(self, ticket_id: int, agent_id: int, agent_name: str) -> None:
        params = {"id": ticket_id, "agent_id": agent_id, "agent_name": agent_name}
        await self._db.execute(_ASSIGN, params)

    async def first_response(self, ticket_id: int, now: datetime) -> None:
        await self._db.execute(_FIRST_RESPONSE, {"id": ticket_id, "now": now.isoformat()})

    async def close(self, ticket_id: int, now: datetime) -> None:
        await self._db.execute(_CLOSE, {"id": ticket_id, "now": now.isoformat()})

    async def reopen(self, ticket_id: int) -> None:
        await self._db.execute(_REOPEN, {"id": ticket_id})

    async def announced(self, ticket_id: int, now: datetime) -> None:
        await self._db.execute(_ANNOUNCED, {"id": ticket_id, "now": now.isoformat()})

    async def set_unreachable(self, ticket_id: int, flag: bool) -> None:
        await self._db.execute(_UNREACHABLE, {"id": ticket_id, "flag": int(flag)})

    async def rate(self, ticket_id: int, rating: int) -> None:
        await self._db.execute(_RATE, {"id": ticket_id, "rating": rating})

    async def comment(self, ticket_id: int, comment: str) -> None:
        await self._db.execute(_COMMENT, {"id": ticket_id, "comment": comment})

    async def add_message(self, message: NewMessage) -> int:
        """The new message's id; 0 when that Telegram message is stored already."""
        params = {k: v for k, v in message.__dict__.items() if k != "relayed"}
        params["created_at"] = message.created_at.isoformat()
        params["relayed_at"] = message.created_at.isoformat() if message.relayed else None
        written = await self._db.execute(_ADD_MESSAGE, params)
        return int(written.lastrowid or 0) if written.rowcount else 0

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

    async def relayed_many(
        self, message_ids: list[int], relayed_id: int | None, now: datetime
    ) -> None:
        """One copy delivered several stored messages (an album, a merged relay)."""
        params = {"ids": json.dumps(message_ids), "relayed_id": relayed_id, "now": now.isoformat()}
        await self._db.execute(_RELAYED_MANY, params)  # one statement: no BEGIN/COMMIT

    async def relayed_each(self, copies: dict[int, list[int]], now: datetime) -> None:
        """Each stored message delivered as its own copy (an album's items, a split text)."""
        ids = json.dumps({str(stored): copy for stored, copy in copies.items()})
        params = {"ids": ids, "now": now.isoformat()}
        await self._db.execute(_RELAYED_EACH, params)  # one statement: all or none

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

    async def message(self, message_id: int) -> TicketMessage | None:
        row = await self._db.fetchone(_BY_ID, {"id": message_id})
        return _message(row) if row else None

    async def by_source(self, chat_id: int, message_id: int) -> TicketMessage | None:
        params = {"chat_id": chat_id, "message_id": message_id}
        row = await self._db.fetchone(_BY_SOURCE, params)
        return _message(row) if row else None

    async def recent(self, ticket_id: int, limit: int) -> list[TicketMessage]:
        rows = await self._db.fetchall(_RECENT, {"ticket_id": ticket_id, "limit": limit})
        return [_message(r) for r in rows]

    async def set_canned(self, key: str, locale: str, text: str) -> None:
        await self._db.execute(_CANNED_SET, {"key": key, "locale": locale, "text": text})

    async def canned(self, key: str, locale: str) -> str | None:
        row = await self._db.fetchone(_CANNED_GET, {"key": key, "locale": locale})
        row = row or await self._db.fetchone(_CANNED_ANY, {"key": key})
        return str(row[0]) if row else None

    async def canned_list(self) -> list[tuple[str, str, str]]:
        return [(r[0], r[1], r[2]) for r in await self._db.fetchall(_CANNED_LIST)]

    async def delete_canned(self, key: str) -> bool:
        return (await self._db.execute(_CANNED_DELETE, {"key": key})).rowcount > 0

    async def ban(self, telegram_id: int, by: int, now: datetime) -> None:
        params = {"telegram_id": telegram_id, "by": by, "now": now.isoformat()}
        await self._db.execute(_BAN, params)

    async def unban(self, telegram_id: int) -> bool:
        return (await self._db.execute(_UNBAN, {"telegram_id": telegram_id})).rowcount > 0

    async def standing(self, customer_id: int, since: datetime) -> Standing:
        params = {"customer_id": customer_id, "since": since.isoformat()}
        row = await self._db.fetchone(_STANDING, params)
        assert row is not None  # noqa: S101 - one row always
        ticket = _ticket(row) if row["id"] is not None else None
        return Standing(bool(row["banned"]), int(row["recent"]), ticket)

    async def known(self, customer_id: int) -> bool:
        """Whether the customer ever had a ticket or a ban: one read for the usual 'no'."""
        row = await self._db.fetchone(_KNOWN, {"id": customer_id})
        return bool(row and row[0])

    async def is_banned(self, telegram_id: int) -> bool:
        return await self._db.fetchone(_IS_BANNED, {"telegram_id": telegram_id}) is not None


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _ticket(row: Row | None) -> Ticket | None:
    if row is None:
        return None
    values = {name: row[name] for name in Ticket.__dataclass_fields__}
    values["context"] = json.loads(values["context"])
    values["created_at"] = datetime.fromisoformat(values["created_at"])
    values["first_response_at"] = _when(values["first_response_at"])
    values["closed_at"] = _when(values["closed_at"])
    values["unreachable"] = bool(values["unreachable"])
    values["topic_closed"] = bool(values["topic_closed"])
    values["card_pending"] = bool(values["card_pending"])
    return Ticket(**values)


def _message(row: Row) -> TicketMessage:
    return TicketMessage(
        ticket_id=row["ticket_id"],
        direction=row["direction"],
        kind=row["kind"],
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
