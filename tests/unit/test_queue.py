"""The webhook workers' queue: a chat's updates one at a time in order, a lease that
another worker takes over once it runs out, and the SQL the same on both databases."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot, Dispatcher, Router
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.types import ErrorEvent, Message

from bot.delivery.answers import Answers
from bot.delivery.background import Background
from bot.delivery.queue import Claims, chat_key
from storage.answers import AnswerRepo
from storage.db import Database
from storage.queue import Claimed, Lease, QueueRepo

T0, T1, T2, T3 = (f"2026-01-01T00:00:0{n}.000000+00:00" for n in range(4))


@pytest.fixture
async def sqlite_store(tmp_path: Path) -> AsyncIterator[Database]:
    db = await Database.open(tmp_path / "queue.sqlite3")
    yield db
    await db.close()


@pytest.fixture
async def postgres_store(postgres_url: str) -> AsyncIterator[Database]:
    db = await Database.open(postgres_url)
    yield db
    await db.close()


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest) -> Any:
    return request.getfixturevalue(f"{request.param}_store")


def _all(free: list[Claimed]) -> list[Claimed]:
    return free


async def _record(repo: QueueRepo, update_id: int, key: str | None) -> None:
    await repo.record(update_id, f'{{"update_id": {update_id}}}', key, T0)


async def test_a_chat_waits_for_its_earlier_update_others_do_not(store: Any) -> None:
    repo = QueueRepo(store)
    for update_id, key in ((1, "7"), (2, "8"), (3, "7"), (4, None)):
        await _record(repo, update_id, key)
    await _record(repo, 1, "7")  # Telegram's second copy: dropped
    first = await repo.claim(Lease("w1", T0, T1), 10, _all)
    assert [(c.update_id, c.starts) for c in first] == [(1, 0), (2, 0), (4, 0)]
    # Held by w1 and not run out: nobody else gets them, nor update 3 behind 1.
    assert await repo.claim(Lease("w2", T0, T1), 10, _all) == []
    assert await repo.handled(1, "w1")
    assert not await repo.handled(1, "w1")  # once
    assert [c.update_id for c in await repo.claim(Lease("w2", T0, T1), 10, _all)] == [3]


async def test_a_lease_run_out_goes_to_another_worker_and_the_first_cannot_commit(
    store: Any,
) -> None:
    repo = QueueRepo(store)
    await _record(repo, 1, "7")
    await repo.claim(Lease("w1", T0, T1), 10, _all)
    assert await repo.renew(1, Lease("w1", T0, T2))
    assert await repo.claim(Lease("w2", T1, T3), 10, _all) == []  # renewed: still w1's
    taken = await repo.claim(Lease("w2", T3, T3), 10, _all)
    assert [(c.update_id, c.starts) for c in taken] == [(1, 1)]
    assert not await repo.renew(1, Lease("w1", T3, T3))
    assert not await repo.handled(1, "w1")
    assert await repo.handled(1, "w2")


async def test_answers_left_unsent_hold_the_chat_and_are_adopted_once_the_lease_ran_out(
    store: Any,
) -> None:
    repo = QueueRepo(store)
    await _record(repo, 1, "7")
    await _record(repo, 2, "7")
    await repo.claim(Lease("w1", T0, T1), 1, _all)
    await store.execute(
        "INSERT INTO answers (update_id, method, body) VALUES (1, 'sendMessage', '{}')"
    )
    assert await repo.handled(1, "w1")
    # Update 1's answers are still to go out: its chat's next update waits for them.
    assert await repo.claim(Lease("w2", T0, T1), 10, _all) == []
    assert await repo.adopt_answers(Lease("w2", T0, T1), 10) == []  # w1 is alive
    assert await repo.adopt_answers(Lease("w2", T2, T3), 10) == [1]
    await store.execute("DELETE FROM answers WHERE update_id = 1")
    assert [c.update_id for c in await repo.claim(Lease("w2", T2, T3), 10, _all)] == [2]


async def test_a_dead_workers_leases_are_let_go_at_once_and_only_its_own(store: Any) -> None:
    """The supervisor saw the worker die: what it held goes to another now, not when
    its lease runs out; a worker alive whose name only looks alike keeps its own."""
    repo = QueueRepo(store)
    for update_id, key in ((1, "7"), (2, "8"), (3, "9")):
        await _record(repo, update_id, key)
    await repo.claim(Lease("host:12:ab", T0, T3), 1, _all)
    await repo.claim(Lease("host:12:cd", T0, T3), 1, _all)  # its next run, alive
    await repo.claim(Lease("host:123:ef", T0, T3), 1, _all)
    await store.execute(
        "INSERT INTO answers (update_id, method, body) VALUES (2, 'sendMessage', '{}')"
    )
    assert await repo.handled(2, "host:12:cd")
    await repo.release_all_of("host:12:")
    assert [c.update_id for c in await repo.claim(Lease("w2", T1, T2), 10, _all)] == [1]
    assert await repo.adopt_answers(Lease("w2", T1, T2), 10) == [2]
    assert not await repo.handled(3, "w2")  # pid 123 is another process


async def test_forgotten_only_once_handled_and_old(store: Any) -> None:
    repo = QueueRepo(store)
    await repo.record(1, "{}", "7", T0)
    await repo.record(2, "{}", "8", T0)
    await repo.claim(Lease("w1", T0, T1), 10, _all)
    await repo.handled(1, "w1")
    await repo.forget(T1)
    rows = await store.fetchall("SELECT update_id FROM incoming ORDER BY update_id")
    assert [r["update_id"] for r in rows] == [2]


def _message(chat: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"message_id": 1, "date": 0, "chat": chat, "from": {"id": 5}, **extra}


def test_the_chat_key_is_the_chat_the_topic_in_a_forum_or_the_sender() -> None:
    private = {"id": 5, "type": "private"}
    forum = {"id": -100, "type": "supergroup", "is_forum": True}
    assert chat_key({"update_id": 1, "message": _message(private)}) == "5"
    tap = {"id": "q", "from": {"id": 5}, "message": _message(private)}
    assert chat_key({"update_id": 2, "callback_query": tap}) == "5"
    in_topic = _message(forum, message_thread_id=12, is_topic_message=True)
    assert chat_key({"update_id": 3, "edited_message": in_topic}) == "-100:12"
    general = _message(forum, message_thread_id=12)  # a reply thread, not a topic
    assert chat_key({"update_id": 4, "message": general}) == "-100"
    assert chat_key({"update_id": 5, "poll_answer": {"user": {"id": 9}}}) == "user:9"
    assert chat_key({"update_id": 6, "something_new": {}}) is None


BOT = Bot("42:TEST")


def _text_update(update_id: int, text: str, chat: int) -> dict[str, Any]:
    person = {"id": chat, "is_bot": False, "first_name": "Анна"}
    message = {"message_id": update_id, "date": 1_700_000_000, "text": text, "from": person}
    return {"update_id": update_id, "message": {**message, "chat": {**person, "type": "private"}}}


async def _claims_on(
    db: Database, note: Callable[[Message], Awaitable[None]]
) -> tuple[Claims, list[BaseException]]:
    """A worker's queue and dispatcher, started; and what reached the errors handler."""
    claims = Claims(QueueRepo(db), Answers(db, AnswerRepo(db)), Background(), exclusive=True)
    dp = Dispatcher(events_isolation=SimpleEventIsolation())
    claims.install(dp, BOT)
    router = Router()
    router.message()(note)
    dp.include_router(router)
    failures: list[BaseException] = []

    async def on_error(event: ErrorEvent) -> None:
        failures.append(event.exception)

    dp.errors.register(on_error)
    await claims.replay(BOT, dp)
    return claims, failures


