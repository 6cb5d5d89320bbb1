"""Telegram messages into the services' plain terms."""

from __future__ import annotations

from aiogram.types import CallbackQuery, Message

from bot.services.tickets import Person, Written


def written(message: Message) -> Written:
    """Kind, text or caption, and the file id of the largest size for photos."""
    kind, file_id = "text", None
    if message.photo:
        kind, file_id = "photo", message.photo[-1].file_id
    else:
        for name in ("document", "video", "voice", "audio", "animation", "sticker", "video_note"):
            media = getattr(message, name, None)
            if media is not None:
                kind, file_id = name, media.file_id
                break
        else:
            if message.text is None and message.caption is None:
                kind = "other"
    return Written(
        kind=kind,
        chat_id=message.chat.id,
        message_id=message.message_id,
        text=message.text if message.text is not None else message.caption,
        file_id=file_id,
        media_group_id=message.media_group_id,
    )


def person(source: Message | CallbackQuery) -> Person:
    user = source.from_user
    if user is None:  # channel posts and anonymous admins carry no user
        chat = source.chat if isinstance(source, Message) else None
        return Person(chat.id if chat else 0, chat.full_name if chat else "")
    return Person(user.id, user.full_name, user.username)
