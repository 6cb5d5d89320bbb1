"""Reading and awaiting what the bot did.

Bot messages are consumed per chat: ``wait_message`` returns the oldest bot
message in that chat that no earlier wait returned and that matches the
filters (messages skipped by a filter stay available). Edits and callback
answers have their own consume-once journals.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from .events import EventHub, Predicate
from .models import GENERAL_TOPIC_ID, StoredMessage
from .state import World

T = TypeVar("T")
MessagePredicate = Callable[[StoredMessage], bool]
_HISTORY_SHOWN = 10


def _in_thread(message: StoredMessage, thread_id: int | None) -> bool:
    if thread_id is None:
        return True
    if thread_id == GENERAL_TOPIC_ID:
        return message.thread_id is None
    return message.thread_id == thread_id


def describe(message: StoredMessage) -> str:
    flags = "".join(
        f" [{name}]"
        for name, on in (("edited", message.edited), ("deleted", message.deleted))
        if on
    )
    buttons = message.button_texts()
    extra = f" buttons={buttons}" if buttons else ""
    thread = f" thread={message.thread_id}" if message.thread_id is not None else ""
    return f"#{message.message_id}{thread} {message.kind}: {message.text!r}{extra}{flags}"


class WaitingMixin:
    """Observation API of :class:`BotApiEmulator` (needs ``world`` and ``hub``)."""

    world: World
    hub: EventHub

    def _init_waiting(self) -> None:
        self._consumed: dict[int, set[int]] = {}
        self._edits_consumed: set[int] = set()
        self._answers_consumed: set[int] = set()

    def messages(
        self, chat_id: int, thread_id: int | None = None, *, include_deleted: bool = False
    ) -> list[StoredMessage]:
        """Bot messages in a chat, oldest first. ``thread_id`` None = all threads, 1 = General."""
        return [
            message
            for message in self.world.bot_messages.get(chat_id, [])
            if _in_thread(message, thread_id) and (include_deleted or not message.deleted)
        ]

    async def wait_for(
        self,
        predicate: Predicate[T],
        timeout: float = 5.0,  # noqa: ASYNC109 - a deadline, not I/O
    ) -> T:
        """Wait until ``predicate()`` returns something truthy and return it.

        Re-checked on every emulator event and every 50 ms, so it may also watch a
        database; an async predicate is awaited.
        """
        try:
            return await self.hub.wait_for(predicate, timeout)
        except TimeoutError:
            name = getattr(predicate, "__name__", repr(predicate))
            raise AssertionError(f"condition {name} not met within {timeout}s") from None

    async def wait_taken(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until the bot has taken every update pushed so far: a getUpdates of its
        carried an offset past each (as Telegram, the emulator then forgets them). aiogram
        asks so only after the answer before reached it, so the bot holds them by then;
        whether it has handled them is for the bot to tell."""
        pushed = {update["update_id"] for update in self.world.updates}

        def taken() -> bool:
            return not any(update["update_id"] in pushed for update in self.world.updates)

        try:
            await self.hub.wait_for(taken, timeout)
        except TimeoutError:
            left = sorted(u["update_id"] for u in self.world.updates if u["update_id"] in pushed)
            raise AssertionError(f"updates {left} not taken within {timeout}s") from None

    async def wait_message(
        self,
        chat_id: int,
        *,
        thread_id: int | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
        predicate: MessagePredicate | None = None,
    ) -> StoredMessage:
        """Return (and consume) the next bot message for ``chat_id``; see module docs."""
        consumed = self._consumed.setdefault(chat_id, set())

        def pick() -> StoredMessage | None:
            for message in self.world.bot_messages.get(chat_id, []):
                if message.message_id in consumed or not _in_thread(message, thread_id):
                    continue
                if predicate is None or predicate(message):
                    return message
            return None

        try:
            message = await self.hub.wait_for(pick, timeout)
        except TimeoutError:
            raise AssertionError(self._timeout_report(chat_id, thread_id, timeout)) from None
        consumed.add(message.message_id)
        return message

    def drain_messages(self, chat_id: int) -> list[StoredMessage]:
        """Consume every bot message of the chat sent so far and return the unconsumed ones."""
        consumed = self._consumed.setdefault(chat_id, set())
        fresh = [
            m for m in self.world.bot_messages.get(chat_id, []) if m.message_id not in consumed
        ]
        consumed.update(m.message_id for m in fresh)
        return fresh

    def _timeout_report(self, chat_id: int, thread_id: int | None, timeout: float) -> str:
        where = f"chat {chat_id}" + (f" thread {thread_id}" if thread_id is not None else "")
        consumed = self._consumed.get(chat_id, set())
        history = self.world.bot_messages.get(chat_id, [])[-_HISTORY_SHOWN:]
        lines = [
            f"  {describe(m)}{' (already consumed)' if m.message_id in consumed else ''}"
            for m in history
        ]
        recent = "\n".join(lines) or "  (the bot sent nothing to this chat)"
        return f"no new bot message in {where} within {timeout}s; recent bot messages:\n{recent}"

    async def wait_edit(
        self,
        chat_id: int,
        message_id: int | None = None,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> StoredMessage:
        """Return (and consume) the next edit of a bot message, as a snapshot after that edit."""

        def pick() -> tuple[int, StoredMessage] | None:
            for index, edited in enumerate(self.world.edit_log):
                if index in self._edits_consumed or edited.chat_id != chat_id:
                    continue
                if message_id is None or edited.message_id == message_id:
                    return index, edited
            return None

        try:
            index, edited = await self.hub.wait_for(pick, timeout)
        except TimeoutError:
            target = f"message {message_id}" if message_id is not None else "any message"
            raise AssertionError(
                f"no edit of {target} in chat {chat_id} within {timeout}s"
            ) from None
        self._edits_consumed.add(index)
        return edited

    async def wait_callback_answer(
        self,
        callback_query_id: str | None = None,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> dict[str, Any]:
        """Return (and consume) the next answerCallbackQuery call (optionally for one query)."""

        def pick() -> tuple[int, dict[str, Any]] | None:
            for index, answer in enumerate(self.world.callback_answers):
                if index in self._answers_consumed:
                    continue
                if callback_query_id is None or answer["callback_query_id"] == callback_query_id:
                    return index, answer
            return None

        try:
            index, answer = await self.hub.wait_for(pick, timeout)
        except TimeoutError:
            raise AssertionError(f"callback query not answered within {timeout}s") from None
        self._answers_consumed.add(index)
        return answer
