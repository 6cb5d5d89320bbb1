"""`python -m bot sandbox` over HTTP: the page, its state, the live feed, whole paths."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession

from sandbox import Sandbox, SandboxError
from sandbox.demo import raw_demo, resolve_dates
from tests.e2e.settle import wait_settled

ANNA, JOHN = 1001, 1002
FORUM_ID = -1001000000001
OLGA, IVAN = 9001, 9002
State = dict[str, Any]


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    async with Sandbox(tmp_path / "sandbox.sqlite3", port=0) as running:
        yield running


@pytest.fixture
async def http(sandbox: Sandbox) -> AsyncIterator[ClientSession]:
    async with ClientSession(base_url=sandbox.url) as session:
        yield session


async def _state(http: ClientSession) -> State:
    async with http.get("/api/state") as response:
        assert response.status == 200
        state: State = await response.json()
        return state


async def _post(http: ClientSession, path: str, body: Any, status: int = 200) -> dict[str, Any]:
    async with http.post(path, json=body) as response:
        data: dict[str, Any] = await response.json()
        assert response.status == status, data
        return data


async def _until(http: ClientSession, found: Callable[[State], Any], timeout: float = 5) -> Any:
    """What ``found`` returns from the first state where it is truthy: looked at again
    on each line of the page's live feed, opened first so that no change slips by."""
    async with http.get("/api/events") as feed, asyncio.timeout(timeout):
        while not (result := found(await _state(http))):
            await feed.content.readline()
    return result


def _bot_said(chat: int, start: str) -> Callable[[State], dict[str, Any] | None]:
    def find(state: State) -> dict[str, Any] | None:
        messages = state["messages"][str(chat)]
        return next(
            (m for m in messages if m["from"] == "bot" and m["text"].startswith(start)), None
        )

    return find


async def test_serves_the_page_and_its_files(http: ClientSession) -> None:
    async with http.get("/") as page:
        assert page.status == 200
        assert page.content_type == "text/html"
        assert "/static/app.js" in await page.text()
    for name in ("app.js", "style.css"):
        async with http.get(f"/static/{name}") as response:
            assert response.status == 200


async def test_state_lists_demo_customers_agents_and_forum(http: ClientSession) -> None:
    state = await _state(http)
    assert [(c["id"], c["name"], c["language"]) for c in state["customers"]] == [
        (ANNA, "Анна", "ru"),
        (JOHN, "John", "en"),
    ]
    assert state["customers"][0]["phone"] == "+79123456789"
    assert {a["id"]: a["role"] for a in state["agents"]} == {OLGA: "administrator", IVAN: "member"}
    assert state["forum"]["id"] == FORUM_ID
    assert state["forum"]["topics"] == [
        {"id": 1, "name": "General", "closed": False, "deleted": False}
    ]
    assert state["messages"][str(ANNA)] == []
    assert state["inbox"] == []


async def test_start_gets_the_greeting(http: ClientSession) -> None:
    await _post(http, "/api/send", {"user_id": ANNA, "text": "/start"})
    greeting = await _until(http, _bot_said(ANNA, "Здравствуйте, Анна!"))
    assert any(
        b["text"] == "Войти" for row in greeting["reply_markup"]["inline_keyboard"] for b in row
    )


