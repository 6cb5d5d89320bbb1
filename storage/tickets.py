"""Tickets: who asked, about what, who holds them, and their topic in the forum."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.domain.values import Locale, TicketStatus
from storage.db import Database, Row

_COLUMNS = (
    "customer_id, customer_name, customer_username, account_id, locale, status, subject, "
    "order_number, problem, context, created_at, forum_id"
)
_CREATE = f"""
INSERT INTO tickets ({_COLUMNS})
VALUES (:customer_id, :customer_name, :customer_username, :account_id, :locale, :status,
        :subject, :order_number, :problem, :context, :created_at, :forum_id)
RETURNING id
"""  # noqa: S608 - a constant list of columns
_GET = "SELECT * FROM tickets WHERE id = :id"
_OPEN_OF = """
SELECT * FROM tickets WHERE customer_id = :customer_id AND status != 'closed'
ORDER BY id DESC LIMIT 1
"""
_LAST_OF = "SELECT * FROM tickets WHERE customer_id = :customer_id ORDER BY id DESC LIMIT 1"
_BY_TOPIC = """
SELECT * FROM tickets WHERE forum_id = :forum_id AND topic_id = :topic_id
ORDER BY id DESC LIMIT 1"""
# One forum's, or every forum's (no forum given).
_OF_FORUM = "(CAST(:forum_id AS BIGINT) IS NULL OR forum_id = :forum_id)"
_QUEUE = f"""
SELECT * FROM tickets WHERE status != 'closed' AND {_OF_FORUM}
ORDER BY created_at, id LIMIT :limit"""  # noqa: S608 - a constant condition
_OPEN_COUNT = f"SELECT count(*) FROM tickets WHERE status != 'closed' AND {_OF_FORUM}"  # noqa: S608
_POSITION = "SELECT count(*) FROM tickets WHERE status = 'new' AND id <= :id"
_TOPICS_TO_CLOSE = """
SELECT * FROM tickets INDEXED BY tickets_topic_to_close
WHERE status = 'closed' AND topic_closed = 0 AND topic_id IS NOT NULL AND card_pending = 0
  AND forum_id = :forum_id AND NOT EXISTS (
    SELECT 1 FROM ticket_messages
    WHERE ticket_id = tickets.id AND direction != 'out' AND relayed_at IS NULL AND failed IS NULL
  )
LIMIT :limit
"""
_SET_TOPIC = """
UPDATE tickets SET topic_id = :topic_id, topic_closed = 0,
    card_pending = CASE WHEN CAST(:topic_id AS BIGINT) IS NULL THEN 0 ELSE 1 END
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
_UNREACHABLE = "UPDATE tickets SET unreachable = :flag WHERE id = :id"
_RATE = "UPDATE tickets SET rating = :rating WHERE id = :id"
_COMMENT = "UPDATE tickets SET rating_comment = :comment WHERE id = :id"
# What a customer's message outside a flow depends on, in one trip: a ban, the messages
# of the last minute, and the open ticket (its columns are NULL when there is none).
_STANDING = """
SELECT t.*,
    EXISTS (SELECT 1 FROM bans WHERE telegram_id = :customer_id) AS banned,
    (SELECT count(*) FROM ticket_messages m JOIN tickets o ON o.id = m.ticket_id
     WHERE o.customer_id = :customer_id AND m.direction = 'in' AND m.created_at > :since)
     AS recent
FROM (SELECT 1) AS one LEFT JOIN tickets t ON t.id = (
    SELECT id FROM tickets WHERE customer_id = :customer_id AND status != 'closed'
    ORDER BY id DESC LIMIT 1)
"""
_KNOWN = """
SELECT EXISTS (SELECT 1 FROM tickets WHERE customer_id = :id)
    OR EXISTS (SELECT 1 FROM bans WHERE telegram_id = :id)
"""


@dataclass(frozen=True)
class NewTicket:
    customer_id: int
    customer_name: str
    customer_username: str | None
    account_id: str | None
    locale: Locale
    subject: str
    order_number: str | None
    problem: str | None  # an order's problem (`bot.services.orders.Problem`), late, recovery
    context: dict[str, Any]
    created_at: datetime
    status: TicketStatus = TicketStatus.NEW
    forum_id: int | None = None  # the agents' forum it opens in


