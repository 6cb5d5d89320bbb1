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
