import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.domain.clock import FrozenClock
from bot.ports.datafile import (
    CALLBACK_SEPARATOR,
    KEY_MAX_BYTES,
    DataFileError,
    load,
    parse,
)
from bot.ports.marketplace import OrderStatus
from storage.db import Database
from storage.marketplace import EmbeddedMarketplace
from tests.market import MARKET


def _data() -> dict[str, Any]:
    data = copy.deepcopy(MARKET)
    data["accounts"][0]["tier"] = "gold"
    data["orders"][0]["seller"] = "S-7"
    data["orders"][0]["items"][0]["color"] = "white"
    return data


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "market.json"
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return path


async def test_good_file_is_imported_with_unknown_fields_kept(
    tmp_path: Path, db: Database, clock: FrozenClock
) -> None:
    store = EmbeddedMarketplace(db, clock)
    await store.upsert(*load(_write(tmp_path, _data())))
    account = await store.account_by_phone("+79123456789")
    assert account is not None
    assert account.name == "Анна"
    assert account.extra == {"tier": "gold"}
    order = await store.order("12345678-0001")
    assert order is not None
    assert order.status is OrderStatus.IN_TRANSIT
    assert order.extra == {"seller": "S-7"}
    assert order.items[0].extra == {"color": "white"}
    assert (await store.account_by_email("ANNA@example.com")) == account


async def test_reimport_updates_instead_of_duplicating(
    tmp_path: Path, db: Database, clock: FrozenClock
) -> None:
    store = EmbeddedMarketplace(db, clock)
    await store.upsert(*load(_write(tmp_path, _data())))
    changed = _data()
    changed["orders"][0]["status"] = "delivered"
    changed["accounts"][0]["name"] = "Анна П."
    await store.upsert(*load(_write(tmp_path, changed)))
    assert await store.counts() == (len(MARKET["accounts"]), len(MARKET["orders"]))
    order = await store.order("12345678-0001")
    assert order is not None
    assert order.status is OrderStatus.DELIVERED
    account = await store.account("A1")
    assert account is not None
    assert account.name == "Анна П."


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["orders"][0].update(status="lost"),
            r"orders\[0\] \(number 12345678-0001\): field 'status'",
        ),
        (
            lambda d: d["orders"][0]["items"][0].pop("qty"),
            r"orders\[0\] \(number 12345678-0001\): field 'items.0.qty'",
        ),
        (
            lambda d: d["accounts"][0].update(phone="call me"),
            r"accounts\[0\] \(id A1\): field 'phone'",
        ),
        (
            lambda d: d["orders"][0].update(account_id="A9"),
            r"orders\[0\] \(number 12345678-0001\): field 'account_id': no account 'A9'",
        ),
        (
            lambda d: d["orders"][0].update(created_at="2026-11-01T10:00:00"),
            r"field 'created_at': .*time zone",
        ),
    ],
)
def test_malformed_entry_is_named(mutate: Any, message: str) -> None:
    data = _data()
    mutate(data)
    with pytest.raises(DataFileError, match=message):
        parse(data)


def test_file_that_is_not_json_is_named(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{accounts: [", "utf-8")
    with pytest.raises(DataFileError, match="not valid JSON"):
        load(path)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="cannot read"):
        load(tmp_path / "absent.json")


def test_duplicate_account_ids_are_refused_at_start() -> None:
    data = _data()
    data["accounts"].append({**data["accounts"][1], "id": "A1"})
    with pytest.raises(
        DataFileError, match=r"accounts\[2\] \(id A1\): field 'id': the same as accounts\[0\]"
    ):
        parse(data)


def test_duplicate_order_numbers_are_refused_at_start() -> None:
    data = _data()
    data["orders"].append({**data["orders"][0], "status": "cancelled"})
    last = len(data["orders"]) - 1
    with pytest.raises(
        DataFileError,
        match=rf"orders\[{last}\] \(number 12345678-0001\): field 'number': "
        r"the same as orders\[0\]; list each order once",
    ):
        parse(data)


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("1" * (KEY_MAX_BYTES + 1), "is 41 bytes in UTF-8, more than the 40 a button can carry"),
        # Cyrillic letters are two bytes each: 21 of them do not fit either.
        ("Я" * 21, "is 42 bytes in UTF-8"),
        ("12345678:0001", f"contains '{CALLBACK_SEPARATOR}', which buttons use"),
    ],
)
def test_an_order_number_that_cannot_fit_a_button_is_refused(number: str, message: str) -> None:
    data = _data()
    data["orders"][0]["number"] = number
    with pytest.raises(
        DataFileError, match=rf"orders\[0\] \(number .*\): field 'number': {message}"
    ):
        parse(data)
    fits = _data()
    fits["orders"][0]["number"] = "1" * KEY_MAX_BYTES
    assert parse(fits)[1][0].number == "1" * KEY_MAX_BYTES


def test_an_account_id_that_cannot_fit_a_button_is_refused() -> None:
    data = _data()
    data["accounts"][1]["id"] = "A:2"
    with pytest.raises(DataFileError, match=r"accounts\[1\] \(id A:2\): field 'id': contains"):
        parse(data)


async def test_the_optional_pickup_and_delivery_fields_reach_the_order(
    tmp_path: Path, db: Database, clock: FrozenClock
) -> None:
    store = EmbeddedMarketplace(db, clock)
    await store.upsert(*load(_write(tmp_path, _data())))
    at_point = await store.order("10000005-0001")
    assert at_point is not None
    assert at_point.pickup_hours == "ежедневно 10:00–22:00"
    assert at_point.pickup_until == date(2026, 11, 7)
    received = await store.order("10000006-0001")
    assert received is not None
    assert received.delivered_on == date(2026, 10, 25)
    plain = await store.order("12345678-0001")  # a file without them stays valid
    assert plain is not None
    assert (plain.pickup_hours, plain.pickup_until, plain.delivered_on) == (None, None, None)


def test_a_malformed_optional_date_is_named() -> None:
    data = _data()
    data["orders"][0]["pickup_until"] = "next week"
    with pytest.raises(
        DataFileError, match=r"orders\[0\] \(number 12345678-0001\): field 'pickup_until'"
    ):
        parse(data)
