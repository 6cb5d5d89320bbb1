"""Plumbing shared by every simulated-user action: delivery, uploads and edits.

Each action builds the same Message object Telegram would and pushes it as an
Update into the getUpdates queue. Actions Telegram's UI would not allow raise
:class:`SimulationError`.
"""

from __future__ import annotations

import asyncio
import mimetypes
from typing import TYPE_CHECKING, Any

from .api_media import media_fields
from .entities import Entity, trim, with_auto_entities
from .errors import SimulationError
from .models import CAPTIONED_KINDS, ChatRecord, StoredMessage, UserRecord
from .state import World, now

if TYPE_CHECKING:
    from .emulator import BotApiEmulator

FAKE_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00emulator-photo\xff\xd9"
FAKE_OGG = b"OggS\x00\x02emulator-voice"
FAKE_MP4 = b"\x00\x00\x00\x18ftypmp42emulator-video"
FAKE_MP3 = b"ID3\x04\x00\x00emulator-audio"
FAKE_WEBP = b"RIFF\x10\x00\x00\x00WEBPemulator-sticker"
FAKE_PDF = b"%PDF-1.4\n% emulator document\n%%EOF\n"


def prepare_text(text: str) -> tuple[str, list[Entity]]:
    """Trim like Telegram and add the entities it detects (commands, links, ...)."""
    plain, _ = trim(text, [])
    return plain, with_auto_entities(plain, [])


def document_upload(file_name: str) -> tuple[bytes, str]:
    """Fake bytes and the MIME type a client would report for ``file_name``."""
    mime_type = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
    if mime_type == "application/pdf":
        return FAKE_PDF, mime_type
    return f"emulator document {file_name}\n".encode(), mime_type


class SimUserBase:
    """Identity and delivery plumbing of :class:`~emulator.client.SimUser`."""

    def __init__(self, emulator: BotApiEmulator, record: UserRecord) -> None:
        self.emulator = emulator
        self.record = record

    @property
    def id(self) -> int:
        return self.record.id

    @property
    def chat_id(self) -> int:
        return self.record.id

    @property
    def _world(self) -> World:
        return self.emulator.world

    def to_api(self) -> dict[str, Any]:
        return self.record.to_api()

    def __repr__(self) -> str:
        return f"SimUser(id={self.id}, first_name={self.record.first_name!r})"

    def _private_chat(self) -> ChatRecord:
        if self.record.blocked:
            raise SimulationError(f"user {self.id} blocked the bot; call unblock_bot() first")
        self.record.started = True
        return self._world.chats[self.id]

    def _target(self) -> tuple[ChatRecord, int | None]:
        """Where the person's plain ``send_*`` actions go: the private chat (see ``in_topic``)."""
        return self._private_chat(), None

    async def _deliver(self, chat: ChatRecord | None, **fields: Any) -> StoredMessage:
        if chat is None:
            chat, fields["thread_id"] = self._target()
        world = self._world
        message = world.new_message(chat, from_bot=False, sender_id=self.id, **fields)
        world.push_update("message", world.message_to_api(message))
        # Give a polling dispatcher in the same loop a chance to pick it up.
        await asyncio.sleep(0)
        return message

    async def _send_media(
        self,
        kind: str,
        data: bytes,
        *,
        caption: str | None = None,
        chat: ChatRecord | None = None,
        thread_id: int | None = None,
        reply_to: StoredMessage | None = None,
        file_name: str | None = None,
        mime_type: str | None = None,
        media_group_id: str | None = None,
        duration: int | None = None,
        emoji: str | None = None,
    ) -> StoredMessage:
        """Upload ``data`` as a new file and post it (to the private chat by default)."""
        target, thread_id = (chat, thread_id) if chat is not None else self._target()
        stored = self._world.store_file(
            kind, data, file_name, mime_type, duration=duration, emoji=emoji
        )
        text, entities = prepare_text(caption) if caption else (None, [])
        return await self._deliver(
            target,
            kind=kind,
            text=text or None,
            entities=entities,
            media=media_fields(kind, stored),
            media_group_id=media_group_id,
            thread_id=thread_id,
            reply_to_message_id=reply_to.message_id if reply_to else None,
        )

    async def _edit(self, message: StoredMessage, new_text: str) -> StoredMessage:
        """Change the text (text messages) or caption (media) of one of the user's messages."""
        live = self._world.find_message(message.chat_id, message.message_id)
        if live is None or live.from_bot or live.sender_id != self.id:
            raise SimulationError(f"user {self.id} can only edit their own existing messages")
        plain, entities = prepare_text(new_text)
        if live.has_text_body:
            if not plain:
                raise SimulationError("a text message can't be edited to be empty")
        elif live.kind not in CAPTIONED_KINDS:
            raise SimulationError(f"a {live.kind} message has no text or caption to edit")
        live.text, live.entities = plain or None, entities
        live.edited, live.edit_date = True, now()
        self._world.push_update("edited_message", self._world.message_to_api(live))
        await asyncio.sleep(0)
        return live