@dataclass(frozen=True)
class Ticket:
    id: int
    customer_id: int
    customer_name: str
    customer_username: str | None
    account_id: str | None
    locale: Locale
    status: TicketStatus
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
    forum_id: int | None = None


@dataclass(frozen=True)
class Standing:
    banned: bool
    recent: int  # messages written since the time asked about
    open: Ticket | None


class TicketRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(self, ticket: NewTicket) -> int:
        params = {
            **ticket.__dict__,
            "context": json.dumps(ticket.context, ensure_ascii=False),
            "created_at": ticket.created_at.isoformat(),
        }
        return await self._db.insert(_CREATE, params)

    async def get(self, ticket_id: int) -> Ticket | None:
        return _ticket(await self._db.fetchone(_GET, {"id": ticket_id}))

    async def open_of(self, customer_id: int) -> Ticket | None:
        return _ticket(await self._db.fetchone(_OPEN_OF, {"customer_id": customer_id}))

    async def last_of(self, customer_id: int) -> Ticket | None:
        return _ticket(await self._db.fetchone(_LAST_OF, {"customer_id": customer_id}))

    async def by_topic(self, forum_id: int, topic_id: int) -> Ticket | None:
        params = {"forum_id": forum_id, "topic_id": topic_id}
        return _ticket(await self._db.fetchone(_BY_TOPIC, params))

    async def queue(self, limit: int, forum_id: int | None = None) -> list[Ticket]:
        """Open tickets, oldest first: one forum's, or (None) every forum's."""
        return tickets_of(await self._db.fetchall(_QUEUE, {"limit": limit, "forum_id": forum_id}))

    async def open_count(self, forum_id: int | None = None) -> int:
        row = await self._db.fetchone(_OPEN_COUNT, {"forum_id": forum_id})
        return int(row[0]) if row else 0

    async def position(self, ticket_id: int) -> int:
        row = await self._db.fetchone(_POSITION, {"id": ticket_id})
        return int(row[0]) if row else 0

    async def topics_to_close(self, forum_id: int, limit: int) -> list[Ticket]:
        """Closed tickets whose topic is open, with nothing left to post in it."""
        params = {"forum_id": forum_id, "limit": limit}
        return tickets_of(await self._db.fetchall(_TOPICS_TO_CLOSE, params))

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

    async def set_topic_closed(self, ticket_id: int, flag: bool) -> None:
        await self._db.execute(_TOPIC_CLOSED, {"id": ticket_id, "flag": int(flag)})

    async def set_status(self, ticket_id: int, status: TicketStatus) -> None:
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

    async def set_unreachable(self, ticket_id: int, flag: bool) -> None:
        await self._db.execute(_UNREACHABLE, {"id": ticket_id, "flag": int(flag)})

    async def rate(self, ticket_id: int, rating: int) -> None:
        await self._db.execute(_RATE, {"id": ticket_id, "rating": rating})

    async def comment(self, ticket_id: int, comment: str) -> None:
        await self._db.execute(_COMMENT, {"id": ticket_id, "comment": comment})

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


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def tickets_of(rows: list[Row]) -> list[Ticket]:
    return [t for t in map(_ticket, rows) if t is not None]


def _ticket(row: Row | None) -> Ticket | None:
    if row is None:
        return None
    values = {name: row[name] for name in Ticket.__dataclass_fields__}
    values["locale"] = Locale(values["locale"])
    values["status"] = TicketStatus(values["status"])
    values["context"] = json.loads(values["context"])
    values["created_at"] = datetime.fromisoformat(values["created_at"])
    values["first_response_at"] = _when(values["first_response_at"])
    values["closed_at"] = _when(values["closed_at"])
    values["unreachable"] = bool(values["unreachable"])
    values["topic_closed"] = bool(values["topic_closed"])
    values["card_pending"] = bool(values["card_pending"])
    return Ticket(**values)
