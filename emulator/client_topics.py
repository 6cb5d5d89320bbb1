"""Simulated people acting inside forum topics (e.g. support agents).

Messages posted in a topic carry ``message_thread_id`` and ``is_topic_message``
like in Telegram; the General topic (``None`` or 1) carries neither.
"""

from __future__ import annotations

from .client_base import (
    FAKE_JPEG,
    FAKE_OGG,
    FAKE_PDF,
    SimUserBase,
    document_upload,
    prepare_text,
)
from .errors import SimulationError
from .models import GENERAL_TOPIC_ID, PRESENT_STATUSES, ChatRecord, StoredMessage

_ADMIN_STATUSES = frozenset({"administrator", "creator"})
_ALBUM_MIN, _ALBUM_MAX = 2, 10


class TopicActionsMixin(SimUserBase):
    def _topic_target(self, chat_id: int, thread_id: int | None) -> tuple[ChatRecord, int | None]:
        """Check the user may post there; return the chat and the thread id to store."""
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
            if topic.closed and status not in _ADMIN_STATUSES:
                raise SimulationError(f"topic {thread_id} is closed")
        return chat, stored_thread

    def _check_reply(
        self, reply_to: StoredMessage | None, chat: ChatRecord, thread_id: int | None
    ) -> None:
        if reply_to is None:
            return
        live = self._world.find_message(reply_to.chat_id, reply_to.message_id)
        if live is None or live.chat_id != chat.id:
            raise SimulationError(
                f"message {reply_to.message_id} to reply to does not exist in chat {chat.id}"
            )
        if live.thread_id != thread_id:
            raise SimulationError(
                f"message {reply_to.message_id} is in thread {live.thread_id}, not {thread_id}"
            )

    async def send_in_topic(
        self,
        chat_id: int,
        thread_id: int | None,
        text: str | None = None,
        *,
        photo: bool = False,
        document: str | None = None,
        voice: bool = False,
        caption: str | None = None,
        reply_to: StoredMessage | None = None,
    ) -> StoredMessage:
        """Post in a forum topic (``None`` or 1 = General), e.g. an agent replying.

        ``text`` is sent as a text message (``/cmd`` and ``/cmd@bot_username`` get a
        bot_command entity). Instead, ``photo=True``, ``document="name.pdf"`` or
        ``voice=True`` posts that attachment with ``caption``; its file_id can be
        resent by the bot. ``reply_to`` makes it a reply to a message of that thread.
        """
        chat, stored_thread = self._topic_target(chat_id, thread_id)
        self._check_reply(reply_to, chat, stored_thread)
        media = [
            name for name, on in (("photo", photo), ("document", document), ("voice", voice)) if on
        ]
        if len(media) > 1:
            raise SimulationError(f"one attachment per message, got {media}")
        if media:
            if text is not None:
                raise SimulationError("pass the text of a media message as caption=")
            where = {"chat": chat, "thread_id": stored_thread, "reply_to": reply_to}
            if photo:
                return await self._send_media("photo", FAKE_JPEG, caption=caption, **where)
            if voice:
                return await self._send_media(
                    "voice", FAKE_OGG, caption=caption, duration=2, **where
                )
            data, mime_type = document_upload(str(document))
            return await self._send_media(
                "document", data, caption=caption, file_name=document, mime_type=mime_type, **where
            )
        if caption is not None:
            raise SimulationError("caption= needs photo=, document= or voice=")
        plain, entities = prepare_text(text or "")
        if not plain:
            raise SimulationError("Telegram clients do not send empty messages")
        return await self._deliver(
            chat,
            text=plain,
            entities=entities,
            thread_id=stored_thread,
            reply_to_message_id=reply_to.message_id if reply_to else None,
        )

    async def send_media_group_in_topic(
        self,
        chat_id: int,
        thread_id: int | None,
        n: int = 2,
        caption: str | None = None,
        *,
        kind: str = "photo",
    ) -> list[StoredMessage]:
        """An album in a topic: ``n`` updates sharing a media_group_id; caption on the first."""
        if not _ALBUM_MIN <= n <= _ALBUM_MAX:
            raise SimulationError(f"an album has {_ALBUM_MIN}-{_ALBUM_MAX} items, not {n}")
        chat, stored_thread = self._topic_target(chat_id, thread_id)
        group_id = str(10**15 + self._world.unique_id())
        data, file_name, mime_type = (
            (FAKE_JPEG, None, None)
            if kind == "photo"
            else (FAKE_PDF, "document.pdf", "application/pdf")
        )
        return [
            await self._send_media(
                kind,
                data,
                caption=caption if index == 0 else None,
                chat=chat,
                thread_id=stored_thread,
                file_name=file_name,
                mime_type=mime_type,
                media_group_id=group_id,
            )
            for index in range(n)
        ]

    async def edit_in_topic(self, message: StoredMessage, new_text: str) -> StoredMessage:
        """Edit the user's own message in a forum (text, or caption of a media message)."""
        chat = self._world.chats.get(message.chat_id)
        if chat is None or not chat.is_forum:
            raise SimulationError(f"message {message.message_id} is not in a forum")
        return await self._edit(message, new_text)
