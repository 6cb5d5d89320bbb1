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
        room = TEXT_LIMIT - visible_length(lead)
        sent: Message | None = None
        for number, chunk in enumerate(split_plain(first.text or "", room)):
            text = (lead if number == 0 else "") + html.escape(chunk, quote=False)
            message = await bot.send_message(
                chat_id,
                text or "…",
                message_thread_id=thread_id,
                reply_parameters=reply if number == 0 else None,
            )
            sent = sent or message
        assert sent is not None  # noqa: S101 - split_plain returns at least one chunk
        return sent
    caption = _caption(lead, first.text)
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
    return await sender(chat_id, first.file_id, caption=caption, **common)  # type: ignore[operator]


def _caption(lead: str, text: str | None) -> str | None:
    room = CAPTION_LIMIT - visible_length(lead)
    body = html.escape((text or "")[:room], quote=False)
    return (lead + body).strip() or None


async def _album(
    bot: Bot, chat_id: int, thread_id: int | None, batch: list[TicketMessage], lead: str
) -> Message:
    kind = batch[0].kind if batch[0].kind in _ALBUM else "document"
    items = []
    for number, part in enumerate(batch):
        media_type = _ALBUM.get(part.kind, _ALBUM[kind])
        caption = _caption(lead if number == 0 else "", part.text)
        items.append(media_type(media=part.file_id or "", caption=caption))
    sent = await bot.send_media_group(chat_id, items, message_thread_id=thread_id)  # type: ignore[arg-type]
    return sent[0]
