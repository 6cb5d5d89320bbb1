"""SPEEDUPS: all speed-ups by default, none with off, or the ones named; nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import speedups
from bot.settings import Settings, SettingsError, load_settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(Settings.model_fields):
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOT_TOKEN", "123:abc")


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        (None, set(speedups.NAMES)),
        ("on", set(speedups.NAMES)),
        ("", set(speedups.NAMES)),
        ("off", set()),
        ("OFF", set()),
        ("gc,lazy_types", {"gc", "lazy_types"}),
        (" gc , json_bodies ,", {"gc", "json_bodies"}),
    ],
)
def test_speedups_are_all_none_or_the_ones_named(
    monkeypatch: pytest.MonkeyPatch, value: str | None, kept: set[str]
) -> None:
    if value is not None:
        monkeypatch.setenv("SPEEDUPS", value)
    assert load_settings().speedups == kept


def test_an_unknown_speed_up_is_refused_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPEEDUPS", "gc,turbo")
    with pytest.raises(SettingsError) as refused:
        load_settings()
    line = str(refused.value)
    assert line.startswith("SPEEDUPS is malformed: unknown speed-up turbo: use on, off or")
    assert "\n" not in line
    assert "lazy_types" in line  # it names the ones there are


def test_the_start_up_line_says_what_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    # as the process imported aiogram: lazily here, whatever .env says later
    monkeypatch.setattr(speedups, "_lazy_types_applied", True)
    assert speedups.describe(speedups.parse("on")) == (
        "speed-ups: lazy_types, gc, inline_filters, response_types, json_bodies"
    )
    assert speedups.describe(speedups.parse("gc")) == (
        "speed-ups: lazy_types, gc (lazy_types follows SPEEDUPS in the environment, not .env)"
    )
    monkeypatch.setattr(speedups, "_lazy_types_applied", False)
    assert speedups.describe(speedups.parse("off")) == "speed-ups: none"
