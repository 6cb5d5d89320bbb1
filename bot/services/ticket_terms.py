"""What the ticket services speak in: who wrote what, the outcomes, and the refusals."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.domain.values import MessageKind
from bot.services.routing import Lanes
from storage.tickets import Ticket

SUBJECT_LIMIT = 60


class TicketError(Exception):
    pass


class TicketNotFound(TicketError):
    pass


class Banned(TicketError):
    """Agents do not hear from this customer: no path opens a ticket or adds to one."""


class TicketClosed(TicketError):
    pass


class HeldByOther(TicketError):
    """Another agent holds the ticket: taking it over is asked for, not assumed."""

    def __init__(self, holder: Person) -> None:
        super().__init__(holder.name)
        self.holder = holder


class CannotRelay(TicketError):
    """A kind of message no bot can pass on (a story, a game): never stored."""


# What the relay can deliver as it is, or at least in words; see bot/delivery/send.py.
RELAYED_KINDS = frozenset(MessageKind) - {MessageKind.EDIT, MessageKind.OTHER}


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    username: str | None = None


@dataclass(frozen=True)
class Written:
    """What someone wrote, without Telegram's types."""

    kind: MessageKind  # one of RELAYED_KINDS, or OTHER
    chat_id: int
    message_id: int | None  # None: the bot's own words for them (a button's complaint)
    text: str | None = None
    file_id: str | None = None
    media_group_id: str | None = None

    @classmethod
    def restored(cls, kept: Mapping[str, Any]) -> Written:
        """From its fields as kept between the steps of a flow, the kind as its string."""
        return cls(**{**kept, "kind": MessageKind(kept["kind"])})


@dataclass(frozen=True)
class Opened:
    ticket: Ticket
    created: bool
    position: int
    answer_within: int  # minutes, the first-response target
    agents_back_at: datetime | None  # set outside support hours
    changed: bool = False  # joined by a complaint that moved it to another order or problem


@dataclass(frozen=True)
class Fed:
    """The outcome of a customer's message while they have, or had, a ticket."""

    ticket: Ticket | None
    reopened: bool = False
    banned: bool = False
    throttled: bool = False
    opened: Opened | None = None  # a new ticket, when the last one closed long ago
    cannot_relay: bool = False  # a kind no bot can pass on: not taken


@dataclass(frozen=True)
class QueueEntry:
    ticket: Ticket
    waiting_minutes: int
    overdue: bool


@dataclass(frozen=True)
class TicketPolicy:
    first_response_minutes: int
    reopen_hours: int
    customer_messages_per_minute: int
    lanes: Lanes = field(default_factory=Lanes)  # the agents' forums
    auto_assign: bool = False  # a new ticket goes to an online agent of its forum


def subject_of(description: Written | None, problem: str | None) -> str:
    text = " ".join(((description.text if description else None) or problem or "").split())
    return shorten(text, SUBJECT_LIMIT) or "—"


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut after a whole word with "…"; spaces collapsed."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = textwrap.shorten(text, limit, placeholder="…", break_on_hyphens=False)
    if cut == "…":  # the first word alone is longer than the limit: cut inside it
        return text[: limit - 1] + "…"
    # A cut right after a separator (" · ", " → ") reads better without it.
    return cut.removesuffix("…").rstrip(" ·→") + "…"
