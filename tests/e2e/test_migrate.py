"""`python -m bot migrate`: the schema brought up to date, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from storage.migrations import available

pytestmark = pytest.mark.own_backend

ROOT = Path(__file__).resolve().parents[2]
_SETTINGS = ("DATABASE_PATH", "DATABASE_URL", "BOT_TOKEN")


async def _migrate(cwd: Path, **settings: str) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SETTINGS}
    env["PYTHONPATH"] = str(ROOT)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "migrate",
        cwd=cwd,
        env={**env, **settings},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await process.communicate()
    return process.returncode or 0, out.decode()


async def test_migrate_applies_what_is_missing_then_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'support.sqlite3'}"
    code, out = await _migrate(tmp_path, DATABASE_URL=url)
    assert code == 0
    assert all(name in out for name, _ in available())
    assert await _migrate(tmp_path, DATABASE_URL=url) == (0, "the schema is up to date\n")


async def test_migrate_brings_postgres_to_the_same_schema(
    tmp_path: Path, postgres_url: str
) -> None:
    code, out = await _migrate(tmp_path, DATABASE_URL=postgres_url)
    assert code == 0
    assert out.startswith("applied: 0001_initial")
    assert await _migrate(tmp_path, DATABASE_URL=postgres_url) == (
        0,
        "the schema is up to date\n",
    )


async def test_an_odd_database_url_is_refused_with_one_line(tmp_path: Path) -> None:
    code, out = await _migrate(tmp_path, DATABASE_URL="mysql://somewhere/db")
    assert code == 2
    assert out.strip() == (
        "Cannot start: DATABASE_URL is malformed: must be sqlite:///path or "
        "postgresql://user@host/database"
    )


async def test_an_unreachable_postgres_is_refused_with_one_line_without_its_password(
    tmp_path: Path,
) -> None:
    url = "postgresql://bot:s3cret@127.0.0.1:1/support"
    code, out = await _migrate(tmp_path, DATABASE_URL=url)
    assert code == 2
    assert out.startswith("Cannot start: DATABASE_URL postgresql://bot:***@127.0.0.1:1/support ")
    assert "cannot be opened" in out
    assert "s3cret" not in out
    assert out.count("\n") == 1
