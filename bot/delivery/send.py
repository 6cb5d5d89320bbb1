"""Sending stored ticket messages: text split at Telegram's limit, media by file id,
albums as albums, locations, contacts, polls and dice as copies; what Telegram will not
take as it is goes in words. Stored text is plain; it is escaped here for HTML parse mode."""

from __future__ import annotations

import contextlib
import html
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import (
    InputMediaAudio,
    InputMediaDocument,
    InputMediaPhoto,
    InputMediaVideo,
    Message,
    ReplyParameters,
)

from bot.domain.values import MessageKind
from storage.messages import TicketMessage

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
_PLACE_ERRORS = (
    "thread not found",
    "topic_deleted",
    "topic_id_invalid",
    "topic_closed",
    "chat not found",
)
_ALBUM = {
    MessageKind.PHOTO: InputMediaPhoto,
    MessageKind.VIDEO: InputMediaVideo,
    MessageKind.DOCUMENT: InputMediaDocument,
    MessageKind.AUDIO: InputMediaAudio,
}


def split_plain(text: str, limit: int) -> list[str]:
    """Cut at the last line break or space before the limit, so words stay whole."""
    chunks = []
    while len(text) > limit:
        cut = max(text.rfind("\n", 0, limit), text.rfind(" ", 0, limit))
        cut = cut if cut > limit // 2 else limit
        chunks.append(text[:cut])
        text = text[cut:].lstrip("\n ")
    return [*chunks, text] if text or not chunks else chunks


def visible_length(text: str) -> int:
    # Telegram counts characters after entity parsing: tags do not count, entities count 1.
    return len(html.unescape(_strip_tags(text)))


def _strip_tags(text: str) -> str:
    out, inside = [], False
    for ch in text:
        if ch == "<":
            inside = True
        elif ch == ">":
            inside = False
        elif not inside:
            out.append(ch)
    return "".join(out)


def framed(header: str, body: str, limit: int = TEXT_LIMIT) -> list[str]:
    """A rendered header and a person's plain text as messages within `limit`.

    The text is cut before it is escaped, so no cut falls inside an entity like &lt;.
    """
    lead = f"{header}\n" if header and body else header
    room = limit - visible_length(lead)
    return [
        (lead if number == 0 else "") + html.escape(chunk, quote=False)
        for number, chunk in enumerate(split_plain(body, room))
    ]


def pack_lines(lines: Sequence[str], limit: int = TEXT_LIMIT) -> list[str]:
    """Rendered lines as few messages within `limit`, never cutting a line."""
    messages: list[list[str]] = [[]]
    size = 0
    for line in lines:
        length = visible_length(line) + 1
        if messages[-1] and size + length > limit:
            messages.append([])
            size = 0
        messages[-1].append(line)
        size += length
    return ["\n".join(message) for message in messages]


# Sent again by file id with the header in the caption: the copy does not depend on the
# customer keeping their message, and a header costs no post of the forum's 20 a minute.
CAPTIONED = (
    MessageKind.PHOTO,
    MessageKind.DOCUMENT,
    MessageKind.VIDEO,
    MessageKind.VOICE,
    MessageKind.AUDIO,
    MessageKind.ANIMATION,
)
# No caption to carry a header: it goes first, on its own.
_BY_FILE = (MessageKind.STICKER, MessageKind.VIDEO_NOTE)
TEXTS = (MessageKind.TEXT, MessageKind.EDIT)
# Whatever else (location, venue, contact, poll, dice) is copied from the source message.
Describe = Callable[[TicketMessage], str]


def posts_of(batch: list[TicketMessage]) -> int:
    """Messages the batch takes in the chat: a captionless one takes its header too."""
    single = len(batch) == 1 and batch[0].kind not in (*TEXTS, *CAPTIONED)
    return len(batch) + single


def text_parts(lead: str, text: str) -> list[str]:
    """A stored text as the messages it is sent in: the header on the first."""
    room = TEXT_LIMIT - visible_length(lead)
    chunks = split_plain(text, room)
    return [(lead if n == 0 else "") + html.escape(c, quote=False) for n, c in enumerate(chunks)]


@dataclass(frozen=True)
class Resume:
    """A long text's parts that went out before a failure or a crash (their ids), and
    where each next part is written down: sent again, the text goes on from there
    instead of posting its first parts twice."""

    sent: tuple[int, ...] = ()
    progress: Callable[[list[int]], Awaitable[None]] | None = None