async def _handled(db: Database) -> dict[int, int]:
    rows = await db.fetchall("SELECT update_id, handled FROM incoming")
    return {r["update_id"]: r["handled"] for r in rows}


async def test_each_update_recorded_is_handled_once_in_its_chats_order(
    sqlite_store: Database,
) -> None:
    db = sqlite_store
    await db.execute("CREATE TABLE notes (chat INTEGER, text TEXT)")

    async def note(message: Message) -> None:
        await asyncio.sleep(0.01 if message.text == "a1" else 0)  # a slow first one
        params = {"chat": message.chat.id, "text": message.text}
        await db.execute("INSERT INTO notes VALUES (:chat, :text)", params)

    claims, _ = await _claims_on(db, note)
    try:
        for update_id, text, chat in ((1, "a1", 7), (2, "b1", 8), (3, "a2", 7), (4, "a3", 7)):
            body = json.dumps(_text_update(update_id, text, chat))
            await claims.record(body, json.loads(body))
        await claims.record(body, json.loads(body))  # a copy
        for _ in range(200):
            if set((await _handled(db)).values()) == {1}:
                break
            await asyncio.sleep(0.01)
        await claims.wait_idle()
    finally:
        await claims.stop()
    rows = await db.fetchall("SELECT chat, text FROM notes WHERE chat = 7")
    assert [r["text"] for r in rows] == ["a1", "a2", "a3"]
    assert await _handled(db) == {1: 1, 2: 1, 3: 1, 4: 1}
    assert len(await db.fetchall("SELECT * FROM notes")) == 4


async def test_a_run_whose_lease_went_elsewhere_is_rolled_back_without_an_apology(
    sqlite_store: Database,
) -> None:
    db = sqlite_store
    await db.execute("CREATE TABLE notes (text TEXT)")
    done = asyncio.Event()

    async def note(message: Message) -> None:
        await db.execute("INSERT INTO notes VALUES (:text)", {"text": message.text})
        # Meanwhile its lease ran out and another worker took it over.
        await db.execute("UPDATE incoming SET lease_holder = 'another worker'")
        done.set()

    claims, failures = await _claims_on(db, note)
    try:
        body = json.dumps(_text_update(1, "hello", 7))
        await claims.record(body, json.loads(body))
        await asyncio.wait_for(done.wait(), 5)
        await claims.wait_idle()
    finally:
        await claims.stop()
    assert await db.fetchall("SELECT * FROM notes") == []
    assert await _handled(db) == {1: 0}  # the other worker's to finish
    assert failures == []
