"""How stored ticket messages read when they travel: a customer's waiting texts merged
into one (each with its time), and a message Telegram would not pass on, in words."""

from __future__ import annotations

import html
from dataclasses import replace
from zoneinfo import ZoneInfo

from bot.domain.values import Direction, MessageKind
from bot.telegram.i18n import Texts
from bot.telegram.text_keys import RELAY_KINDS
from storage.messages import TicketMessage

_MERGE_ROOM = 3500  # under Telegram's 4096 with the header
_STAMP = len("[00:00] \n")


def in_words(t: Texts, message: TicketMessage) -> str:
    """What a message was, for when Telegram would not pass it on as it is."""
    label = t(RELAY_KINDS.get(message.kind, RELAY_KINDS["other"]))
    details = html.escape(message.text or "", quote=False)
    return "\n".join(filter(None, [label, details, t("relay-in-words")]))


def _plain(message: TicketMessage) -> bool:
    """A text the customer wrote, not an edit: it may share a message with others."""
    return (
        message.direction == Direction.IN
        and message.kind == MessageKind.TEXT
        and message.edit_of is None
    )


def rider_of(batch: list[TicketMessage]) -> TicketMessage | None:
    """The customer's plain text (or merged texts) that can go in a new topic's card."""
    return batch[0] if len(batch) == 1 and _plain(batch[0]) else None


def mergeable_run(messages: list[TicketMessage]) -> list[TicketMessage]:
    """The customer's plain texts at the head of the queue that fit in one message."""
    run: list[TicketMessage] = []
    size = 0
    for message in messages:
        if not _plain(message) or message.media_group_id is not None:
            break
        size += len(message.text or "") + _STAMP
        if run and size > _MERGE_ROOM:
            break
        run.append(message)
    return run


def merge(run: list[TicketMessage], zone: ZoneInfo) -> TicketMessage:
    """Several texts as one, each with the time it was written."""
    lines = [f"[{m.created_at.astimezone(zone):%H:%M}] {m.text or ''}" for m in run]
    return replace(run[0], text="\n".join(lines))
