"""World records: users, chats, forum topics, files and messages.

Records are plain dataclasses so tests can read them directly; ``to_api``
methods render the exact Bot API object shapes aiogram expects.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from typing import Any

from .entities import Entity

GENERAL_TOPIC_ID = 1
DEFAULT_TOPIC_COLOR = 0x6FB9F0
MEMBER_STATUSES = frozenset({"creator", "administrator", "member", "restricted", "left", "kicked"})
PRESENT_STATUSES = frozenset({"creator", "administrator", "member", "restricted"})
# Message types that have a caption (a client lets its author edit it; a copy may replace it).
CAPTIONED_KINDS = frozenset({"photo", "video", "document", "audio", "voice", "animation"})
# Everything except chat_member and reactions, which Telegram only sends on request.
DEFAULT_ALLOWED_UPDATES = frozenset(
    [
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    ]
)


@dataclass
class UserRecord:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "ru"
    is_bot: bool = False
    blocked: bool = False
    started: bool = True

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "is_bot": self.is_bot,
            "first_name": self.first_name,
        }
        for key in ("last_name", "username", "language_code"):
            if (value := getattr(self, key)) is not None:
                data[key] = value
        return data


@dataclass
class Topic:
    thread_id: int
    name: str
    icon_color: int = DEFAULT_TOPIC_COLOR
    icon_custom_emoji_id: str | None = None
    closed: bool = False
    deleted: bool = False

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "message_thread_id": self.thread_id,
            "name": self.name,
            "icon_color": self.icon_color,
        }
        if self.icon_custom_emoji_id:
            data["icon_custom_emoji_id"] = self.icon_custom_emoji_id
        return data


@dataclass
class ChatRecord:
    id: int
    type: str
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    is_forum: bool = False
    members: dict[int, str] = field(default_factory=dict)
    topics: dict[int, Topic] = field(default_factory=dict)
    reply_keyboard: dict[str, Any] | None = None
    last_message_id: int = 0

    @property
    def is_private(self) -> bool:
        return self.type == "private"

    def allocate_message_id(self) -> int:
        # Telegram numbers messages per chat; topic ids come from the same sequence.
        self.last_message_id += 1
        return self.last_message_id

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name", "last_name"):
            if (value := getattr(self, key)) is not None:
                data[key] = value
        if self.is_forum:
            data["is_forum"] = True
        return data

    def full_info(self) -> dict[str, Any]:
        gifts = dict.fromkeys(
            (
                "unlimited_gifts",
                "limited_gifts",
                "unique_gifts",
                "premium_subscription",
                "gifts_from_channels",
            ),
            False,
        )
        return {
            **self.to_api(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": gifts,
        }


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    file_name: str | None = None
    mime_type: str | None = None
    # What Telegram knows about the file besides its bytes; reused when it is resent by id.
    kind: str = "document"
    duration: int | None = None
    emoji: str | None = None

    def to_api(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }


@dataclass
class StoredMessage:
    """One message in the world, sent by the bot (``from_bot``) or by a simulated user.

    ``text`` is the plain text or caption after entity parsing, ``html`` the source
    exactly as sent, ``media`` the Bot API fields of the attachment (``{"photo": [...]}``).
    """

    chat_id: int
    message_id: int
    date: int
    from_bot: bool
    sender_id: int
    kind: str = "text"
    thread_id: int | None = None
    text: str | None = None
    html: str | None = None
    entities: list[Entity] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    media: dict[str, Any] = field(default_factory=dict)
    media_group_id: str | None = None
    reply_to_message_id: int | None = None
    forward_origin: dict[str, Any] | None = None
    link_preview_options: dict[str, Any] | None = None
    edited: bool = False
    edit_date: int | None = None
    deleted: bool = False
    disable_notification: bool = False
    # Reactions the bot set with setMessageReaction (ReactionType objects).
    reactions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def has_text_body(self) -> bool:
        return self.kind == "text"

    def inline_buttons(self) -> list[dict[str, Any]]:
        markup = self.reply_markup or {}
        return [button for row in markup.get("inline_keyboard", []) for button in row]

    def callback_data(self) -> list[str]:
        return [b["callback_data"] for b in self.inline_buttons() if "callback_data" in b]

    def button_texts(self) -> list[str]:
        if self.reply_markup and "keyboard" in self.reply_markup:
            rows = self.reply_markup["keyboard"]
            return [b if isinstance(b, str) else b["text"] for row in rows for b in row]
        return [button["text"] for button in self.inline_buttons()]

    def file_id(self) -> str | None:
        for value in self.media.values():
            item = value[-1] if isinstance(value, list) and value else value
            if isinstance(item, dict) and "file_id" in item:
                return str(item["file_id"])
        return None

    def snapshot(self) -> dict[str, Any]:
        """A JSON-serialisable deep copy (used for events and edit history)."""
        return copy.deepcopy(dataclasses.asdict(self))

    def clone(self) -> StoredMessage:
        return copy.deepcopy(self)
