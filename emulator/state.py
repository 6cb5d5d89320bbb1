"""The emulated Telegram world: users, chats, topics, messages, files, updates.

``World`` holds the data and enforces the delivery rules every sending method
shares (chat lookup, blocked users, bot membership, forum threads). It knows
nothing about HTTP; method handlers in ``api_*`` modules drive it.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

from .errors import bad_request, forbidden
from .events import EventHub
from .files import new_file
from .models import (
    DEFAULT_ALLOWED_UPDATES,
    GENERAL_TOPIC_ID,
    PRESENT_STATUSES,
    ChatRecord,
    StoredFile,
    StoredMessage,
    UserRecord,
)


def now() -> int:
    return int(time.time())


class World:
    def __init__(
        self, *, bot_id: int, bot_username: str, bot_name: str, strict_html: bool, hub: EventHub
    ) -> None:
        self.hub = hub
        self.strict_html = strict_html
        self.bot = UserRecord(
            bot_id, bot_name, username=bot_username, language_code=None, is_bot=True
        )
        self.users: dict[int, UserRecord] = {}
        self.chats: dict[int, ChatRecord] = {}
        self.messages: dict[tuple[int, int], StoredMessage] = {}
        self.bot_messages: dict[int, list[StoredMessage]] = {}
        self.edit_log: list[StoredMessage] = []
        self.files: dict[str, StoredFile] = {}
        self.updates: list[dict[str, Any]] = []
        self.allowed_updates: frozenset[str] = DEFAULT_ALLOWED_UPDATES
        self.poll_generation = 0
        self.closing = False
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self.callback_answers: list[dict[str, Any]] = []
        self.callback_queries: dict[str, bool] = {}
        self.webhook_url = ""
        self.webhook_secret = ""
        self.webhook_max_connections = 40
        self.webhook_error = ""
        self._update_ids = itertools.count(1)
        self._file_numbers = itertools.count(1)
        self._ids = itertools.count(1)

    def unique_id(self) -> int:
        return next(self._ids)

    # --- users and chats -------------------------------------------------------------

    def add_user(self, user: UserRecord) -> UserRecord:
        self.users[user.id] = user
        self.chats[user.id] = ChatRecord(
            user.id,
            "private",
            username=user.username,
            first_name=user.first_name,
            last_name=user.last_name,
        )
        return user

    def user(self, user_id: int) -> UserRecord:
        if user_id == self.bot.id:
            return self.bot
        try:
            return self.users[user_id]
        except KeyError:
            raise LookupError(f"user {user_id} is not registered in the emulator") from None

    def user_api(self, user_id: int) -> dict[str, Any] | None:
        record = self.users.get(user_id) or (self.bot if user_id == self.bot.id else None)
        return record.to_api() if record else None

    def resolve_chat(self, chat_id: int | str) -> ChatRecord:
        if isinstance(chat_id, str):
            name = chat_id.removeprefix("@").lower()
            # Like Telegram, @username addressing works for public groups, not for users.
            found = next(
                (
                    chat
                    for chat in self.chats.values()
                    if not chat.is_private and (chat.username or "").lower() == name
                ),
                None,
            )
        else:
            found = self.chats.get(chat_id)
        if found is None:
            raise bad_request("chat not found")
        return found

    def member_status(self, chat: ChatRecord, user_id: int) -> str:
        if chat.is_private:
            return "member" if user_id in (chat.id, self.bot.id) else "left"
        return chat.members.get(user_id, "left")

    def ensure_can_send(self, chat: ChatRecord, thread_id: int | None) -> int | None:
        """Apply Telegram's delivery checks; return the thread id to store (None = General)."""
        if chat.is_private:
            user = self.users[chat.id]
            if user.blocked:
                raise forbidden("bot was blocked by the user")
            if not user.started:
                raise forbidden("bot can't initiate conversation with a user")
            return None
        status = self.member_status(chat, self.bot.id)
        if status == "kicked":
            raise forbidden(f"bot was kicked from the {chat.type} chat")
        if status not in PRESENT_STATUSES:
            raise forbidden(f"bot is not a member of the {chat.type} chat")
        return self.check_thread(chat, thread_id)

    def check_thread(self, chat: ChatRecord, thread_id: int | None) -> int | None:
        if thread_id is None or not chat.is_forum or thread_id == GENERAL_TOPIC_ID:
            return None
        topic = chat.topics.get(thread_id)
        if topic is None or topic.deleted:
            raise bad_request("message thread not found")
        if topic.closed:
            raise bad_request("TOPIC_CLOSED")
        return thread_id

    # --- messages --------------------------------------------------------------------

    def new_message(
        self, chat: ChatRecord, *, from_bot: bool, sender_id: int, **fields: Any
    ) -> StoredMessage:
        message = StoredMessage(
            chat_id=chat.id,
            message_id=chat.allocate_message_id(),
            date=now(),
            from_bot=from_bot,
            sender_id=sender_id,
            **fields,
        )
        self.messages[chat.id, message.message_id] = message
        return message

    def publish_bot_message(self, message: StoredMessage) -> None:
        self.bot_messages.setdefault(message.chat_id, []).append(message)
        self.hub.emit(
            "bot_message",
            chat_id=message.chat_id,
            thread_id=message.thread_id,
            message=message.snapshot(),
        )

    def publish_edit(self, message: StoredMessage) -> None:
        message.edited = True
        message.edit_date = now()
        self.edit_log.append(message.clone())
        self.hub.emit(
            "bot_edit",
            chat_id=message.chat_id,
            thread_id=message.thread_id,
            message=message.snapshot(),
        )

    def delete(self, message: StoredMessage) -> None:
        message.deleted = True
        self.hub.emit(
            "message_deleted",
            chat_id=message.chat_id,
            message_id=message.message_id,
            from_bot=message.from_bot,
        )

    def find_message(self, chat_id: int, message_id: int | None) -> StoredMessage | None:
        found = self.messages.get((chat_id, message_id)) if message_id is not None else None
        return None if found is None or found.deleted else found

    def message_to_api(self, message: StoredMessage, *, nested: bool = False) -> dict[str, Any]:
        chat = self.chats[message.chat_id]
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "date": message.date,
            "chat": chat.to_api(),
            "from": self.user(message.sender_id).to_api(),
        }
        if message.thread_id is not None:
            data["message_thread_id"] = message.thread_id
            data["is_topic_message"] = True
        body_key = "text" if message.has_text_body else "caption"
        if message.text:
            data[body_key] = message.text
            if message.entities:
                data["entities" if message.has_text_body else "caption_entities"] = (
                    message.entities
                )
        data.update(message.media)
        markup = message.reply_markup
        if markup and "inline_keyboard" in markup:
            # Only inline keyboards are echoed back; Message.reply_markup has no other type.
            data["reply_markup"] = markup
        for key in ("media_group_id", "edit_date", "forward_origin", "link_preview_options"):
            if (value := getattr(message, key)) is not None:
                data[key] = value
        if not nested and message.reply_to_message_id is not None:
            replied = self.find_message(message.chat_id, message.reply_to_message_id)
            if replied is not None:
                data["reply_to_message"] = self.message_to_api(replied, nested=True)
        return data

    # --- files -----------------------------------------------------------------------

    def store_file(
        self,
        kind: str,
        data: bytes,
        file_name: str | None = None,
        mime_type: str | None = None,
        *,
        duration: int | None = None,
        emoji: str | None = None,
    ) -> StoredFile:
        stored = new_file(
            kind,
            next(self._file_numbers),
            data,
            file_name=file_name,
            mime_type=mime_type,
            duration=duration,
            emoji=emoji,
        )
        self.files[stored.file_id] = stored
        return stored

    def file(self, file_id: str) -> StoredFile:
        try:
            return self.files[file_id]
        except KeyError:
            raise bad_request("wrong file identifier/HTTP URL specified") from None

    def file_by_path(self, path: str) -> StoredFile | None:
        return next((f for f in self.files.values() if f.file_path == path), None)

    # --- updates ---------------------------------------------------------------------

    def push_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), kind: payload}
        self.updates.append(update)
        self.hub.emit("update", update=update)
        return update

    def confirm_updates(self, offset: int) -> None:
        if offset < 0:
            self.updates = self.updates[offset:]
        else:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]

    def deliverable_updates(self, limit: int) -> list[dict[str, Any]]:
        # Telegram discards updates of types the bot did not ask for.
        self.updates = [u for u in self.updates if _update_kind(u) in self.allowed_updates]
        return self.updates[:limit]


def _update_kind(update: dict[str, Any]) -> str:
    return next(key for key in update if key != "update_id")
