"""Simulated people talking to the bot.

Each action builds the same Message/CallbackQuery objects Telegram would and
pushes them as an Update into the getUpdates queue. Actions Telegram's UI
would not allow raise :class:`SimulationError`. Forum-topic actions live in
:mod:`.client_topics`, shared plumbing in :mod:`.client_base`.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from .api_objects import DICE, dice_fields, location_fields, poll_fields, venue_fields
from .client_base import (
    FAKE_JPEG,
    FAKE_MP3,
    FAKE_MP4,
    FAKE_OGG,
    FAKE_PDF,
    FAKE_WEBP,
    prepare_text,
)
from .client_topics import TopicActionsMixin
from .errors import SimulationError
from .models import ChatRecord, StoredMessage

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["FAKE_JPEG", "FAKE_MP3", "FAKE_MP4", "FAKE_OGG", "FAKE_PDF", "FAKE_WEBP", "SimUser"]


class SimUser(TopicActionsMixin):
    """A person with a private chat with the bot (chat id == user id)."""

    # --- private chat actions --------------------------------------------------------

    async def send(self, text: str, *, reply_to: StoredMessage | None = None) -> StoredMessage:
        """Send a text message; commands such as ``/start`` get a bot_command entity."""
        plain, entities = prepare_text(text)
        if not plain:
            raise SimulationError("Telegram clients do not send empty messages")
        return await self._deliver(
            None,
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
        return await self._deliver(None, kind="contact", media={"contact": contact})

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

    async def send_audio(self, caption: str | None = None, *, duration: int = 5) -> StoredMessage:
        return await self._send_media(
            "audio", FAKE_MP3, caption=caption, file_name="track.mp3", duration=duration
        )

    async def send_animation(self, caption: str | None = None) -> StoredMessage:
        return await self._send_media(
            "animation", FAKE_MP4, caption=caption, file_name="animation.mp4", duration=2
        )

    async def send_video_note(self, duration: int = 4) -> StoredMessage:
        """A round video message: no caption, as in Telegram."""
        return await self._send_media("video_note", FAKE_MP4, duration=duration)

    async def send_location(self, latitude: float, longitude: float) -> StoredMessage:
        media = {"location": location_fields(latitude, longitude)}
        return await self._deliver(None, kind="location", media=media)

    async def send_venue(
        self, latitude: float, longitude: float, title: str, address: str
    ) -> StoredMessage:
        media = venue_fields(latitude, longitude, title, address)
        return await self._deliver(None, kind="venue", media=media)

    async def send_poll(
        self, question: str, options: list[str], *, quiz_answer: int | None = None
    ) -> StoredMessage:
        """A poll, or a quiz with ``quiz_answer``; the bot learns a quiz's answer only in a
        private chat, as in Telegram."""
        chat, _ = self._target()
        media = poll_fields(
            self._world,
            question,
            options,
            quiz=quiz_answer is not None,
            correct_option_id=quiz_answer,
        )
        if not chat.is_private:
            media["poll"].pop("correct_option_id", None)
        return await self._deliver(None, kind="poll", media=media)

    async def send_dice(self, emoji: str = "🎲", value: int | None = None) -> StoredMessage:
        top = DICE.get(emoji)
        if top is None or (value is not None and not 1 <= value <= top):
            raise SimulationError(f"Telegram has no dice {emoji!r} showing {value}")
        media = dice_fields(self._world, emoji, value)
        return await self._deliver(None, kind="dice", media=media)

    async def forward_story(self, poster_chat_id: int, story_id: int) -> StoredMessage:
        """A story forwarded into the chat: a kind no bot can copy."""
        poster = self._world.chats[poster_chat_id].to_api()
        media = {"story": {"chat": poster, "id": story_id}}
        return await self._deliver(None, kind="story", media=media)

    def in_topic(self, chat_id: int, thread_id: int | None) -> SimUser:
        """The same person posting in a forum topic: every ``send_*`` of the returned user
        (text, each kind of media, location, poll, dice...) goes there."""
        self._topic_target(chat_id, thread_id)
        return _InTopic(self.emulator, self.record, chat_id, thread_id)

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
        """Edit one of the user's own messages (pushes an ``edited_message`` update).

        Text messages get ``new_text`` as their text, media messages as their caption.
        """
        return await self._edit(message, new_text)

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
        return await self._tap(live, button["callback_data"])

    async def click_forged(self, bot_message: StoredMessage, callback_data: str) -> dict[str, Any]:
        """A tap with any data under one of the bot's messages, buttons or not: what a
        modified client can send. Returns the CallbackQuery object pushed to the bot."""
        live = self._world.find_message(bot_message.chat_id, bot_message.message_id)
        if live is None:
            raise SimulationError(f"message {bot_message.message_id} does not exist (deleted?)")
        return await self._tap(live, callback_data)

    async def _tap(self, live: StoredMessage, data: str) -> dict[str, Any]:
        world = self._world
        query_id = str(7 * 10**17 + world.unique_id())
        world.callback_queries[query_id] = False
        query = {
            "id": query_id,
            "from": self.to_api(),
            "message": world.message_to_api(live),
            "chat_instance": str(abs(hash((live.chat_id, world.bot.id)))),
            "data": data,
        }
        world.push_update("callback_query", query)
        await asyncio.sleep(0)
        return query

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


class _InTopic(SimUser):
    """A forum member's plain actions, aimed at one topic (see ``SimUser.in_topic``)."""

    def __init__(self, emulator: Any, record: Any, chat_id: int, thread_id: int | None) -> None:
        super().__init__(emulator, record)
        self._where = chat_id, thread_id

    def _target(self) -> tuple[ChatRecord, int | None]:
        # Checked at each post: membership and a closed topic may change meanwhile.
        return self._topic_target(*self._where)