async def send_stored(
    bot: Bot,
    chat_id: int,
    thread_id: int | None,
    batch: list[TicketMessage],
    header: str,
    *,
    describe: Describe,
    reply: ReplyParameters | None = None,
    resume: Resume = Resume(),
) -> list[list[int]]:
    """Send one stored message (or one album); returns, for each item of the batch, the
    ids of the messages it became, in order (a header sent on its own is not one)."""
    first = batch[0]
    lead = f"{header}\n" if header else ""
    if len(batch) > 1:  # an album of one is sent as the single item it is
        return await _album(bot, chat_id, thread_id, batch, lead)
    where: dict[str, Any] = {"message_thread_id": thread_id}
    if first.kind in TEXTS:
        parts = text_parts(lead, first.text or "")
        return [await _text_in_parts(bot, chat_id, where, parts, reply, resume)]
    try:
        if first.kind in CAPTIONED and first.file_id:
            sender = getattr(bot, f"send_{first.kind}")
            caption, rest = _caption(lead, first.text)
            sent = await sender(
                chat_id, first.file_id, caption=caption, **where, reply_parameters=reply
            )
            if rest:  # what the caption had no room for follows, whole
                await _texts(bot, chat_id, thread_id, framed("", rest))
            return [[sent.message_id]]
        if lead:
            await bot.send_message(chat_id, lead.strip(), **where, reply_parameters=reply)
            lead, reply = "", None
        copy = await _as_it_is(bot, chat_id, first, where, reply)
        if copy is not None:
            return [[copy]]
    except TelegramBadRequest as error:
        if _about_the_place(error):
            raise
    # Telegram would not take it as it is (a quiz it may not copy, a file it lost): the
    # other side reads what it was instead of nothing.
    sent = await bot.send_message(chat_id, lead + describe(first), **where, reply_parameters=reply)
    return [[sent.message_id]]


async def _text_in_parts(
    bot: Bot,
    chat_id: int,
    where: dict[str, Any],
    parts: list[str],
    reply: ReplyParameters | None,
    resume: Resume,
) -> list[int]:
    """The ids of the parts; those ``resume`` has went out already, each next one is
    written down as it goes (the last with the whole message, by the caller)."""
    ids = list(resume.sent[: len(parts) - 1])
    for number in range(len(ids), len(parts)):
        first_reply = reply if number == 0 else None
        sent = await bot.send_message(
            chat_id, parts[number] or "…", **where, reply_parameters=first_reply
        )
        ids.append(sent.message_id)
        if resume.progress is not None and number < len(parts) - 1:
            await resume.progress(ids)
    return ids


async def _as_it_is(
    bot: Bot,
    chat_id: int,
    message: TicketMessage,
    where: dict[str, Any],
    reply: ReplyParameters | None,
) -> int | None:
    if message.kind in _BY_FILE and message.file_id:
        sender = getattr(bot, f"send_{message.kind}")
        sent: Message = await sender(chat_id, message.file_id, **where, reply_parameters=reply)
        return sent.message_id
    if message.source_chat_id is None or message.source_message_id is None:
        return None  # written by the bot for the customer: nothing to copy from
    copied = await bot.copy_message(
        chat_id,
        message.source_chat_id,
        message.source_message_id,
        **where,
        reply_parameters=reply,
    )
    return copied.message_id


def _about_the_place(error: TelegramBadRequest) -> bool:
    """Refused for where it goes (a topic gone or closed, a chat), not for what it is:
    words would be refused as well, and the relay knows what to do."""
    text = error.message.lower()
    return any(marker in text for marker in _PLACE_ERRORS)


def caption_of(lead: str, text: str | None) -> str | None:
    """A caption as an edit can make it: what does not fit is left out."""
    return _caption(lead, text)[0]


def _caption(lead: str, text: str | None) -> tuple[str | None, str]:
    """The caption, and what did not fit in it (the header takes some of its room)."""
    room = CAPTION_LIMIT - visible_length(lead)
    text = text or ""
    first = split_plain(text, room)[0]
    caption = (lead + html.escape(first, quote=False)).strip() or None
    return caption, text[len(first) :].lstrip("\n ")


async def _texts(bot: Bot, chat_id: int, thread_id: int | None, texts: list[str]) -> None:
    for text in texts:
        await bot.send_message(chat_id, text or "…", message_thread_id=thread_id)


async def _album(
    bot: Bot, chat_id: int, thread_id: int | None, batch: list[TicketMessage], lead: str
) -> list[list[int]]:
    kind = batch[0].kind if batch[0].kind in _ALBUM else MessageKind.DOCUMENT
    items, rests = [], []
    for number, part in enumerate(batch):
        media_type = _ALBUM.get(part.kind, _ALBUM[kind])
        caption, rest = _caption(lead if number == 0 else "", part.text)
        items.append(media_type(media=part.file_id or "", caption=caption))
        rests.append(rest)
    sent = await bot.send_media_group(chat_id, items, message_thread_id=thread_id)
    for rest in filter(None, rests):
        await _texts(bot, chat_id, thread_id, framed("", rest))
    return [[message.message_id] for message in sent]


@contextlib.contextmanager
def unless(marker: str) -> Iterator[None]:
    """Let a Bad Request that says `marker` pass: the call had nothing to do."""
    try:
        yield
    except TelegramBadRequest as error:
        if marker not in error.message.lower():
            raise
