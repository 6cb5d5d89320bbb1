"""The bot with REDIS_URL, end to end: a login's steps kept in Redis, its answers paced
through the shared budget, and the state still there for the next worker (a restart)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.settings import Settings
from emulator import BotApiEmulator
from tests.conftest import RedisScope
from tests.e2e.conftest import ADMIN, FORUM, RunningBot
from tests.e2e.peers import SmsEndpoint

pytestmark = pytest.mark.own_backend

pytest.importorskip("redis.asyncio")


@pytest.fixture
async def emu(redis_scope: RedisScope) -> AsyncIterator[BotApiEmulator]:
    # The bot's id names its keys in Redis: this test's own.
    async with BotApiEmulator(token=redis_scope.token) as emulator:
        emulator.add_user(ADMIN, "Olga Admin", language_code="en")
        emulator.add_forum(FORUM, "Support desk", members={ADMIN: "administrator"})
        yield emulator


@pytest.fixture
def settings(settings: Settings, redis_scope: RedisScope) -> Settings:
    return settings.model_copy(update={"redis_url": redis_scope.url})


async def test_a_login_keeps_its_steps_in_redis_across_a_restart(
    emu: BotApiEmulator, running: RunningBot, sms: SmsEndpoint, redis_scope: RedisScope
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    await anna.send("/login")
    assert "номер телефона" in (await anna.next_message()).text
    await anna.send("8 (912) 345-67-89")
    assert "+7 912 ***-**-89" in (await anna.next_message()).text
    code = (await sms.next())["code"]
    assert running.app is not None and running.app.redis is not None
    state = await running.app.redis.get(f"fsm:{redis_scope.bot_id}:1001:1001:default:state")
    assert state is not None and b"code" in state.lower()
    # Every post counted in the bot's shared budget (the windows themselves expire fast here).
    assert int(await running.app.redis.get(f"{{pacing:{redis_scope.bot_id}}}:seq")) >= 2
    await running.restart()  # another worker, as far as the chat can tell
    await anna.send(code)
    assert (await anna.next_message()).text.startswith("Готово, Анна, вы вошли")