async def test_login_then_a_ticket_answered_by_an_agent(http: ClientSession) -> None:
    await _post(http, "/api/send", {"user_id": ANNA, "text": "/login"})
    await _until(http, _bot_said(ANNA, "Чтобы войти"))
    keyboard = (await _state(http))["keyboards"][str(ANNA)]
    assert any(b.get("request_contact") for row in keyboard for b in row)
    await _post(http, "/api/contact", {"user_id": ANNA, "own": True})
    await _until(http, _bot_said(ANNA, "Отправили SMS с кодом на +7 912 ***-**-89"))
    sms = (await _state(http))["inbox"][0]
    assert (sms["kind"], sms["to"]) == ("sms", "+79123456789")
    assert sms["code"] and sms["code"] in sms["text"]
    await _post(http, "/api/send", {"user_id": ANNA, "text": sms["code"]})
    await _until(http, _bot_said(ANNA, "Готово, Анна Смирнова, вы вошли"))

    await _post(http, "/api/send", {"user_id": ANNA, "text": "/support"})
    await _until(http, _bot_said(ANNA, "Опишите, пожалуйста"))
    await _post(http, "/api/send", {"user_id": ANNA, "text": "Где мой чайник?"})
    await _until(http, _bot_said(ANNA, "Создал обращение №1"))
    topic = await _until(
        http, lambda s: next((t for t in s["forum"]["topics"] if t["id"] != 1), None)
    )
    assert topic["name"].startswith("🆕 #1 · Анна")

    card = await _until(
        http,
        lambda s: next(
            (
                m
                for m in s["messages"][str(FORUM_ID)]
                if m["thread_id"] == topic["id"] and m["reply_markup"]
            ),
            None,
        ),
    )
    take = card["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    click = {"user_id": OLGA, "chat_id": FORUM_ID, "message_id": card["id"]}
    await _post(http, "/api/click", {**click, "callback_data": take})
    await _until(http, lambda s: s["forum"]["topics"][1]["name"].startswith("👤 #1"), timeout=5)
    reply = {"agent_id": IVAN, "thread_id": topic["id"], "text": "Здравствуйте! Уже смотрю."}
    await _post(http, "/api/agent", reply)
    answer = await _until(http, _bot_said(ANNA, "💬"))
    assert answer["text"].endswith("Здравствуйте! Уже смотрю.")


async def test_login_by_email_shows_the_mail_and_its_code(http: ClientSession) -> None:
    await _post(http, "/api/send", {"user_id": JOHN, "text": "/login"})
    await _until(http, _bot_said(JOHN, "To log in"))
    await _post(http, "/api/send", {"user_id": JOHN, "text": "Log in by email"})
    await _until(http, _bot_said(JOHN, "Type the email"))
    await _post(http, "/api/send", {"user_id": JOHN, "text": "john@example.com"})
    mail = await _until(http, lambda s: s["inbox"][0] if s["inbox"] else None)
    assert (mail["kind"], mail["to"], mail["subject"]) == (
        "email",
        "john@example.com",
        "Your login code",
    )
    assert mail["code"] and len(mail["code"]) == 6 and mail["code"] in mail["text"]
    await _post(http, "/api/send", {"user_id": JOHN, "text": mail["code"]})
    await _until(http, _bot_said(JOHN, "Done, John Carter, you're logged in"))


async def test_someone_elses_contact_is_refused(sandbox: Sandbox, http: ClientSession) -> None:
    await _post(http, "/api/send", {"user_id": JOHN, "text": "/login"})
    await _until(http, _bot_said(JOHN, "To log in"))
    await _post(http, "/api/contact", {"user_id": JOHN, "own": False})
    await _until(http, _bot_said(JOHN, "That's someone else's contact"))
    assert sandbox.app is not None
    # A code sent all the same would be in the inbox once the bot has settled.
    await wait_settled(sandbox.emu, sandbox.app.db, lambda: datetime.now(UTC))
    assert (await _state(http))["inbox"] == []


async def test_events_stream_what_happens(sandbox: Sandbox, http: ClientSession) -> None:
    async with http.get("/api/events") as stream:
        assert stream.content_type == "text/event-stream"
        seen: list[dict[str, Any]] = []
        async with asyncio.timeout(5):
            while not any(e["type"] == "bot_message" for e in seen):
                line = (await stream.content.readline()).decode().strip()
                if line.startswith("data: "):
                    seen.append(json.loads(line.removeprefix("data: ")))
                if seen == [{"type": "hello"}]:
                    await _post(http, "/api/send", {"user_id": JOHN, "text": "/start"})
    assert any(e["type"] == "update" for e in seen)


async def test_customers_can_be_added(http: ClientSession) -> None:
    added = await _post(http, "/api/customers", {"name": "Пётр", "language": "ru"})
    assert (added["id"], added["phone"], added["email"]) == (1003, "+79031234567", None)
    await _post(http, "/api/send", {"user_id": 1003, "text": "/start"})
    await _until(http, _bot_said(1003, "Здравствуйте, Пётр!"))
    await _post(http, "/api/photo", {"user_id": 1003, "caption": "коробка"})
    photo = await _until(
        http, lambda s: next((m for m in s["messages"]["1003"] if m["kind"] == "photo"), None)
    )
    assert photo["text"] == "коробка"


async def test_stickers_documents_voice_and_albums_can_be_sent(http: ClientSession) -> None:
    for kind in ("sticker", "document", "voice"):
        sent = await _post(http, "/api/media", {"user_id": JOHN, "kind": kind})
        assert len(sent["message_ids"]) == 1
    album = await _post(http, "/api/media", {"user_id": JOHN, "kind": "album", "caption": "box"})
    assert len(album["message_ids"]) == 3
    state = await _state(http)
    own = [m for m in state["messages"][str(JOHN)] if m["from"] == JOHN]
    assert [m["kind"] for m in own] == ["sticker", "document", "voice", "photo", "photo", "photo"]
    assert (own[0]["media_note"], own[1]["media_note"], own[2]["media_note"]) == (
        "👍",
        "receipt.pdf",
        "3 s",
    )
    assert own[3]["album"] and {m["album"] for m in own[3:]} == {own[3]["album"]}
    assert own[3]["text"] == "box"
    # The bot answers media too, never silence.
    await _until(http, lambda s: any(m["from"] == "bot" for m in s["messages"][str(JOHN)]))


# One sandbox for all of them: each case is a single request.
BAD_INPUT: list[tuple[str, Any]] = [
    ("/api/send", {"user_id": 4242, "text": "hi"}),
    ("/api/send", {"user_id": ANNA, "text": "   "}),
    ("/api/send", {"user_id": ANNA, "text": "x" * 4097}),
    ("/api/send", {"user_id": "1001", "text": "hi"}),
    ("/api/send", ["not", "an", "object"]),
    ("/api/contact", {"user_id": ANNA, "own": "yes"}),
    ("/api/media", {"user_id": ANNA, "kind": "hologram"}),
    ("/api/media", {"user_id": 4242, "kind": "sticker"}),
    ("/api/customers", {"name": "", "language": "ru"}),
    ("/api/customers", {"name": "Kim", "language": "Korean"}),
    ("/api/click", {"user_id": ANNA, "chat_id": ANNA, "message_id": 1, "callback_data": "x"}),
    (
        "/api/click",
        {"user_id": ANNA, "chat_id": FORUM_ID, "message_id": 1, "callback_data": "x"},
    ),
    ("/api/agent", {"agent_id": ANNA, "thread_id": None, "text": "hi"}),
    ("/api/agent", {"agent_id": IVAN, "thread_id": "1", "text": "hi"}),
    ("/api/agent", {"agent_id": IVAN, "thread_id": 999999, "text": "hi"}),
]


async def test_bad_input_gets_400_json(http: ClientSession) -> None:
    for path, body in BAD_INPUT:
        async with http.post(path, json=body) as response:
            data = await response.json()
            assert response.status == 400, (path, body, data)
            assert isinstance(data["error"], str) and data["error"], (path, body)


async def test_not_json_and_unknown_paths_answer_json(http: ClientSession) -> None:
    async with http.post("/api/send", data="user_id=1001") as response:
        assert response.status == 400
        assert "JSON" in (await response.json())["error"]
    async with http.get("/api/nothing") as response:
        assert response.status == 404
        assert (await response.json())["error"]


async def test_port_in_use_is_one_clear_error(sandbox: Sandbox) -> None:
    port = int(sandbox.url.rstrip("/").rsplit(":", 1)[1])
    with pytest.raises(SandboxError, match=f"cannot listen on 127.0.0.1:{port}: the port is in"):
        await Sandbox(port=port).start()


async def test_a_second_sandbox_on_the_same_database_is_one_clear_error(
    sandbox: Sandbox,
) -> None:
    with pytest.raises(SandboxError, match=r"the database .* is in use by another bot process"):
        await Sandbox(sandbox.db_path, port=0).start()


async def test_environment_never_reaches_the_sandbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOT_TOKEN", "42:real-token")
    monkeypatch.setenv("SMTP_USER", "someone")
    monkeypatch.setenv("SUPPORT_HOURS", "09:00-10:00")
    async with Sandbox(tmp_path / "db.sqlite3", port=0) as running:
        assert running.app is not None
        settings = running.app.settings
        assert settings.bot_token.get_secret_value().startswith("5000000001:")
        assert (settings.smtp_user, settings.support_hours) == (None, "")


async def test_a_restart_on_the_same_db_resumes(tmp_path: Path) -> None:
    db = tmp_path / "kept.sqlite3"
    async with Sandbox(db, port=0) as first, ClientSession(base_url=first.url) as http:
        await _post(http, "/api/send", {"user_id": JOHN, "text": "/language"})
        language = await _until(http, _bot_said(JOHN, ""))
        choice = language["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        click = {"user_id": JOHN, "chat_id": JOHN, "message_id": language["id"]}
        await _post(http, "/api/click", {**click, "callback_data": choice})
        await _until(http, _bot_said(JOHN, "Готово"))
    async with Sandbox(db, port=0) as second, ClientSession(base_url=second.url) as http:
        await _post(http, "/api/send", {"user_id": JOHN, "text": "/start"})
        await _until(http, _bot_said(JOHN, "Здравствуйте, John!"))


async def test_a_customer_added_after_a_restart_never_gets_an_earlier_ones_id(
    tmp_path: Path,
) -> None:
    db = tmp_path / "kept.sqlite3"
    async with Sandbox(db, port=0) as first, ClientSession(base_url=first.url) as http:
        peter = await _post(http, "/api/customers", {"name": "Пётр", "language": "ru"})
        await _post(http, "/api/send", {"user_id": peter["id"], "text": "/start"})
        await _until(http, _bot_said(peter["id"], "Здравствуйте, Пётр!"))
    async with Sandbox(db, port=0) as second, ClientSession(base_url=second.url) as http:
        # Пётр is back under his own id, and the newcomer gets another.
        customers = {c["id"]: c["name"] for c in (await _state(http))["customers"]}
        assert customers[peter["id"]] == "Пётр"
        vera = await _post(http, "/api/customers", {"name": "Вера", "language": "en"})
        assert vera["id"] not in customers


def test_demo_dates_are_relative_to_now() -> None:
    now = datetime(2030, 5, 10, 12, tzinfo=UTC)
    orders = resolve_dates(raw_demo(), now)["orders"]
    assert {o["status"] for o in orders} >= {
        "created",
        "paid",
        "assembling",
        "in_transit",
        "ready_for_pickup",
        "delivered",
        "cancelled",
        "returned",
    }
    etas = [o["delivery_eta"] for o in orders if o["status"] == "in_transit"]
    assert any(eta > "2030-05-10" for eta in etas) and any(eta < "2030-05-10" for eta in etas)
    assert all(o["created_at"].startswith("20") for o in orders)
