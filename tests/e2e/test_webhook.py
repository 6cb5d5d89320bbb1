"""`python -m bot webhook` as an operator runs it: a real parent process and its worker,
the emulator posting updates to it as Telegram does (through a stand-in for the TLS
proxy), and a worker killed with SIGKILL that its parent starts again."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from collections.abc import Awaitable
from pathlib import Path

import aiohttp
import pytest

from emulator.webhook import Delivery
from tests.conftest import ON_REDIS
from tests.e2e.crash import WAIT_SECONDS, Crash, KillAt
from tests.e2e.test_crash import _baseline, _database, _diff, login

SECRET = "s3cret-Token_1"
URL = "https://bot.example.com/telegram/hook"
DRAIN_SECONDS = 1.0  # a killed worker's sockets are read to their end by then


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(child) for child in text.split()]


def _gone(pid: int) -> bool:
    """Dead: no process, or a zombie its (stopped) parent has not reaped yet."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


class WebhookCrash(Crash):
    """The crash harness with the bot run by webhook: what is killed is the worker, and
    its parent starts another. The parent is held (SIGSTOP) until the dead worker's
    calls have drained, so that none of the new worker's is taken for them."""

    def __init__(
        self,
        tmp_path: Path,
        kill_at: KillAt | None,
        postgres: str | None,
        workers: int = 1,
        *,
        redis: bool = ON_REDIS,
    ) -> None:
        super().__init__(tmp_path, kill_at, postgres, redis=redis)
        self.command = ("webhook", "--workers", str(workers))
        self.port = _free_port()
        self._held: list[int] = []

    def _env(self) -> dict[str, str]:
        return {**super()._env(), **_webhook_env(self.port)}

    async def __aenter__(self) -> WebhookCrash:
        self.emu.webhooks.proxy = f"http://127.0.0.1:{self.port}"
        self.emu.webhooks.on_delivered = self._delivered
        await super().__aenter__()
        return self

    def _delivered(self, delivery: Delivery) -> None:
        """``taken``: killed as the n-th update is answered 200, committed to the queue
        and its handling just begun."""
        if delivery.status != 200 or self.killed:
            return
        self.counts.taken += 1
        if self.kill_at == KillAt("taken", self.counts.taken):
            self._kill()

    def _die(self) -> Awaitable[object]:
        """Kills one worker. The others are held too (SIGSTOP) while its calls drain, so
        that every call the harness drops meanwhile is the dead one's."""
        assert self._proc is not None
        parent = self._proc.pid
        os.kill(parent, signal.SIGSTOP)
        worker, *self._held = _children(parent)
        for other in self._held:
            os.kill(other, signal.SIGSTOP)
        os.kill(worker, signal.SIGKILL)
        return self.emu.wait_for(lambda: _gone(worker), WAIT_SECONDS)

    async def _restart(self, dead: Awaitable[object]) -> None:
        await dead
        if self._held:  # their idle connections stay open: the dead one's go in a moment
            await asyncio.sleep(DRAIN_SECONDS)
        else:
            await self.emu.wait_for(lambda: not self._connections(), WAIT_SECONDS)
        self._dead = self.sms.down = False
        assert self._proc is not None
        for pid in (*self._held, self._proc.pid):
            os.kill(pid, signal.SIGCONT)


def _webhook_env(port: int) -> dict[str, str]:
    return {
        "WEBHOOK_URL": URL,
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_HOST": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
    }


async def test_a_login_over_the_webhook_with_one_worker(tmp_path: Path) -> None:
    (tmp_path / "run").mkdir()
    async with _database() as postgres, WebhookCrash(tmp_path / "run", None, postgres) as run:
        await login(run, None)
        seen = await run.transcript()
        hooks = run.emu.calls_to("setWebhook")
        assert len(hooks) == 1
        assert hooks[0]["url"] == URL
        assert hooks[0]["secret_token"] == SECRET
        assert "message" in hooks[0]["allowed_updates"]
        assert "callback_query" in hooks[0]["allowed_updates"]
        assert not hooks[0].get("drop_pending_updates")
        assert not run.emu.calls_to("getUpdates")
        # Each of the five updates answered 200 once (the first may have found the
        # worker still starting, and come again).
        assert [status for _, status in run.emu.webhooks.deliveries].count(200) == 5
        emu = run.emu
    assert run._proc is not None
    assert run._proc.returncode == 0  # SIGTERM: the worker finished, then the parent
    # Stopped, the webhook stays: Telegram keeps what comes meanwhile.
    assert not emu.calls_to("deleteWebhook")
    assert emu.world.webhook_url == URL
    texts = [text for text, _ in seen.customer]
    assert seen.codes == 1
    assert len(texts) == len(set(texts))  # nothing twice


async def _post(port: int, body: object, secret: str | None) -> int:
    headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"http://127.0.0.1:{port}/telegram/hook", data=data, headers=headers) as r,
    ):
        return r.status


