"""Marketplace data the tests share, in the MARKETPLACE_DATA format."""

from typing import Any

MARKET: dict[str, Any] = {
    "accounts": [
        {
            "id": "A1",
            "name": "Анна",
            "phone": "+79123456789",
            "email": "anna@example.com",
            "email_verified": True,
        },
        {
            "id": "A2",
            "name": "John",
            "phone": "+447911123456",
            "email": "john@example.com",
            "email_verified": False,
        },
    ],
    "orders": [
        {
            "number": "12345678-0001",
            "account_id": "A1",
            "status": "in_transit",
            "created_at": "2026-11-01T10:00:00+03:00",
            "delivery_eta": "2026-11-05",
            "pickup_point": "Москва, ул. Ленина, 1",
            "items": [{"sku": "1001", "title": "Чайник", "qty": 1, "price": 2490}],
            "total": 2490,
            "payment": "card",
        },
    ],
}


def _order(
    number: str, status: str, created: str, eta: str | None, **extra: Any
) -> dict[str, Any]:
    return {
        "number": number,
        "account_id": extra.pop("account_id", "A1"),
        "status": status,
        "created_at": f"{created}T12:00:00+03:00",
        "delivery_eta": eta,
        "pickup_point": extra.pop("pickup_point", None),
        "items": extra.pop("items", [{"sku": "2001", "title": "Лампа", "qty": 1, "price": 1500}]),
        "total": extra.pop("total", 1500),
        "payment": extra.pop("payment", "card"),
        **extra,
    }


# Anna's orders in every status (eight: more than one page), and one of John's.
MARKET["orders"] += [
    _order("10000001-0001", "created", "2026-10-31", "2026-11-05"),
    _order("10000002-0001", "paid", "2026-10-30", "2026-11-06"),
    _order("10000003-0001", "assembling", "2026-10-29", "2026-11-04", payment="cash"),
    _order("10000004-0001", "in_transit", "2026-10-20", "2026-10-25"),
    _order(
        "10000005-0001",
        "ready_for_pickup",
        "2026-10-25",
        "2026-10-31",
        pickup_point="Москва, Тверская, 7",
        # optional fields of the data file
        pickup_point_hours="ежедневно 10:00–22:00",
        pickup_until="2026-11-07",
    ),
    _order(
        "10000006-0001",
        "delivered",
        "2026-10-22",
        "2026-10-26",
        delivered_on="2026-10-25",
        total=3480,
        items=[
            {"sku": "1001", "title": "Чайник", "qty": 1, "price": 2490},
            {"sku": "1002", "title": "Кружка & блюдце", "qty": 2, "price": 495},
        ],
    ),
    _order("10000007-0001", "cancelled", "2026-10-10", None),
    _order("20000001-0001", "delivered", "2026-10-22", "2026-10-26", account_id="A2"),
    # John's orders that differ in how they were paid, for the refund answers.
    _order("20000003-0001", "cancelled", "2026-10-12", None, account_id="A2", payment="cash"),
    _order(
        "20000004-0001", "returned", "2026-10-11", "2026-10-15", account_id="A2", payment="cash"
    ),
    _order("20000005-0001", "cancelled", "2026-10-10", None, account_id="A2"),
    # A wholesale order: far more items than one message can list.
    _order(
        "20000002-0001",
        "delivered",
        "2026-10-21",
        "2026-10-25",
        account_id="A2",
        total=300 * 990,
        items=[
            {"sku": f"9{n:03d}", "title": f"Тарелка фарфоровая, серия {n}", "qty": 1, "price": 990}
            for n in range(300)
        ],
    ),
]
