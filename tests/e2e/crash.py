"""A conversation with a real `python -m bot` process that is killed (SIGKILL) once, at a
chosen call to Telegram, restarted, and finished; then compared with the same
conversation run without the crash.

Where it dies:
* ``taken``: at the first call after the n-th answer to getUpdates that holds updates:
  they are taken and kept, their handling under way or committed, nothing sent;
* ``before``: at the n-th post or edit, which never reaches Telegram;
* ``after``: shortly after the n-th post or edit was carried out.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import Awaitable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from emulator import BotApiEmulator, SimUser
from emulator.server import ApiCall
from storage.db import Database
from tests.conftest import ON_REDIS, RedisScope, fresh_redis, random_bot_id
from tests.e2e.conftest import ADMIN, AGENT, FORUM
from tests.e2e.peers import SmsEndpoint
from tests.e2e.settle import ReadOnly, wait_settled
from tests.market import MARKET

AFTER_SECONDS = 0.3  # long enough for the bot to have read Telegram's answer
DROP_SECONDS = 5.0
SMS_QUIET_SECONDS = 0.1  # an SMS the gateway took is written down by then
WAIT_SECONDS = 60.0
_POSTS = ("send", "copy", "edit", "forward")
# The bot's clock runs on: an SMS or email waiting to be tried again is still to send.
_ANY_TIME = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class KillAt:
    where: str  # taken, before, after
    n: int

    def __str__(self) -> str:
        return f"{self.where}-{self.n}"


@dataclass
class Counts:
    posts: int = 0
    taken: int = 0


@dataclass
class Transcript:
    customer: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    forum: list[tuple[int | None, str]] = field(default_factory=list)
    codes: int = 0


def _is_post(call: ApiCall) -> bool:
    return call.method.lower().startswith(_POSTS)


class Crash:
    """Runs one conversation: the bot process, the emulator, the SMS endpoint."""

    def __init__(
        self,
        tmp_path: Path,
        kill_at: KillAt | None,
        postgres: str | None,
        *,
        redis: bool = ON_REDIS,
    ) -> None:
        self.tmp_path, self.kill_at, self.postgres = tmp_path, kill_at, postgres
        # With Redis, the bot's keys are named by its id: this run's own.
        self._bot_id = random_bot_id() if redis else None
        self.redis: RedisScope | None = None
        self._scopes = AsyncExitStack()
        self.emu = BotApiEmulator(**({"token": f"{self._bot_id}:test"} if self._bot_id else {}))
        self.sms = SmsEndpoint(token="sms-secret", on_message=self._sms_taken)
        self._sms_at = -1.0
        self._posted_at = -1.0  # when the last post Telegram carried out arrived
        self.counts = Counts()
        self.killed = False
        self.steps: list[tuple[int, int]] = []  # messages to the customer, to the forum
        self._proc: asyncio.subprocess.Process | None = None
        self._restarting: asyncio.Task[None] | None = None
        self._starts = 0
        self._dead = self._kill_next = False
        self._kill_pending = False  # decided, and waiting for a quiet moment
        self.customer: SimUser | None = None
        self._db: ReadOnly | Database | None = None
        self.command: tuple[str, ...] = ()  # after python -m bot
        self.settings: dict[str, str] = {}  # set by a test, over the defaults

    async def __aenter__(self) -> Crash:
        if self._bot_id is not None:
            self.redis = await self._scopes.enter_async_context(fresh_redis(self._bot_id))
        await self.emu.start()
        for user_id, name in ((ADMIN, "Olga Admin"), (AGENT, "Ivan Agent")):
            self.emu.add_user(user_id, name, language_code="en")
        self.emu.add_forum(
            FORUM, "Support desk", members={ADMIN: "administrator", AGENT: "member"}
        )
        await self.sms.start()
        self.emu.server.on_call = self._on_call
        # A dropped call hangs until the process is dead: alive a moment longer (waiting
        # for its SMS to be written down), it must not take the drop for Telegram's 502.
        self.emu.server.drop_after = DROP_SECONDS
        self.emu.server.on_updates = self._on_updates
        self.customer = self.emu.add_user(1001, "Анна", language_code="ru")
        await self._start()
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._proc is not None and self._proc.returncode is None:
            self._proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self._proc.wait(), 30)
            except TimeoutError:
                self._proc.kill()
        if isinstance(self._db, Database):
            await self._db.close()
        elif self._db is not None:
            self._db.close()
        await self.sms.stop()
        await self.emu.stop()
        await self._scopes.aclose()

    def _env(self) -> dict[str, str]:
        market = self.tmp_path / "market.json"
        market.write_text(json.dumps(MARKET, ensure_ascii=False), "utf-8")
        kept = {"PATH", "HOME", "LANG", "PYTHONPATH", "SPEEDUPS"}  # CI runs both ways
        return {
            **{k: v for k, v in os.environ.items() if k in kept},
            "PYTHONFAULTHANDLER": "1",
            "BOT_TOKEN": self.emu.token,
            "TELEGRAM_API_URL": self.emu.base_url,
            **(
                {"DATABASE_URL": self.postgres}
                if self.postgres
                else {"DATABASE_PATH": str(self.tmp_path / "bot.sqlite3")}
            ),
            **({"REDIS_URL": self.redis.url} if self.redis else {}),
            "DEFAULT_LOCALE": "ru",
            "SMS_GATEWAY_URL": self.sms.url,
            "SMS_GATEWAY_TOKEN": "sms-secret",
            "MARKETPLACE_DATA": str(market),
            "SUPPORT_CHAT_ID": str(FORUM),
            "ADMIN_IDS": str(ADMIN),
            "SUPPORT_HOURS": "",
            "OUTBOUND_CHAT_PER_SECOND": "1000",
            "OUTBOUND_GROUP_PER_MINUTE": "60000",
            "OUTBOUND_GLOBAL_PER_SECOND": "1000",
            **self.settings,
        }

    async def _start(self) -> None:
        self._starts += 1
        log = (self.tmp_path / f"bot-{self._starts}.log").open("wb")
        self._proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            *self.command,
            env=self._env(),
            cwd=self.tmp_path,
            stdout=log,
            stderr=log,
        )
        log.close()

    def _on_updates(self, _call: ApiCall, response: Any) -> None:
        if not json.loads(response.text).get("result"):
            return
        self.counts.taken += 1
        if self.kill_at == KillAt("taken", self.counts.taken) and not self.killed:
            self._kill_next = True

    def _on_call(self, call: ApiCall) -> bool:
        if self._dead:
            # Sent by the killed process before it died: it never reached Telegram.
            # (The one window no test can close: a call Telegram carried out in the
            # instant before the process died, before it wrote down the answer.)
            return True
        if self._kill_next:  # the first call after it took the updates
            self._kill()
            return True
        if not _is_post(call):
            return False
        if not self.killed:
            self.counts.posts += 1
            if self.kill_at == KillAt("before", self.counts.posts):
                self._kill()
                return True
            if self.kill_at == KillAt("after", self.counts.posts):
                self.killed = self._kill_pending = True
                asyncio.get_running_loop().call_later(AFTER_SECONDS, self._kill)
        self._posted_at = asyncio.get_running_loop().time()
        return False

    def _sms_taken(self, _body: object) -> None:
        self._sms_at = asyncio.get_running_loop().time()

    def _kill(self) -> None:
        """From here Telegram takes nothing more from this process. It dies once no SMS
        of its is on the way: one the gateway took in the instant before the process
        died, before it wrote that down, would go again at the next start; the SMS
        gateway, like Telegram, has no idempotency key, and no test can close that
        window, so the kill must not fall into it by the harness's own timing. Nor does
        it die while a post it sent alongside (an answer beside a relay, say) may be
        on its way back: carried out by Telegram a moment ago, not written down yet."""
        assert self._proc is not None
        self.killed, self._dead, self._kill_next = True, True, False
        self._kill_pending = True
        loop = asyncio.get_running_loop()
        if loop.time() - self._sms_at < SMS_QUIET_SECONDS:
            loop.call_later(SMS_QUIET_SECONDS / 2, self._kill)
            return
        if loop.time() - self._posted_at < AFTER_SECONDS:
            loop.call_later(AFTER_SECONDS / 2, self._kill)
            return
        self._restarting = loop.create_task(self._restart(self._die()))
        self._kill_pending = False
        self.sms.down = True  # what the dead process had on its way never reached it

    def _die(self) -> Awaitable[object]:
        """Kills the bot's process; awaited, it is dead."""
        assert self._proc is not None
        self._proc.kill()
        return self._proc.wait()

    async def _restart(self, dead: Awaitable[object]) -> None:
        await dead
        # Requests the dead process left in its sockets are read before the sockets'
        # end; handlers that had not come to them yet are cancelled then (the SMS one
        # looks at `down` at once).
        await self.emu.wait_for(lambda: not self._connections(), WAIT_SECONDS)
        self._dead = self.sms.down = False
        await self._start()

    def _connections(self) -> int:
        """Connections the emulator and the SMS endpoint still have open."""
        runners = (self.emu.server._runner, self.sms._runner)
        return sum(len(r.server.connections) for r in runners if r and r.server)

    def _sizes(self) -> tuple[int, int]:
        assert self.customer is not None
        return len(self.customer.messages()), len(self.emu.messages(FORUM))

    async def step(self, action: Awaitable[Any], expected: tuple[int, int] | None) -> None:
        """Do one thing as a person would, then wait for the bot: until it has handled it
        and sent all it decided to (in the run without a crash, what it sent is then the
        step's expectation), in a run with one also until it has sent at least as much."""
        await action
        if expected is not None:
            await self.emu.wait_for(
                lambda: all(n >= e for n, e in zip(self._sizes(), expected, strict=True)),
                WAIT_SECONDS,
            )
        await self._settled()
        self.steps.append(self._sizes())

    async def _settled(self) -> None:
        # A kill decided during the step happens, and the bot is back, before it counts.
        await self.emu.wait_for(lambda: not self._kill_pending, WAIT_SECONDS)
        if self._restarting is not None:
            await self._restarting
        await self.emu.wait_taken(WAIT_SECONDS)  # the bot has polled: its database exists
        if self._db is None:
            self._db = (
                await Database.open(self.postgres)
                if self.postgres
                else ReadOnly(self.tmp_path / "bot.sqlite3")
            )
        await wait_settled(self.emu, self._db, lambda: _ANY_TIME, WAIT_SECONDS)

    async def transcript(self) -> Transcript:
        await self._settled()
        assert self.customer is not None
        return Transcript(
            customer=[
                (m.text or m.kind, tuple(m.button_texts())) for m in self.customer.messages()
            ],
            forum=[(m.thread_id, m.text or m.kind) for m in self.emu.messages(FORUM)],
            codes=len(self.sms.received),
        )