async def test_a_wrong_secret_is_refused_a_copy_is_handled_once(tmp_path: Path) -> None:
    (tmp_path / "run").mkdir()
    async with _database() as postgres, WebhookCrash(tmp_path / "run", None, postgres) as run:
        anna = run.customer
        assert anna is not None
        await run.step(anna.send("/help"), None)
        update = next(e["update"] for e in run.emu.events if e["type"] == "update")
        answers = len(anna.messages())
        forged = {**update, "update_id": 999}
        assert await _post(run.port, forged, None) == 403
        assert await _post(run.port, forged, "not-the-secret") == 403
        assert await _post(run.port, forged, SECRET[:-1]) == 403
        assert await _post(run.port, b"{not json", SECRET) == 400
        assert await _post(run.port, {"update_id": "7"}, SECRET) == 400
        assert await _post(run.port, [1, 2], SECRET) == 400
        # Telegram sends it again (its 200 lost on the way): kept once, handled once.
        assert await _post(run.port, update, SECRET) == 200
        await run.step(anna.send("/help"), None)
        assert len(anna.messages()) == 2 * answers
        assert run._db is not None
        ids = [row[0] for row in await run._db.fetchall("SELECT update_id FROM incoming")]
        assert 999 not in ids
        assert sorted(ids) == [1, 2]


@pytest.mark.parametrize(
    "kill_at", [KillAt("taken", 3), KillAt("before", 3), KillAt("after", 2)], ids=str
)
async def test_a_killed_worker_loses_nothing_and_repeats_nothing(
    kill_at: KillAt, tmp_path: Path
) -> None:
    (tmp_path / "baseline").mkdir()
    expected, steps, _, _ = await _baseline("login", tmp_path)
    (tmp_path / "crash").mkdir()
    async with (
        _database() as postgres,
        WebhookCrash(tmp_path / "crash", kill_at, postgres) as run,
    ):
        await login(run, steps)
        seen = await run.transcript()
        assert run.killed
    for part in ("customer", "forum", "codes"):
        got, want = getattr(seen, part), getattr(expected, part)
        assert got == want, _diff(part, want, got)


@pytest.mark.own_backend
@pytest.mark.parametrize(
    ("workers", "kill_at"),
    [(2, None), (3, None), (2, KillAt("taken", 3)), (3, KillAt("before", 3))],
    ids=str,
)
async def test_several_workers_keep_a_chats_order_and_a_killed_one_loses_nothing(
    workers: int, kill_at: KillAt | None, tmp_path: Path, postgres_url: str
) -> None:
    """Updates of one chat reach the workers side by side (the emulator posts several
    at once, as Telegram does); they are handled in order and once, and a worker killed
    mid-conversation leaves its update to another."""
    (tmp_path / "baseline").mkdir()
    expected, steps, _, _ = await _baseline("login", tmp_path)
    (tmp_path / "run").mkdir()
    async with WebhookCrash(tmp_path / "run", kill_at, postgres_url, workers) as run:
        await login(run, steps)
        seen = await run.transcript()
        assert run.killed == (kill_at is not None)
        assert run._proc is not None
        parent = run._proc.pid  # a killed worker is started again
        await run.emu.wait_for(lambda: len(_children(parent)) == workers, WAIT_SECONDS)
    for part in ("customer", "forum", "codes"):
        got, want = getattr(seen, part), getattr(expected, part)
        assert got == want, _diff(part, want, got)


async def test_sqlite_refuses_several_workers_with_one_line(tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "PYTHONPATH"}},
        "BOT_TOKEN": "1:x",
        "DATABASE_PATH": str(tmp_path / "db.sqlite3"),
        **_webhook_env(_free_port()),
    }
    refusal = await _refused(tmp_path, env, "--workers", "2")
    assert refusal.startswith("Cannot start: --workers 2 needs DATABASE_URL on PostgreSQL")


@pytest.mark.parametrize(
    ("unset", "bad", "named"),
    [
        ("WEBHOOK_SECRET", {}, "WEBHOOK_SECRET is not set"),
        ("WEBHOOK_URL", {}, "WEBHOOK_URL is not set"),
        (None, {"WEBHOOK_SECRET": "has spaces"}, "WEBHOOK_SECRET is malformed"),
        (None, {"WEBHOOK_URL": "http://bot.example.com"}, "WEBHOOK_URL is malformed"),
    ],
)
async def test_a_webhook_setting_missing_or_malformed_stops_the_start(
    tmp_path: Path, unset: str | None, bad: dict[str, str], named: str
) -> None:
    env = {
        "PATH": os.environ["PATH"],
        **({"PYTHONPATH": os.environ["PYTHONPATH"]} if "PYTHONPATH" in os.environ else {}),
        "BOT_TOKEN": "1:x",
        "DATABASE_PATH": str(tmp_path / "db.sqlite3"),
        **_webhook_env(_free_port()),
        **bad,
    }
    env.pop(unset or "", None)
    assert (await _refused(tmp_path, env)).startswith(f"Cannot start: {named}")


async def _refused(cwd: Path, env: dict[str, str], *args: str) -> str:
    """`python -m bot webhook` that must not start: its one line."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "bot", "webhook", *args),
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 2
    lines = err.decode().strip().splitlines()
    assert len(lines) == 1
    return lines[0]
