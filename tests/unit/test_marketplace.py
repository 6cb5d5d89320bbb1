"""The embedded store: what a re-import of MARKETPLACE_DATA may and may not undo."""

import copy
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from bot.app import _marketplace
from bot.domain.clock import FrozenClock
from bot.ports.datafile import parse
from bot.ports.marketplace import OrderStatus
from bot.settings import Settings
from storage.db import Database
from storage.marketplace import EmbeddedMarketplace
from tests.market import MARKET

PAID = "10000002-0001"
OLD, NEW = "+79123456789", "+79990001122"


def _data() -> dict[str, Any]:
    return copy.deepcopy(MARKET)


async def _store(db: Database, clock: FrozenClock) -> EmbeddedMarketplace:
    store = EmbeddedMarketplace(db, clock)
    await store.upsert(*parse(_data()))
    return store


async def test_a_reimport_does_not_put_a_cancelled_order_back_to_paid(
    db: Database, clock: FrozenClock
) -> None:
    store = await _store(db, clock)
    await store.set_order_status(PAID, OrderStatus.CANCELLED)
    clock.advance(hours=1)
    imported = await store.upsert(*parse(_data()))
    order = await store.order(PAID)
    assert order is not None
    assert order.status is OrderStatus.CANCELLED
    assert [(k.key, k.ours, k.files) for k in imported.statuses] == [(PAID, "cancelled", "paid")]


async def test_a_reimport_does_not_give_the_old_number_back_after_a_phone_change(
    db: Database, clock: FrozenClock
) -> None:
    store = await _store(db, clock)
    await store.change_phone("A1", NEW)
    imported = await store.upsert(*parse(_data()))
    assert await store.account_by_phone(OLD) is None
    account = await store.account_by_phone(NEW)
    assert account is not None
    assert account.id == "A1"
    assert [(k.key, k.ours, k.files) for k in imported.phones] == [("A1", NEW, OLD)]


async def test_a_reimport_still_updates_what_the_bot_did_not_change(
    db: Database, clock: FrozenClock
) -> None:
    store = await _store(db, clock)
    await store.set_order_status(PAID, OrderStatus.CANCELLED)
    await store.change_phone("A1", NEW)
    data = _data()
    data["accounts"][0]["name"] = "Анна П."
    data["orders"][2]["delivery_eta"] = "2026-11-09"
    assert data["orders"][2]["number"] == PAID
    await store.upsert(*parse(data))
    account, order = await store.account("A1"), await store.order(PAID)
    assert account is not None
    assert (account.name, account.phone) == ("Анна П.", NEW)
    assert order is not None
    assert (order.status, str(order.delivery_eta)) == (OrderStatus.CANCELLED, "2026-11-09")


async def test_once_the_file_shows_the_bots_change_the_file_leads_again(
    db: Database, clock: FrozenClock
) -> None:
    store = await _store(db, clock)
    await store.set_order_status(PAID, OrderStatus.CANCELLED)
    caught_up = _data()
    caught_up["orders"][2]["status"] = "cancelled"
    assert not (await store.upsert(*parse(caught_up))).statuses
    later = _data()
    later["orders"][2]["status"] = "returned"
    await store.upsert(*parse(later))
    order = await store.order(PAID)
    assert order is not None
    assert order.status is OrderStatus.RETURNED


async def test_the_start_logs_what_it_kept_with_phones_masked(
    tmp_path: Path, db: Database, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    store = await _store(db, clock)
    await store.set_order_status(PAID, OrderStatus.CANCELLED)
    await store.change_phone("A1", NEW)
    path = tmp_path / "market.json"
    path.write_text(json.dumps(_data()), "utf-8")
    settings = Settings(_env_file=None, bot_token="1:x", marketplace_data=path)  # type: ignore[call-arg]
    with caplog.at_level(logging.INFO, logger="bot.app"):
        await _marketplace(db, clock, settings)
    [line] = [r.getMessage() for r in caplog.records if "kept" in r.getMessage()]
    assert "kept 1 order statuses and 1 phones the bot changed itself" in line
    assert f"{PAID} cancelled (file: paid)" in line
    assert "A1 +79***22 (file: +79***89)" in line
    assert OLD not in line
    assert NEW not in line
