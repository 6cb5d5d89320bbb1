"""`bench/run.py --scale` end to end, tiny: the SQLite polling run, then one webhook
worker on PostgreSQL and Redis; every figure of the table is there, and the run's
database and Redis keys are gone afterwards."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest

from bench import scale

pytestmark = pytest.mark.own_backend

ROOT = Path(__file__).resolve().parents[2]
SERVERS = scale.Servers(
    os.environ.get("TEST_POSTGRES_URL", scale.DEFAULT_POSTGRES),
    os.environ.get("TEST_REDIS_URL", scale.DEFAULT_REDIS),
)


async def _bench(tmp_path: Path, *extra: str) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "CI"}}
    env["PYTHONPATH"] = str(ROOT)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "bench" / "run.py"),
        *("--customers", "3", "--messages", "1", "--no-baseline", "--timeout", "15"),
        *extra,
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 90)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_scale_runs_one_worker_and_leaves_nothing_behind(tmp_path: Path) -> None:
    why = await scale.unreachable(SERVERS)
    if why is not None:
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    figures = tmp_path / "out.json"
    code, out, err = await _bench(tmp_path, "--scale", "1", "--json", str(figures))
    assert code == 0, err
    result = json.loads(figures.read_text("utf-8"))
    polling, hook = result["support_bot"], result["scale"]["webhook"]["1"]
    per_customer = result["config"]["updates_per_customer"]
    for side in (polling, hook):
        assert side["updates"] == 3 * per_customer
        assert side["failed_customers"] == 0
        assert side["extra_replies"] == 0
    assert hook["workers"] == 1
    assert hook["bot_cpu_ms_per_update"] > 0
    assert hook["postgres_cpu_ms_per_update"] > 0
    assert hook["redis_cpu_ms_per_update"] >= 0
    assert hook["write_lock"]["samples"] > 0
    assert hook["exit_code"] == 0
    assert "webhook x1" in out
    assert hook["write_lock"]["mean_open"] is not None
    assert "serialised-writes ceiling" in out

    import asyncpg  # noqa: PLC0415 - present: unreachable() said so
    import redis.asyncio as redis_asyncio  # noqa: PLC0415

    conn = await asyncpg.connect(f"{SERVERS.postgres}/postgres")
    try:
        left = await conn.fetchval(
            "SELECT count(*) FROM pg_database WHERE datname = $1", hook["database"]
        )
    finally:
        await conn.close()
    assert left == 0
    client = redis_asyncio.Redis.from_url(SERVERS.redis)
    try:
        keys = [k async for k in client.scan_iter(match=f"*{hook['bot_id']}*")]
    finally:
        await client.aclose()
    assert keys == []


async def test_scale_without_postgres_says_so_in_one_line(tmp_path: Path) -> None:
    code, out, err = await _bench(
        tmp_path,
        "--mix",
        "start",
        "--scale",
        "1",
        "--postgres",
        "postgresql://postgres@127.0.0.1:9",
    )
    assert code == 0, err
    said = [line for line in err.splitlines() if "--scale" in line]
    assert said == [
        "[bench] --scale: no PostgreSQL at postgresql://postgres@127.0.0.1:9 "
        "(ConnectionRefusedError); the webhook runs are skipped"
    ]
    assert "webhook runs skipped: no PostgreSQL" in out
    assert "SQLite polling" in out
