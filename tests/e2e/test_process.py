"""`python -m bot` as an operator runs it: real process, signals, exit codes."""

from __future__ import annotations

import asyncio
import copy
import json
import os
import signal
import sys
from pathlib import Path

from bot.emulator import BotApiEmulator
from tests.market import MARKET


def _env(**extra: str) -> dict[str, str]:
    kept = {"PATH", "HOME", "LANG", "SYSTEMROOT", "PYTHONPATH"}
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
