"""Crash sweep: each conversation is killed with SIGKILL at many points, restarted and
finished; what the customer and the agents saw, and the codes sent, must be the same
as without the crash: nothing lost, nothing twice.

CI runs a few points of each conversation; `CRASH_SWEEP=full` runs every point."""

from __future__ import annotations

import difflib
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from emulator import SimUser, StoredMessage
from tests.conftest import ON_POSTGRES, fresh_postgres
from tests.e2e.conftest import ADMIN, AGENT, FORUM
from tests.e2e.crash import Crash, KillAt, Transcript

Script = Callable[[Crash, list[tuple[int, int]] | None], Awaitable[None]]


def _expected(steps: list[tuple[int, int]] | None, index: int) -> tuple[int, int] | None:
    return None if steps is None else steps[index]


async def login(run: Crash, steps: list[tuple[int, int]] | None) -> None:
    anna = run.customer
    assert anna is not None
    await run.step(anna.send("/start"), _expected(steps, 0))
    await run.step(anna.send("/login"), _expected(steps, 1))
    await run.step(anna.send("+79123456789"), _expected(steps, 2))
    code = (await run.sms.next(timeout=30))["code"]
    await run.step(anna.send(code), _expected(steps, 3))
    await run.step(anna.send("/help"), _expected(steps, 4))


async def ticket(run: Crash, steps: list[tuple[int, int]] | None) -> None:
    anna = run.customer
    assert anna is not None
    await run.step(anna.send("/support"), _expected(steps, 0))
    await run.step(anna.send("Не могу оплатить заказ картой"), _expected(steps, 1))
    for number in range(10):
        await run.step(anna.send(f"строка {number + 1}"), _expected(steps, 2 + number))
    card = next(m for m in run.emu.messages(FORUM) if m.button_texts())
    agent = run.emu.user(AGENT)
    await run.step(agent.send_in_topic(FORUM, card.thread_id, "Проверим"), _expected(steps, 12))
    await run.step(agent.send_in_topic(FORUM, card.thread_id, "/close"), _expected(steps, 13))
    rate = next(m for m in reversed(anna.messages()) if "⭐⭐⭐⭐⭐" in m.button_texts())
    await run.step(anna.click(rate, text="⭐⭐⭐⭐⭐"), _expected(steps, 14))


def _with_button(user: SimUser, text: str) -> StoredMessage:
    return next(m for m in reversed(user.messages()) if text in m.button_texts())


async def complaint(run: Crash, steps: list[tuple[int, int]] | None) -> None:
    """Login, an order's card, "damaged" with an album and words, the agent's answer."""
    anna = run.customer
    assert anna is not None
    await run.step(anna.send("/login"), _expected(steps, 0))
    await run.step(anna.send("+79123456789"), _expected(steps, 1))
    code = (await run.sms.next(timeout=30))["code"]
    await run.step(anna.send(code), _expected(steps, 2))
    await run.step(anna.send("10000006-0001"), _expected(steps, 3))
    damaged = _with_button(anna, "Товар повреждён")
    await run.step(anna.click(damaged, text="Товар повреждён"), _expected(steps, 4))
    await run.step(anna.send_media_group(3), _expected(steps, 5))
    await run.step(anna.send("Чайник пришёл с трещиной"), _expected(steps, 6))
    card = next(m for m in run.emu.messages(FORUM) if m.button_texts())
    agent = run.emu.user(AGENT)
    answer = agent.send_in_topic(FORUM, card.thread_id, "Заменим чайник")
    await run.step(answer, _expected(steps, 7))
    await run.step(agent.send_in_topic(FORUM, card.thread_id, "/close"), _expected(steps, 8))


