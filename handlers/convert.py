"""Telegram messages into the services' plain terms."""

from __future__ import annotations

from aiogram.types import CallbackQuery, Message

from bot.domain.values import MessageKind
from bot.services.tickets import Person, Written

# Also the names of Message's fields that carry them.
_FILES = (
    MessageKind.DOCUMENT,
    MessageKind.VIDEO,
    MessageKind.VOICE,
    MessageKind.AUDIO,
    MessageKind.ANIMATION,
    MessageKind.STICKER,
    MessageKind.VIDEO_NOTE,
)


def written(message: Message) -> Written:
    """Kind, text or caption, and the file id of the largest size for photos. A message
    with no file and no text (a location, a poll...) keeps in `text` what it says, in
    words: what agents read when Telegram would not copy it, and a line of the ticket."""
    kind, file_id, text = (
        MessageKind.TEXT,
        None,
        message.text if message.text is not None else message.caption,
    )
    if message.photo:
        kind, file_id = MessageKind.PHOTO, message.photo[-1].file_id
    elif media := next((n for n in _FILES if getattr(message, n, None) is not None), None):
        kind, file_id = media, getattr(message, media).file_id
        if message.sticker is not None:
            text = message.sticker.emoji
    elif (described := _in_words(message)) is not None:
        kind, text = described
    elif text is None:
        kind = MessageKind.OTHER  # a story, a game, an invoice...: nothing a bot can pass on
    return Written(
        kind=kind,
        chat_id=message.chat.id,
        message_id=message.message_id,
        text=text,
        file_id=file_id,
        media_group_id=message.media_group_id,
    )


def _in_words(message: Message) -> tuple[MessageKind, str] | None:
    if message.venue is not None:  # before location: a venue carries one too
        venue, where = message.venue, message.venue.location
        return (
            MessageKind.VENUE,
            f"{venue.title}, {venue.address} ({_point(where.latitude, where.longitude)})",
        )
    if message.location is not None:
        return MessageKind.LOCATION, _point(message.location.latitude, message.location.longitude)
    if message.contact is not None:
        contact = message.contact
        name = " ".join(filter(None, [contact.first_name, contact.last_name]))
        return MessageKind.CONTACT, f"{name}, {contact.phone_number}"
    if message.poll is not None:
        options = "\n".join(f"— {option.text}" for option in message.poll.options)
        return MessageKind.POLL, f"{message.poll.question}\n{options}"
    if message.dice is not None:
        return MessageKind.DICE, f"{message.dice.emoji} {message.dice.value}"
    return None


def _point(latitude: float, longitude: float) -> str:
    return f"{latitude:.6f}, {longitude:.6f}"


def person(source: Message | CallbackQuery) -> Person:
    user = source.from_user
    if user is None:  # channel posts and anonymous admins carry no user
        chat = source.chat if isinstance(source, Message) else None
        return Person(chat.id if chat else 0, chat.full_name if chat else "")
    return Person(user.id, user.full_name, user.username)
