"""`python -m bot` as an operator runs it: real process, signals, exit codes."""

from __future__ import annotations

import asyncio
import copy
import json
import os
import signal
import socket
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from emulator import BotApiEmulator
from tests.market import MARKET

# Each starts its own process on a SQLite file: the same on either backend's run.
pytestmark = pytest.mark.own_backend


def _env(**extra: str) -> dict[str, str]:
    kept = {"PATH", "HOME", "LANG", "SYSTEMROOT", "PYTHONPATH", "SPEEDUPS"}  # CI runs both ways
    env = {k: v for k, v in os.environ.items() if k in kept}
    return {**env, **extra}


def _against(emu: BotApiEmulator, tmp_path: Path) -> dict[str, str]:
    """The bot against the emulator, its database in `tmp_path`, nothing else set."""
    return _env(
        BOT_TOKEN=emu.token,
        TELEGRAM_API_URL=emu.base_url,
        DATABASE_PATH=str(tmp_path / "db.sqlite3"),
    )


async def _run(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_missing_token_exits_with_one_clear_line(tmp_path: Path) -> None:
    proc = await _run(_env(), tmp_path)
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 2
    lines = err.decode().strip().splitlines()
    assert lines == [
        "Cannot start: BOT_TOKEN is not set: put it in the environment or in .env "
        "(see .env.example)"
    ]


async def test_malformed_data_file_names_entry_and_field(tmp_path: Path) -> None:
    data = tmp_path / "market.json"
    data.write_text('{"accounts": [{"id": "A1"}]}', "utf-8")
    env = _env(
        BOT_TOKEN="1:x", DATABASE_PATH=str(tmp_path / "db.sqlite3"), MARKETPLACE_DATA=str(data)
    )
    proc = await _run(env, tmp_path)
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 2
    assert "Cannot start: MARKETPLACE_DATA accounts[0] (id A1): field 'name'" in err.decode()
    assert "Traceback" not in err.decode()


async def test_an_order_number_that_cannot_fit_a_button_stops_the_start(tmp_path: Path) -> None:
    data = copy.deepcopy(MARKET)
    data["orders"][0]["number"] = "12345678:0001"
    path = tmp_path / "market.json"
    path.write_text(json.dumps(data), "utf-8")
    env = _env(
        BOT_TOKEN="1:x", DATABASE_PATH=str(tmp_path / "db.sqlite3"), MARKETPLACE_DATA=str(path)
    )
    proc = await _run(env, tmp_path)
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 2
    assert err.decode().strip().splitlines() == [
        "Cannot start: MARKETPLACE_DATA orders[0] (number 12345678:0001): field 'number': "
        "contains ':', which buttons use to separate their data; use another character"
    ]


async def _stop(proc: asyncio.subprocess.Process) -> None:
    proc.send_signal(signal.SIGTERM)
    _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()
    assert "Traceback" not in err.decode()


async def test_sigterm_stops_gracefully_and_start_resumes(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    env = _against(emu, tmp_path)
    anna = emu.add_user(1001, "Анна", language_code="ru")

    first = await _run(env, tmp_path)
    await anna.send("/language")
    await anna.click(await anna.next_message(timeout=30), text="English")
    assert (await anna.next_message()).text.startswith("Done")
    await _stop(first)

    second = await _run(env, tmp_path)
    await anna.send("/start")
    assert (await anna.next_message(timeout=30)).text.startswith("Hello, Анна!")
    await _stop(second)


async def test_an_update_in_hand_when_the_process_is_killed_is_handled_after_the_start(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    env = _against(emu, tmp_path)
    anna = emu.add_user(1001, "Анна", language_code="en")
    first = await _run(env, tmp_path)
    await emu.wait_for(lambda: emu.calls_to("getUpdates"), 30)

    # The answer cannot leave (Telegram is failing), so /start is still in hand, and
    # Telegram has been told it arrived, when the process dies without a chance to
    # clean up.
    emu.fail_next("sendMessage", 500, times=100)
    await anna.send("/start")
    await emu.wait_for(lambda: len(emu.calls_to("sendMessage")) >= 2, 30)
    await emu.wait_for(lambda: any(c.get("offset") for c in emu.calls_to("getUpdates")), 30)
    first.kill()
    await first.wait()
    emu.clear_failures()

    second = await _run(env, tmp_path)
    assert (await anna.next_message(timeout=30)).text.startswith("Hello, Анна!")
    await anna.send("/help")
    await anna.next_message(timeout=30)
    await _stop(second)
    assert [m.text.split(",")[0] for m in anna.messages()].count("Hello") == 1


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _read_only_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    # root writes anywhere, except on sysfs, which takes no new files from anyone
    return folder if not os.access(folder, os.W_OK) else Path("/sys")


# What each odd start is given, from its tmp_path, and the setting its one line names.
ODD_STARTS: dict[str, tuple[Callable[[Path], dict[str, str]], str]] = {
    "hours past midnight": (lambda _: {"SUPPORT_HOURS": "25:00-26:00"}, "SUPPORT_HOURS"),
    "ttl past a timedelta": (lambda _: {"LOGIN_TTL_DAYS": "10000000000"}, "LOGIN_TTL_DAYS"),
    "unknown region": (lambda _: {"PHONE_REGION": "XX"}, "PHONE_REGION"),
    "endless interval": (
        lambda _: {"RECOVERY_CHECK_SECONDS": "inf"},
        "RECOVERY_CHECK_SECONDS",
    ),
    "database is a folder": (lambda tmp: {"DATABASE_PATH": str(tmp)}, "DATABASE_PATH"),
    "database read-only": (
        lambda tmp: {"DATABASE_PATH": str(_read_only_folder(tmp) / "db.sqlite3")},
        "DATABASE_PATH",
    ),
    "database under a file": (
        lambda tmp: {"DATABASE_PATH": str(tmp / "market.json" / "db.sqlite3")},
        "DATABASE_PATH",
    ),
    "api url not a url": (lambda _: {"TELEGRAM_API_URL": "localhost:8081"}, "TELEGRAM_API_URL"),
    "telegram unreachable": (lambda _: {}, "TELEGRAM_API_URL"),
    "redis url not a url": (lambda _: {"REDIS_URL": "localhost:6379"}, "REDIS_URL"),
    "redis unreachable": (
        lambda _: {"REDIS_URL": f"redis://127.0.0.1:{_closed_port()}/0"},
        "REDIS_URL",
    ),
}


@pytest.mark.parametrize("case", list(ODD_STARTS))
async def test_an_odd_setting_stops_the_start_with_one_line(tmp_path: Path, case: str) -> None:
    odd, named = ODD_STARTS[case]
    (tmp_path / "market.json").write_text("{}", "utf-8")
    start = {
        "BOT_TOKEN": "1:x",
        "DATABASE_PATH": str(tmp_path / "db.sqlite3"),
        # Nothing listens there: a start that gets past its settings fails on Telegram.
        "TELEGRAM_API_URL": f"http://127.0.0.1:{_closed_port()}",
        # Set only to keep the warning about codes in the log off stderr.
        "SMS_GATEWAY_URL": "http://127.0.0.1:9/sms",
    }
    env = _env(**{**start, **odd(tmp_path)})
    proc = await _run(env, tmp_path)
    try:
        _, err = await asyncio.wait_for(proc.communicate(), 10)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        pytest.fail(f"{case}: the process hung")
    text = err.decode()
    assert proc.returncode != 0
    assert "Traceback" not in text
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert lines[0].startswith("Cannot start: ")
    assert named in lines[0]


async def test_a_second_process_on_the_same_database_refuses_to_start(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    env = _against(emu, tmp_path)
    anna = emu.add_user(1001, "Анна", language_code="en")
    first = await _run(env, tmp_path)
    await emu.wait_for(lambda: emu.calls_to("getUpdates"), 30)

    second = await _run(env, tmp_path)
    _, err = await asyncio.wait_for(second.communicate(), 30)
    assert second.returncode != 0
    assert err.decode().strip().splitlines() == [
        f"Cannot start: DATABASE_PATH {tmp_path / 'db.sqlite3'} is in use by another bot "
        "process: one process per database, stop that one"
    ]

    # The lock goes with the process, however it ends: no stale lock after SIGKILL.
    first.kill()
    await first.wait()
    third = await _run(env, tmp_path)
    await anna.send("/start")
    assert (await anna.next_message(timeout=30)).text.startswith("Hello, Анна!")
    await _stop(third)


async def test_a_token_telegram_refuses_stops_the_start_with_one_line(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    env = {
        **_against(emu, tmp_path),
        "BOT_TOKEN": "1:not-this-bot",
        "SMS_GATEWAY_URL": "http://x/",
    }
    proc = await _run(env, tmp_path)
    _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode != 0
    assert err.decode().strip().splitlines() == [
        "Cannot start: BOT_TOKEN is refused by Telegram: copy it again from @BotFather"
    ]