async def recovery(run: Crash, steps: list[tuple[int, int]] | None) -> None:
    """No access to email: the evidence, the new number's code, the review, approval."""
    anna = run.customer
    assert anna is not None
    await run.step(anna.send("/recover"), _expected(steps, 0))
    await run.step(anna.press_reply_button("Нет доступа к email"), _expected(steps, 1))
    for number, answer in enumerate(("Анна Петрова", "12345678-0001", "8 912 345-67-89")):
        await run.step(anna.send(answer), _expected(steps, 2 + number))
    await run.step(anna.send("+7 999 111-22-33"), _expected(steps, 5))
    code = (await run.sms.next(timeout=30))["code"]
    await run.step(anna.send(code), _expected(steps, 6))
    await run.step(anna.send("Потеряла SIM-карту"), _expected(steps, 7))
    card = next(m for m in run.emu.messages(FORUM) if m.button_texts())
    approve = run.emu.user(ADMIN).click(card, text="Одобрить смену номера")
    await run.step(approve, _expected(steps, 8))


SCRIPTS: dict[str, Script] = {
    "login": login,
    "ticket": ticket,
    "complaint": complaint,
    "recovery": recovery,
}
FULL = os.environ.get("CRASH_SWEEP") == "full"
# A few points of each kind in CI; every point of the conversation in full.
SHORT = {
    "login": [KillAt("taken", 3), KillAt("before", 3), KillAt("after", 2), KillAt("taken", 4)],
    "ticket": [KillAt("before", 2), KillAt("after", 4), KillAt("taken", 8), KillAt("before", 14)],
    "complaint": [KillAt("taken", 5), KillAt("before", 6), KillAt("after", 9)],
    "recovery": [KillAt("taken", 7), KillAt("before", 9), KillAt("after", 11)],
}
_baselines: dict[str, tuple[Transcript, list[tuple[int, int]], int, int]] = {}


async def _baseline(
    name: str, tmp_path: Path
) -> tuple[Transcript, list[tuple[int, int]], int, int]:
    if name not in _baselines:
        async with _database() as postgres, Crash(tmp_path / "baseline", None, postgres) as run:
            await SCRIPTS[name](run, None)
            seen = await run.transcript()
            _baselines[name] = (seen, run.steps, run.counts.posts, run.counts.taken)
    return _baselines[name]


@asynccontextmanager
async def _database() -> AsyncIterator[str | None]:
    """A fresh PostgreSQL database when the suite runs on it; else the run's own file."""
    if not ON_POSTGRES:
        yield None
        return
    async with fresh_postgres(migrated=True) as url:
        yield url


def _points(name: str) -> list[KillAt]:
    if not FULL:
        return SHORT[name]
    # Counted from a run without a crash; generous bounds, points past the end are skipped.
    return [KillAt(w, n) for w in ("taken", "before", "after") for n in range(1, 40)]


@pytest.mark.parametrize(
    ("name", "kill_at"),
    [(name, point) for name in SCRIPTS for point in _points(name)],
    ids=str,
)
async def test_a_kill_anywhere_loses_nothing_and_repeats_nothing(
    name: str, kill_at: KillAt, tmp_path: Path
) -> None:
    (tmp_path / "baseline").mkdir()
    expected, steps, posts, taken = await _baseline(name, tmp_path)
    if kill_at.n > (taken if kill_at.where == "taken" else posts):
        pytest.skip("the conversation is over by then")
    (tmp_path / "crash").mkdir()
    async with _database() as postgres, Crash(tmp_path / "crash", kill_at, postgres) as run:
        await SCRIPTS[name](run, steps)
        seen = await run.transcript()
        assert run.killed
    for part in ("customer", "forum", "codes"):
        got, want = getattr(seen, part), getattr(expected, part)
        assert got == want, _diff(part, want, got)


def _diff(part: str, want: object, got: object) -> str:
    if not isinstance(want, list) or not isinstance(got, list):
        return f"{part}: expected {want}, got {got}"
    lines = difflib.unified_diff(
        [repr(x)[:160] for x in want], [repr(x)[:160] for x in got], lineterm=""
    )
    return f"{part} differs:\n" + "\n".join(lines)
