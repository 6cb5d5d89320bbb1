"""/stats in the forum: the team's numbers for an admin, a polite no for anyone else."""

from __future__ import annotations

from emulator import BotApiEmulator
from tests.e2e.conftest import ADMIN, AGENT, FORUM, RunningBot
from tests.e2e.flows import open_ticket


async def _ask(emu: BotApiEmulator, who: int, command: str, start: str) -> str:
    await emu.user(who).send_in_topic(FORUM, None, command)
    said = await emu.wait_message(FORUM, predicate=lambda m: m.text.startswith(start))
    return said.text


async def test_an_admin_gets_the_days_figures(emu: BotApiEmulator, running: RunningBot) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    ivan = emu.user(AGENT)
    topic = await open_ticket(emu, anna, "Где мой заказ?")
    await ivan.send_in_topic(FORUM, topic, "/take")
    running.clock.advance(minutes=4)
    await ivan.send_in_topic(FORUM, topic, "Уже смотрю")
    await anna.next_message()
    running.clock.advance(minutes=56)
    await ivan.send_in_topic(FORUM, topic, "/close")
    rate = await anna.next_message()
    await anna.click(rate, text="⭐⭐⭐⭐")
    await anna.next_message()
    john = emu.add_user(1002, "John", language_code="en")
    await open_ticket(emu, john, "refund please")

    text = await _ask(emu, ADMIN, "/stats", "📊 Цифры команды: сегодня")
    assert "Все форумы\nОткрыто 2 · закрыто 1 · открыто сейчас 1\n" in text
    assert "Первый ответ: p50 4 мин · p90 4 мин" in text
    assert "Решение: p50 1 ч 0 мин · p90 1 ч 0 мин" in text
    assert "Оценка: 4 из 5 (1 оценка)" in text
    ivans = text.split("👤 Ivan Agent\n", 1)[1]
    assert ivans.startswith("Открыто 1 · закрыто 1 · открыто сейчас 0\n")
    nobodys = text.split("👤 не назначено\n", 1)[1]
    assert nobodys.startswith("Открыто 1 · закрыто 0 · открыто сейчас 1\n")

    running.clock.advance(days=3)
    text = await _ask(emu, ADMIN, "/stats week", "📊 Цифры команды: последние 7 дней")
    assert "Открыто 2 · закрыто 1 · открыто сейчас 1" in text
    text = await _ask(emu, ADMIN, "/stats today", "📊 Цифры команды: сегодня")
    assert "Открыто 0 · закрыто 0 · открыто сейчас 1" in text
    assert "Первый ответ: p50 — · p90 —" in text
    await _ask(emu, ADMIN, "/stats year", "Напишите /stats, /stats week")


async def test_anyone_but_an_admin_is_refused(emu: BotApiEmulator, running: RunningBot) -> None:
    await _ask(emu, AGENT, "/stats month", "Цифры команды доступны только администраторам.")
    assert not any(m.text.startswith("📊") for m in emu.messages(FORUM))
