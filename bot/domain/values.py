"""The bot's coded values: each is stored in SQLite and carried in button data as its
string, so a StrEnum reads and writes them unchanged (no migration) while the code
cannot misspell one.

Order statuses are the marketplace's (`bot.ports.marketplace.OrderStatus`); an order's
problems are the order help's own (`bot.services.orders.Problem`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class Coded(StrEnum):
    """A value read back from where it is kept as its string."""

    @classmethod
    def of(cls, code: object) -> Self | None:
        """The member `code` names; None for anything else (a stale button, a missing
        key, another language)."""
        try:
            return cls(code) if isinstance(code, str) else None
        except ValueError:
            return None


class Locale(Coded):
    """A language the bot speaks."""

    RU = "ru"
    EN = "en"


class TicketStatus(Coded):
    NEW = "new"  # nobody took it yet
    TAKEN = "taken"  # an agent holds it; the customer waits for them
    WAITING = "waiting"  # the agent answered; the customer's turn
    CLOSED = "closed"


class Direction(Coded):
    """Which way a stored message of a ticket goes."""

    IN = "in"  # from the customer, to the agents' topic
    OUT = "out"  # from an agent, to the customer
    NOTE = "note"  # an agent's note: never leaves the forum
    EVENT = "event"  # the bot's own line in the topic


class MessageKind(Coded):
    """What a stored message is, as the relay sends it on."""

    TEXT = "text"
    PHOTO = "photo"  # an album part too, with its media group
    DOCUMENT = "document"
    VIDEO = "video"
    VOICE = "voice"
    AUDIO = "audio"
    ANIMATION = "animation"
    STICKER = "sticker"
    VIDEO_NOTE = "video_note"
    LOCATION = "location"
    VENUE = "venue"
    CONTACT = "contact"
    POLL = "poll"
    DICE = "dice"
    EDIT = "edit"  # new wording of an earlier message
    OTHER = "other"  # a story, a game, an invoice: nothing a bot can pass on


class Channel(Coded):
    """How something reaches a person: a one-time code goes by SMS, a call or email;
    a notice by those or in a Telegram chat."""

    TELEGRAM = "telegram"
    SMS = "sms"
    CALL = "call"
    EMAIL = "email"


class CodePurpose(Coded):
    """What a one-time code proves; each has its own newest code and counters."""

    LOGIN = "login"
    RECOVER_EMAIL = "recover-email"
    RECOVER_PHONE = "recover-phone"


class AuditEvent(Coded):
    CODE_ISSUED = "code-issued"
    CODE_VERIFIED = "code-verified"
    CODE_WRONG = "code-wrong"
    CODE_LOCKED = "code-locked"
    CODE_CAPPED = "code-capped"
    CODE_FLOOD = "code-flood"
    LOGIN = "login"
    LOGOUT = "logout"
    RECOVERY_SCHEDULED = "recovery-scheduled"
    RECOVERY_APPLIED = "recovery-applied"
    RECOVERY_CANCELLED = "recovery-cancelled"


class RecoveryMethod(Coded):
    EMAIL = "email"  # proven by a code to the account's confirmed email
    REVIEW = "review"  # decided by an agent from the evidence given


class RecoveryStatus(Coded):
    REVIEW = "review"  # waits for an agent
    SCHEDULED = "scheduled"  # due at its time, once its warnings are out
    APPLIED = "applied"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
