"""The public facade: :class:`BotApiEmulator`."""

from __future__ import annotations

from collections.abc import Callable, Collection
from types import TracebackType
from typing import Any, Self

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from .api_bot import commands_key
from .client import SimUser
from .events import Event, EventHub, Subscriber
from .faults import FaultInjector, RateLimiter
from .models import GENERAL_TOPIC_ID, MEMBER_STATUSES, ChatRecord, Topic, UserRecord
from .server import ApiCall, ApiServer
from .state import World, now
from .waiting import WaitingMixin
from .webhook import WebhookSender


class BotApiEmulator(WaitingMixin):
    """An in-process Telegram Bot API server plus the simulated people using it."""

    def __init__(
        self,
        *,
        token: str = "123456:TEST",  # noqa: S107 - a fake token for a fake server
        bot_username: str = "support_bot",
        bot_name: str = "Support Bot",
        latency: float = 0.0,
        strict_html: bool = True,
        enforce_limits: bool = False,
        group_limit_per_minute: int = 20,
        private_limit_per_second: int = 1,
        private_burst: int = 1,
    ) -> None:
        prefix = token.split(":", 1)[0]
        self.token = token
        self.hub = EventHub()
        self.world = World(
            bot_id=int(prefix) if prefix.isdigit() else 1,
            bot_username=bot_username,
            bot_name=bot_name,
            strict_html=strict_html,
            hub=self.hub,
        )
        self.faults = FaultInjector()
        self.limiter = RateLimiter(
            enabled=enforce_limits,
            group_per_minute=group_limit_per_minute,
            private_per_second=private_limit_per_second,
            private_burst=private_burst,
        )
        self.server = ApiServer(
            self.world, token=token, faults=self.faults, limiter=self.limiter, latency=latency
        )
        # Telegram's side of a webhook, once the bot sets one.
        self.webhooks = WebhookSender(self.world)
        self._users: dict[int, SimUser] = {}
        self._init_waiting()

    # --- lifecycle -------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        await self.server.start(host, port)
        self.webhooks.start()

    async def stop(self) -> None:
        await self.webhooks.stop()
        await self.server.stop()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return self.server.base_url

    @property
    def bot_id(self) -> int:
        return self.world.bot.id

    def create_bot(self, **bot_kwargs: Any) -> Bot:
        """A real aiogram Bot wired to this emulator; the caller closes its session."""
        api = TelegramAPIServer.from_base(self.base_url)
        return Bot(self.token, session=AiohttpSession(api=api), **bot_kwargs)

    # --- knobs -----------------------------------------------------------------------

    @property
    def latency(self) -> float:
        return self.server.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self.server.latency = seconds

    @property
    def calls(self) -> list[ApiCall]:
        """Every authorised request as ``(method, params)``, including failed ones."""
        return self.server.calls

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        return [call.params for call in self.calls if call.method.lower() == method.lower()]

    def fail_next(
        self,
        method: str | None,
        status: int,
        *,
        retry_after: int | None = None,
        times: int = 1,
        description: str | None = None,
        chat_id: int | None = None,
    ) -> None:
        """Fail the next ``times`` calls of ``method`` (None = any method but getUpdates),
        or only those to ``chat_id``."""
        self.faults.fail_next(
            method,
            status,
            retry_after=retry_after,
            times=times,
            description=description,
            chat_id=chat_id,
        )

    def set_failure_rate(
        self,
        rate: float,
        statuses: Collection[int] = (429, 500),
        retry_after: int = 1,
        seed: int | None = None,
        methods: Collection[str] | None = None,
    ) -> None:
        """Fail a random share of send* calls (or of ``methods``); deterministic with ``seed``."""
        self.faults.set_failure_rate(rate, statuses, retry_after, seed, methods)

    def clear_failures(self) -> None:
        self.faults.clear()

    # --- world setup -----------------------------------------------------------------

    def add_user(
        self,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "ru",
        started: bool = True,
    ) -> SimUser:
        """Register a person. ``started=False`` models someone who never opened the bot."""
        record = UserRecord(
            user_id,
            first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            started=started,
        )
        self.world.add_user(record)
        self._users[user_id] = SimUser(self, record)
        return self._users[user_id]

    def user(self, user_id: int) -> SimUser:
        return self._users[user_id]

    def add_group(
        self,
        chat_id: int,
        title: str,
        *,
        members: dict[int, str] | None = None,
        bot_status: str = "administrator",
        forum: bool = False,
        username: str | None = None,
    ) -> ChatRecord:
        chat = ChatRecord(chat_id, "supergroup", title=title, username=username, is_forum=forum)
        if forum:
            chat.topics[GENERAL_TOPIC_ID] = Topic(GENERAL_TOPIC_ID, "General")
            chat.last_message_id = GENERAL_TOPIC_ID
        self.world.chats[chat_id] = chat
        self.add_group_member(chat_id, self.bot_id, bot_status)
        for user_id, status in (members or {}).items():
            self.add_group_member(chat_id, user_id, status)
        return chat

    def add_forum(
        self,
        chat_id: int,
        title: str,
        *,
        members: dict[int, str] | None = None,
        bot_status: str = "administrator",
        username: str | None = None,
    ) -> ChatRecord:
        """A supergroup with topics enabled and its General topic; the bot is an admin."""
        return self.add_group(
            chat_id, title, members=members, bot_status=bot_status, forum=True, username=username
        )

    def add_group_member(self, chat_id: int, user_id: int, status: str = "member") -> None:
        """Set a membership; unknown users are registered (as never having opened the bot)."""
        if status not in MEMBER_STATUSES:
            raise ValueError(f"unknown member status {status!r}; use one of {MEMBER_STATUSES}")
        if user_id != self.bot_id and user_id not in self._users:
            self.add_user(user_id, f"User {user_id}", started=False)
        self.world.chats[chat_id].members[user_id] = status

    def chat(self, chat_id: int) -> ChatRecord:
        return self.world.chats[chat_id]

    def topic(self, chat_id: int, thread_id: int) -> Topic:
        return self.world.chats[chat_id].topics[thread_id]

    def block_bot(self, user_id: int) -> None:
        """The user blocks the bot: sends fail with 403 and a my_chat_member update arrives."""
        self._set_blocked(user_id, blocked=True)

    def unblock_bot(self, user_id: int) -> None:
        self._set_blocked(user_id, blocked=False)

    def _set_blocked(self, user_id: int, *, blocked: bool) -> None:
        record = self.world.user(user_id)
        if record.blocked == blocked:
            return
        record.blocked = blocked
        bot = self.world.bot.to_api()
        member = {"status": "member", "user": bot}
        kicked = {"status": "kicked", "user": bot, "until_date": 0}
        self.world.push_update(
            "my_chat_member",
            {
                "chat": self.world.chats[user_id].to_api(),
                "from": record.to_api(),
                "date": now(),
                "old_chat_member": member if blocked else kicked,
                "new_chat_member": kicked if blocked else member,
            },
        )

    # --- observing -------------------------------------------------------------------

    @property
    def events(self) -> list[Event]:
        return self.hub.events

    @property
    def callback_answers(self) -> list[dict[str, Any]]:
        return self.world.callback_answers

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call ``callback(event)`` for every event (sync or async); returns an unsubscriber."""
        return self.hub.subscribe(callback)

    def commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, Any]] | None:
        """Commands set via setMyCommands for that scope/language (None if never set)."""
        return self.world.commands.get(commands_key(scope, language_code))

    def file_bytes(self, file_id: str) -> bytes:
        return self.world.file(file_id).data
