"""The marketplace port: what the bot reads and the few things it changes.

The embedded SQLite store (`storage.marketplace`) is the default implementation;
a marketplace plugs in its own API by implementing `MarketplacePort`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol


class OrderStatus(StrEnum):
    CREATED = "created"
    PAID = "paid"
    ASSEMBLING = "assembling"
    IN_TRANSIT = "in_transit"
    READY_FOR_PICKUP = "ready_for_pickup"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    RETURNED = "returned"


@dataclass(frozen=True)
class Account:
    id: str
    name: str
    phone: str | None
    email: str | None
    email_verified: bool
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OrderItem:
    sku: str
    title: str
    qty: int
    price: float
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Order:
    number: str
    account_id: str
    status: OrderStatus
    created_at: datetime
    delivery_eta: date | None
    pickup_point: str | None
    items: tuple[OrderItem, ...]
    total: float
    payment: str | None
    extra: dict[str, Any] = field(default_factory=dict)

    # Optional facts a marketplace may give, carried in `extra` so the port and the
    # stored rows stay as they are; something unreadable there counts as not given.
    @property
    def pickup_hours(self) -> str | None:
        """The pickup point's opening hours, as the marketplace words them."""
        value = self.extra.get("pickup_point_hours")
        return (value.strip() or None) if isinstance(value, str) else None

    @property
    def pickup_until(self) -> date | None:
        """The last day the pickup point keeps the order."""
        return _day(self.extra.get("pickup_until"))

    @property
    def delivered_on(self) -> date | None:
        """The day the customer received the order."""
        return _day(self.extra.get("delivered_on"))


def _day(value: object) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


class MarketplacePort(Protocol):
    async def account(self, account_id: str) -> Account | None: ...

    async def account_by_phone(self, phone_e164: str) -> Account | None: ...

    async def account_by_email(self, email: str) -> Account | None: ...

    async def orders_of(self, account_id: str, *, limit: int, offset: int = 0) -> list[Order]: ...

    async def order(self, number: str) -> Order | None: ...

    async def set_order_status(self, number: str, status: OrderStatus) -> None: ...

    async def change_phone(self, account_id: str, phone_e164: str) -> None: ...
