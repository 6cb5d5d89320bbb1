"""Sending stored ticket messages: text split at Telegram's limit, media by file id,
albums as albums. Stored text is plain; it is escaped here for HTML parse mode."""

from __future__ import annotations

import html

from aiogram import Bot
from aiogram.types import (
    InputMediaAudio,
    InputMediaDocument,
    InputMediaPhoto,
    InputMediaVideo,
    Message,
    ReplyParameters,
)

from storage.tickets import TicketMessage

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
_ALBUM = {
    "photo": InputMediaPhoto,
    "video": InputMediaVideo,
    "document": InputMediaDocument,
    "audio": InputMediaAudio,
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


def pack_lines(lines: list[str], limit: int = TEXT_LIMIT) -> list[str]:
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


async def send_stored(
    bot: Bot,
    chat_id: int,
    thread_id: int | None,
    batch: list[TicketMessage],
    header: str,
    *,
    reply: ReplyParameters | None = None,
) -> Message:
    """Send one stored message (or one album); returns the first message sent."""
    first = batch[0]
    lead = f"{header}\n" if header else ""
    if len(batch) > 1:  # an album of one is sent as the single item it is
        return await _album(bot, chat_id, thread_id, batch, lead)
    if first.kind in ("text", "edit") or not first.file_id:
        return await _texts(bot, chat_id, thread_id, framed(header, first.text or ""), reply)
    caption, rest = _caption(lead, first.text)
    common = {"message_thread_id": thread_id, "reply_parameters": reply}
    if first.kind == "sticker":
        if lead:
            await bot.send_message(chat_id, lead.strip(), message_thread_id=thread_id)
        return await bot.send_sticker(chat_id, first.file_id, **common)
    sender = {
        "photo": bot.send_photo,
        "document": bot.send_document,
        "voice": bot.send_voice,
        "video": bot.send_video,
        "audio": bot.send_audio,
        "animation": bot.send_animation,
    }.get(first.kind, bot.send_document)
    sent = await sender(chat_id, first.file_id, caption=caption, **common)  # type: ignore[operator]
    if rest:
        await _texts(bot, chat_id, thread_id, framed("", rest), None)
    return sent  # type: ignore[no-any-return]


async def _texts(
    bot: Bot, chat_id: int, thread_id: int | None, texts: list[str], reply: ReplyParameters | None
) -> Message:
    """Parts of one text, in order; returns the first."""
    sent: Message | None = None
    for number, text in enumerate(texts):
        message = await bot.send_message(
            chat_id,
            text or "…",
            message_thread_id=thread_id,
            reply_parameters=reply if number == 0 else None,
        )
        sent = sent or message
    assert sent is not None  # noqa: S101 - framed returns at least one part
    return sent


def _caption(lead: str, text: str | None) -> tuple[str | None, str]:
    """The caption, and what did not fit in it (the header takes some of its room)."""
    room = CAPTION_LIMIT - visible_length(lead)
    text = text or ""
    first = split_plain(text, room)[0]
    caption = (lead + html.escape(first, quote=False)).strip() or None
    return caption, text[len(first) :].lstrip("\n ")


async def _album(
    bot: Bot, chat_id: int, thread_id: int | None, batch: list[TicketMessage], lead: str
) -> Message:
    kind = batch[0].kind if batch[0].kind in _ALBUM else "document"
    items, rests = [], []
    for number, part in enumerate(batch):
        media_type = _ALBUM.get(part.kind, _ALBUM[kind])
        caption, rest = _caption(lead if number == 0 else "", part.text)
        items.append(media_type(media=part.file_id or "", caption=caption))
        rests.append(rest)
    sent = await bot.send_media_group(chat_id, items, message_thread_id=thread_id)  # type: ignore[arg-type]
    for rest in filter(None, rests):
        await _texts(bot, chat_id, thread_id, framed("", rest), None)
    return sent[0]
