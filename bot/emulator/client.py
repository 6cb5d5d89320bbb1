"""Simulated people talking to the bot.

Each action builds the same Message/CallbackQuery objects Telegram would and
pushes them as an Update into the getUpdates queue. Actions Telegram's UI
would not allow raise :class:`SimulationError`.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from .api_media import media_fields
from .entities import Entity, trim, with_auto_entities
from .errors import SimulationError
from .models import GENERAL_TOPIC_ID, PRESENT_STATUSES, ChatRecord, StoredMessage, UserRecord
from .state import World, now

if TYPE_CHECKING:
    from collections.abc import Callable

    from .emulator import BotApiEmulator

FAKE_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00emulator-photo\xff\xd9"
FAKE_OGG = b"OggS\x00\x02emulator-voice"
FAKE_MP4 = b"\x00\x00\x00\x18ftypmp42emulator-video"
FAKE_WEBP = b"RIFF\x10\x00\x00\x00WEBPemulator-sticker"
FAKE_PDF = b"%PDF-1.4\n% emulator document\n%%EOF\n"


def _prepare_text(text: str) -> tuple[str, list[Entity]]:
    plain, _ = trim(text, [])
    return plain, with_auto_entities(plain, [])


class SimUser:
    """A person with a private chat with the bot (chat id == user id)."""

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

    # --- plumbing --------------------------------------------------------------------

    def _private_chat(self) -> ChatRecord:
        if self.record.blocked:
            raise SimulationError(f"user {self.id} blocked the bot; call unblock_bot() first")
        self.record.started = True
        return self._world.chats[self.id]

    async def _deliver(self, chat: ChatRecord, **fields: Any) -> StoredMessage:
        world = self._world
        message = world.new_message(chat, from_bot=False, sender_id=self.id, **fields)
        world.push_update("message", world.message_to_api(message))
        # Give a polling dispatcher in the same loop a chance to pick it up.
        await asyncio.sleep(0)
        return message

    async def _send_media(
        self, kind: str, data: bytes, *, caption: str | None = None, **extra: Any
    ) -> StoredMessage:
        file_name, mime_type = extra.pop("file_name", None), extra.pop("mime_type", None)
        group_id = extra.pop("media_group_id", None)
        stored = self._world.store_file(kind, data, file_name, mime_type)
        text, entities = _prepare_text(caption) if caption else (None, [])
        return await self._deliver(
            self._private_chat(),
            kind=kind,
            text=text or None,
            entities=entities,
            media=media_fields(kind, stored, **extra),
            media_group_id=group_id,
        )

    # --- private chat actions --------------------------------------------------------

    async def send(self, text: str, *, reply_to: StoredMessage | None = None) -> StoredMessage:
        """Send a text message; commands such as ``/start`` get a bot_command entity."""
        plain, entities = _prepare_text(text)
        if not plain:
            raise SimulationError("Telegram clients do not send empty messages")
        return await self._deliver(
            self._private_chat(),
            text=plain,
            entities=entities,
            reply_to_message_id=reply_to.message_id if reply_to else None,
        )

    async def press_reply_button(
        self, text: str, *, require_button: bool = False
    ) -> StoredMessage:
        """Tap a reply-keyboard button, which is just sending its text."""
        chat = self._world.chats[self.id]
        keyboard = chat.reply_keyboard or {}
        buttons = [
            b if isinstance(b, str) else b.get("text")
            for r in keyboard.get("keyboard", [])
            for b in r
        ]
        if require_button and text not in buttons:
            raise SimulationError(f"no reply button {text!r}; current keyboard: {buttons}")
        message = await self.send(text)
        if keyboard.get("one_time_keyboard"):
            chat.reply_keyboard = None
        return message

    async def send_contact(
        self,
        phone_number: str,
        *,
        user_id: int | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
    ) -> StoredMessage:
        """Share a contact; by default the user's own (as the request_contact button does).

        Pass ``user_id=0`` to share a contact that has no Telegram account.
        """
        contact: dict[str, Any] = {
            "phone_number": phone_number,
            "first_name": first_name or self.record.first_name,
        }
        if (owner := self.id if user_id is None else user_id) != 0:
            contact["user_id"] = owner
        if last_name or (user_id is None and self.record.last_name):
            contact["last_name"] = last_name or self.record.last_name
        return await self._deliver(
            self._private_chat(), kind="contact", media={"contact": contact}
        )

    async def send_photo(
        self, caption: str | None = None, *, data: bytes = FAKE_JPEG
    ) -> StoredMessage:
        return await self._send_media("photo", data, caption=caption)

    async def send_document(
        self,
        file_name: str = "document.pdf",
        data: bytes = FAKE_PDF,
        *,
        mime_type: str = "application/pdf",
        caption: str | None = None,
    ) -> StoredMessage:
        return await self._send_media(
            "document", data, caption=caption, file_name=file_name, mime_type=mime_type
        )

    async def send_sticker(self, emoji: str = "👍") -> StoredMessage:
        return await self._send_media("sticker", FAKE_WEBP, emoji=emoji)

    async def send_voice(self, duration: int = 2, *, data: bytes = FAKE_OGG) -> StoredMessage:
        return await self._send_media("voice", data, duration=duration)

    async def send_video(self, caption: str | None = None, *, duration: int = 3) -> StoredMessage:
        return await self._send_media("video", FAKE_MP4, caption=caption, duration=duration)

    async def send_media_group(
        self, n: int = 2, caption: str | None = None, *, kind: str = "photo"
    ) -> list[StoredMessage]:
        """An album: ``n`` messages (n updates) sharing a media_group_id; caption on the first."""
        group_id = str(10**15 + self._world.unique_id())
        data = FAKE_JPEG if kind == "photo" else FAKE_PDF
        return [
            await self._send_media(
                kind, data, caption=caption if index == 0 else None, media_group_id=group_id
            )
            for index in range(n)
        ]

    async def edit(self, message: StoredMessage, new_text: str) -> StoredMessage:
        """Edit one of the user's own messages (pushes an ``edited_message`` update)."""
        live = self._world.find_message(message.chat_id, message.message_id)
        if live is None or live.from_bot or live.sender_id != self.id:
            raise SimulationError(f"user {self.id} can only edit their own existing messages")
        live.text, live.entities = _prepare_text(new_text)
        live.edited, live.edit_date = True, now()
        self._world.push_update("edited_message", self._world.message_to_api(live))
        await asyncio.sleep(0)
        return live

    async def click(
        self,
        bot_message: StoredMessage | int,
        callback_data: str | None = None,
        *,
        text: str | None = None,
    ) -> dict[str, Any]:
        """Press an inline button (found by ``callback_data`` or by ``text``).

        Returns the CallbackQuery object pushed to the bot.
        """
        world = self._world
        chat_id, message_id = (
            (self.id, bot_message)
            if isinstance(bot_message, int)
            else (bot_message.chat_id, bot_message.message_id)
        )
        live = world.find_message(chat_id, message_id)
        if live is None:
            raise SimulationError(
                f"message {message_id} in chat {chat_id} does not exist (deleted?)"
            )
        matches: Callable[[dict[str, Any]], bool] = (
            (lambda b: b.get("callback_data") == callback_data)
            if callback_data is not None
            else (lambda b: b.get("text") == text)
        )
        button = next((b for b in live.inline_buttons() if matches(b)), None)
        if button is None or "callback_data" not in button:
            shown = [(b.get("text"), b.get("callback_data")) for b in live.inline_buttons()]
            wanted = callback_data if callback_data is not None else text
            raise SimulationError(
                f"message {message_id} in chat {chat_id} has no callback button {wanted!r}; "
                f"buttons (text, callback_data): {shown}"
            )
        query_id = str(7 * 10**17 + world.unique_id())
        world.callback_queries[query_id] = False
        query = {
            "id": query_id,
            "from": self.to_api(),
            "message": world.message_to_api(live),
            "chat_instance": str(abs(hash((chat_id, world.bot.id)))),
            "data": button["callback_data"],
        }
        world.push_update("callback_query", query)
        await asyncio.sleep(0)
        return query

    # --- groups ----------------------------------------------------------------------

    async def send_in_topic(self, chat_id: int, thread_id: int | None, text: str) -> StoredMessage:
        """Post in a forum topic (``None`` or 1 = General), e.g. an agent replying."""
        world = self._world
        chat = world.chats.get(chat_id)
        if chat is None or not chat.is_forum:
            raise SimulationError(f"chat {chat_id} is not a forum known to the emulator")
        status = world.member_status(chat, self.id)
        if status not in PRESENT_STATUSES:
            raise SimulationError(f"user {self.id} is not a member of chat {chat_id}")
        stored_thread = None if thread_id in (None, GENERAL_TOPIC_ID) else thread_id
        if stored_thread is not None:
            topic = chat.topics.get(stored_thread)
            if topic is None or topic.deleted:
                raise SimulationError(f"topic {thread_id} does not exist in chat {chat_id}")
            if topic.closed and status not in {"administrator", "creator"}:
                raise SimulationError(f"topic {thread_id} is closed")
        plain, entities = _prepare_text(text)
        return await self._deliver(chat, text=plain, entities=entities, thread_id=stored_thread)

    # --- blocking and reading --------------------------------------------------------

    def block_bot(self) -> None:
        self.emulator.block_bot(self.id)

    def unblock_bot(self) -> None:
        self.emulator.unblock_bot(self.id)

    def messages(self) -> list[StoredMessage]:
        return self.emulator.messages(self.id)

    async def next_message(
        self,
        timeout: float = 5.0,  # noqa: ASYNC109 - deadline for the emulator wait, not I/O
        *,
        predicate: Callable[[StoredMessage], bool] | None = None,
    ) -> StoredMessage:
        """The next bot message in this user's chat not consumed by an earlier wait."""
        return await self.emulator.wait_message(self.id, timeout=timeout, predicate=predicate)
