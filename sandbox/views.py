"""The emulator's world as the page reads it: plain JSON, nothing live."""

from __future__ import annotations

from typing import Any

from emulator import BotApiEmulator, StoredMessage
from emulator.models import GENERAL_TOPIC_ID


def message_view(emu: BotApiEmulator, message: StoredMessage) -> dict[str, Any]:
    sender = emu.world.users.get(message.sender_id)
    return {
        "id": message.message_id,
        "chat_id": message.chat_id,
        "from": "bot" if message.from_bot else message.sender_id,
        "from_name": "bot" if message.from_bot else (sender.first_name if sender else "?"),
        "date": message.date,
        "kind": message.kind,
        "media_note": _media_note(message),
        "text": message.text or "",
        "html": message.html,
        "entities": message.entities,
        "album": message.media_group_id,
        "reply_markup": message.reply_markup,
        "thread_id": message.thread_id,
        "edited": message.edited,
        "reactions": [r.get("emoji") or r.get("type") for r in message.reactions],
    }


def _media_note(message: StoredMessage) -> str | None:
    """The one line a chat shows for an attachment, since the sandbox has no files."""
    media = message.media
    if "contact" in media:
        contact = media["contact"]
        return f"{contact.get('first_name', '')} {contact.get('phone_number', '')}".strip()
    if "document" in media:
        return str(media["document"].get("file_name") or "document")
    if "sticker" in media:
        return str(media["sticker"].get("emoji") or "sticker")
    if "voice" in media:
        return f"{media['voice'].get('duration', 0)} s"
    if "forum_topic_created" in media:
        return f"Topic created: {media['forum_topic_created'].get('name', '')}"
    return None


def chat_messages(emu: BotApiEmulator, chat_id: int) -> list[dict[str, Any]]:
    """Bot and user messages of one chat, oldest first (the emulator keeps them in order)."""
    return [
        message_view(emu, message)
        for (chat, _), message in emu.world.messages.items()
        if chat == chat_id and not message.deleted
    ]


def forum_view(emu: BotApiEmulator, forum_id: int) -> dict[str, Any]:
    chat = emu.chat(forum_id)
    # General first, then the newest ticket on top, as agents scan for fresh work.
    topics = sorted(
        chat.topics.values(), key=lambda t: (t.thread_id != GENERAL_TOPIC_ID, -t.thread_id)
    )
    return {
        "id": chat.id,
        "title": chat.title,
        "topics": [
            {"id": t.thread_id, "name": t.name, "closed": t.closed, "deleted": t.deleted}
            for t in topics
        ],
    }


def reply_keyboard(emu: BotApiEmulator, chat_id: int) -> list[list[dict[str, Any]]] | None:
    """The reply keyboard the bot left under a customer's input, buttons as objects."""
    markup = emu.chat(chat_id).reply_keyboard
    if not markup:
        return None
    rows = markup.get("keyboard", [])
    return [[{"text": b} if isinstance(b, str) else b for b in row] for row in rows]
