"""Updates are written down before Telegram is told they arrived, and survive a crash."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest
from aiogram import Bot, Dispatcher, Router
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.methods import GetMe, GetUpdates, TelegramMethod
from aiogram.types import Message, Update

from bot.delivery.answers import Answers
from bot.delivery.background import Background
from bot.delivery.intake import Incoming
from storage.answers import AnswerRepo
from storage.db import Database
from storage.incoming import IncomingRepo

BOT = Bot("42:TEST")
_TABLE = """CREATE TABLE incoming
(update_id INTEGER PRIMARY KEY, body TEXT, handled INTEGER DEFAULT 0, starts INTEGER DEFAULT 0)"""


def _update(update_id: int, text: str, chat: int = 7) -> Update:
    return Update.model_validate(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": 1_700_000_000,
                "chat": {"id": chat, "type": "private", "first_name": "Анна"},
                "from": {"id": chat, "is_bot": False, "first_name": "Анна"},
                "text": text,
            },
        }
    )


class Telegram:
    """Answers getUpdates with what the test queued, and remembers the calls."""

    def __init__(self) -> None:
        self.answers: list[list[Update]] = []
        self.calls: list[TelegramMethod[Any]] = []

    async def __call__(self, bot: Bot, method: TelegramMethod[Any]) -> Any:
        self.calls.append(method)
        if isinstance(method, GetUpdates):
            return self.answers.pop(0) if self.answers else []
        return True


def _incoming(db: Database, background: Background | None = None) -> Incoming:
    return Incoming(IncomingRepo(db), Answers(db, AnswerRepo(db)), background or Background())


def _dispatcher(
    incoming: Incoming,
    seen: list[str],
    holds: dict[str, asyncio.Event] | None = None,
    entered: dict[str, asyncio.Event] | None = None,
) -> Dispatcher:
    dp = Dispatcher(events_isolation=SimpleEventIsolation())
    incoming.install(dp, BOT)
    router = Router()

    @router.message()
    async def note(message: Message) -> None:
        if entered is not None:
            entered[message.text or ""].set()
        if holds is not None:
            await holds[message.text or ""].wait()
        seen.append(message.text or "")

    dp.include_router(router)
    return dp


async def _poll(incoming: Incoming, telegram: Telegram, offset: int | None) -> list[Update]:
    return await incoming.requests(telegram, BOT, GetUpdates(offset=offset))


async def _kept(db: Database) -> dict[int, bool]:
    rows = await db.fetchall("SELECT update_id, handled FROM incoming")
    return {r["update_id"]: bool(r["handled"]) for r in rows}


async def test_an_answer_is_kept_before_aiogram_sees_it_and_forgotten_once_confirmed(
    db: Database,
) -> None:
    # Marked handled with its handler's writes, forgotten once Telegram confirmed it.
    incoming, telegram, seen = _incoming(db), Telegram(), []
    dp = _dispatcher(incoming, seen)
    telegram.answers = [[_update(1, "a"), _update(2, "b")]]

    updates = await _poll(incoming, telegram, None)
    assert await _kept(db) == {1: False, 2: False}
    await dp.feed_update(BOT, updates[0])
    assert await _kept(db) == {1: True, 2: False}
    await _poll(incoming, telegram, 2)  # Telegram is told 1 arrived
    assert await _kept(db) == {2: False}
    assert seen == ["a"]


async def test_other_calls_pass_untouched(db: Database) -> None:
    incoming, telegram = _incoming(db), Telegram()
    assert await incoming.requests(telegram, BOT, GetMe()) is True
    assert await _kept(db) == {}


async def test_an_answer_to_a_call_without_offset_confirms_nothing(db: Database) -> None:
    incoming, telegram, seen = _incoming(db), Telegram(), []
    dp = _dispatcher(incoming, seen)
    telegram.answers = [[_update(1, "a")]]
    await dp.feed_update(BOT, (await _poll(incoming, telegram, None))[0])

    assert await _kept(db) == {1: True}  # Telegram may still send 1 again
    await _poll(incoming, telegram, 2)
    assert await _kept(db) == {}


async def test_a_handlers_writes_and_the_handled_mark_commit_together(db: Database) -> None:
    incoming, telegram = _incoming(db), Telegram()
    await db.execute("CREATE TABLE notes (text TEXT)")
    dp = Dispatcher(events_isolation=SimpleEventIsolation())
    incoming.install(dp, BOT)
    router = Router()

    @router.message()
    async def note(message: Message) -> None:
        await db.execute("INSERT INTO notes VALUES (:text)", {"text": message.text})
        if message.text == "fails":
            raise RuntimeError("after the write")

    dp.include_router(router)
    telegram.answers = [[_update(1, "kept"), _update(2, "fails", chat=8)]]
    for update in await _poll(incoming, telegram, None):
        with contextlib.suppress(RuntimeError):
            await dp.feed_update(BOT, update)
    notes = [r["text"] for r in await db.fetchall("SELECT text FROM notes")]
    assert notes == ["kept"]  # the failed handler's write was rolled back
    assert await _kept(db) == {1: True, 2: True}  # and it is not handled again


async def test_a_start_handles_what_the_last_run_left_in_order_and_skips_it_when_resent(
    db: Database,
) -> None:
    first, telegram = _incoming(db), Telegram()
    telegram.answers = [[_update(1, "a"), _update(2, "b"), _update(3, "c")]]
    updates = await _poll(first, telegram, None)
    await _dispatcher(first, []).feed_update(BOT, updates[0])
    await first.flush()
    # The process dies here: 2 and 3 were taken and never handled.

    background, seen = Background(), []
    second = _incoming(db, background)
    dp = _dispatcher(second, seen)
    await second.replay(BOT, dp)
    await background.drain()
    assert seen == ["b", "c"]

    # Telegram was never told, so it sends all three again, and one more; 3 is another
    # update by now (a test server that started counting again).
    telegram.answers = [[_update(1, "a"), _update(2, "b"), _update(3, "C"), _update(4, "d")]]
    for update in await _poll(second, telegram, None):
        await dp.feed_update(BOT, update)
    assert seen == ["b", "c", "C", "d"]


async def test_a_failed_write_loses_nothing(db: Database) -> None:
    incoming, telegram, seen = _incoming(db), Telegram(), []
    dp = _dispatcher(incoming, seen)
    await db.execute("DROP TABLE incoming")  # the disk is gone, say

    telegram.answers = [[_update(1, "a")]]
    with pytest.raises(Exception, match="incoming"):
        await _poll(incoming, telegram, None)  # aiogram logs it, and asks again
    await db.execute(_TABLE)
    telegram.answers = [[_update(1, "a")]]  # Telegram was not told: the answer comes again
    await dp.feed_update(BOT, (await _poll(incoming, telegram, None))[0])

    assert await _kept(db) == {1: True}


async def test_an_update_waiting_for_its_chats_turn_is_in_hand(db: Database) -> None:
    incoming, telegram, seen = _incoming(db), Telegram(), []
    holds = {"a": asyncio.Event(), "b": asyncio.Event()}
    entered = {"a": asyncio.Event(), "b": asyncio.Event()}
    dp = _dispatcher(incoming, seen, holds, entered)
    telegram.answers = [[_update(1, "a"), _update(2, "b")]]
    updates = await _poll(incoming, telegram, None)
    tasks = [asyncio.create_task(dp.feed_update(BOT, u)) for u in updates]
    await entered["a"].wait()  # 1 in its handler, 2 (started with it) at the chat's lock
    idle = asyncio.create_task(incoming.wait_idle())
    holds["a"].set()
    await tasks[0]  # had it left nothing in hand, `idle` would be woken before this
    await entered["b"].wait()
    assert not idle.done()  # never idle while 2 waited for its turn: a stop waits for it
    holds["b"].set()
    await asyncio.gather(*tasks)
    async with asyncio.timeout(2):
        await idle
    await incoming.flush()
    assert seen == ["a", "b"]
    assert await _kept(db) == {1: True, 2: True}


async def test_an_update_no_replay_could_finish_is_let_go_and_kept(db: Database) -> None:
    first, telegram = _incoming(db), Telegram()
    telegram.answers = [[_update(1, "a"), _update(2, "b")]]
    await _poll(first, telegram, None)
    # Three replays of 1 took the process down with them (2 waited behind it each time).
    await db.execute("UPDATE incoming SET starts = 3 WHERE update_id = 1")

    background, seen = Background(), []
    second = _incoming(db, background)
    dp = _dispatcher(second, seen)
    await second.replay(BOT, dp)
    await background.drain()
    assert seen == ["b"]
    rows = await db.fetchall("SELECT update_id, handled FROM incoming ORDER BY update_id")
    assert [tuple(r) for r in rows] == [(1, 2), (2, 1)]  # 1 let go, kept to be looked at


async def test_a_replay_counts_only_once_it_has_its_turn(db: Database) -> None:
    first, telegram = _incoming(db), Telegram()
    telegram.answers = [[_update(1, "a"), _update(2, "b")]]
    await _poll(first, telegram, None)

    background, seen = Background(), []
    holds = {"a": asyncio.Event(), "b": asyncio.Event()}
    entered = {"a": asyncio.Event(), "b": asyncio.Event()}
    second = _incoming(db, background)
    await second.replay(BOT, _dispatcher(second, seen, holds, entered))
    await entered["a"].wait()  # 1 in its handler, 2 (started with it) at the chat's lock
    rows = await db.fetchall("SELECT update_id, starts FROM incoming ORDER BY update_id")
    assert [tuple(r) for r in rows] == [(1, 1), (2, 0)]  # a crash now blames only 1
    holds["a"].set()
    holds["b"].set()
    await background.drain()
    assert seen == ["a", "b"]


async def test_updates_in_hand_at_a_crash_during_a_replay_go_again_one_at_a_time(
    db: Database,
) -> None:
    first, telegram = _incoming(db), Telegram()
    telegram.answers = [[_update(1, "a", chat=7), _update(2, "b", chat=8), _update(3, "c")]]
    await _poll(first, telegram, None)
    # The last start replayed all three; 1 and 2 had their turn when it died.
    await db.execute("UPDATE incoming SET starts = 1 WHERE update_id IN (1, 2)")

    background, seen = Background(), []
    holds = {text: asyncio.Event() for text in "abc"}
    entered = {text: asyncio.Event() for text in "abc"}
    second = _incoming(db, background)
    replay = asyncio.create_task(second.replay(BOT, _dispatcher(second, seen, holds, entered)))
    await entered["a"].wait()  # 1 in its handler; the replay waits for it before 2
    rows = await db.fetchall("SELECT update_id, starts FROM incoming ORDER BY update_id")
    assert [tuple(r) for r in rows] == [(1, 2), (2, 1), (3, 0)]  # 2 waits for 1 to finish
    for text in "abc":
        holds[text].set()
    await replay
    await background.drain()
    assert sorted(seen) == ["a", "b", "c"]
