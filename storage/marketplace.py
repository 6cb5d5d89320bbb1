"""The embedded marketplace store: the default `MarketplacePort`, on SQLite."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime

from bot.domain.clock import Clock
from bot.ports.marketplace import Account, Order, OrderItem, OrderStatus
from storage.db import Database, Row

_UPSERT_ACCOUNT = """
INSERT INTO accounts (id, name, phone, email, email_verified, extra, updated_at)
VALUES (:id, :name, :phone, :email, :email_verified, :extra, :now)
ON CONFLICT (id) DO UPDATE SET
    name = excluded.name, email = excluded.email,
    email_verified = excluded.email_verified, extra = excluded.extra,
    updated_at = excluded.updated_at,
    -- The bot's own change stands until the file shows it too (old values on the right).
    phone = CASE WHEN accounts.phone_by_bot_at IS NULL THEN excluded.phone
                 ELSE accounts.phone END,
    phone_by_bot_at = CASE WHEN accounts.phone IS NOT DISTINCT FROM excluded.phone THEN NULL
                           ELSE accounts.phone_by_bot_at END
"""
_UPSERT_ORDER = """
INSERT INTO orders (number, account_id, status, created_at, delivery_eta, pickup_point,
                    items, total, payment, extra, updated_at)
VALUES (:number, :account_id, :status, :created_at, :delivery_eta, :pickup_point,
        :items, :total, :payment, :extra, :now)
ON CONFLICT (number) DO UPDATE SET
    account_id = excluded.account_id,
    created_at = excluded.created_at, delivery_eta = excluded.delivery_eta,
    pickup_point = excluded.pickup_point, items = excluded.items, total = excluded.total,
    payment = excluded.payment, extra = excluded.extra, updated_at = excluded.updated_at,
    status = CASE WHEN orders.status_by_bot_at IS NULL THEN excluded.status
                  ELSE orders.status END,
    status_by_bot_at = CASE WHEN orders.status = excluded.status THEN NULL
                            ELSE orders.status_by_bot_at END
"""
_BOT_STATUSES = "SELECT number, status FROM orders WHERE status_by_bot_at IS NOT NULL"
_BOT_PHONES = "SELECT id, phone FROM accounts WHERE phone_by_bot_at IS NOT NULL"
_ACCOUNT = "SELECT * FROM accounts WHERE id = :id"
_ACCOUNT_BY_PHONE = "SELECT * FROM accounts WHERE phone = :phone ORDER BY id LIMIT 1"
_ACCOUNT_BY_EMAIL = "SELECT * FROM accounts WHERE lower(email) = lower(:email) ORDER BY id LIMIT 1"
_ORDERS_OF = """
SELECT * FROM orders WHERE account_id = :account_id
ORDER BY created_at DESC, number DESC LIMIT :limit OFFSET :offset
"""
_ORDER = "SELECT * FROM orders WHERE number = :number"
_SET_STATUS = """
UPDATE orders SET status = :status, status_by_bot_at = :now, updated_at = :now
WHERE number = :number
"""
_SET_PHONE = """
UPDATE accounts SET phone = :phone, phone_by_bot_at = :now, updated_at = :now WHERE id = :id
"""
_COUNT = "SELECT (SELECT count(*) FROM accounts), (SELECT count(*) FROM orders)"


@dataclass(frozen=True)
class Kept:
    """A value the bot wrote that an import left in place of the file's."""

    key: str  # the order number or the account id
    ours: str | None
    files: str | None


@dataclass(frozen=True)
class Imported:
    statuses: tuple[Kept, ...]
    phones: tuple[Kept, ...]


class EmbeddedMarketplace:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def upsert(self, accounts: Iterable[Account], orders: Iterable[Order]) -> Imported:
        """Writes the file's data over the store's, except what the bot changed itself
        since: the file has no time stamps, so it cannot show it is newer than that."""
        stamp = self._clock.now().isoformat()
        account_rows = [{**_account_row(a), "now": stamp} for a in accounts]
        order_rows = [{**_order_row(o), "now": stamp} for o in orders]
        async with self._db.tx():
            statuses = {r[0]: r[1] for r in await self._db.fetchall(_BOT_STATUSES)}
            phones = {r[0]: r[1] for r in await self._db.fetchall(_BOT_PHONES)}
            await self._db.executemany(_UPSERT_ACCOUNT, account_rows)
            await self._db.executemany(_UPSERT_ORDER, order_rows)
        return Imported(
            statuses=_kept(statuses, order_rows, "number", "status"),
            phones=_kept(phones, account_rows, "id", "phone"),
        )

    async def counts(self) -> tuple[int, int]:
        row = await self._db.fetchone(_COUNT)
        return (row[0], row[1]) if row else (0, 0)

    async def account(self, account_id: str) -> Account | None:
        return _to_account(await self._one(_ACCOUNT, {"id": account_id}))

    async def account_by_phone(self, phone_e164: str) -> Account | None:
        return _to_account(await self._one(_ACCOUNT_BY_PHONE, {"phone": phone_e164}))

    async def account_by_email(self, email: str) -> Account | None:
        return _to_account(await self._one(_ACCOUNT_BY_EMAIL, {"email": email.strip()}))

    async def orders_of(self, account_id: str, *, limit: int, offset: int = 0) -> list[Order]:
        params = {"account_id": account_id, "limit": limit, "offset": offset}
        return [_to_order(row) for row in await self._db.fetchall(_ORDERS_OF, params)]

    async def order(self, number: str) -> Order | None:
        row = await self._one(_ORDER, {"number": number})
        return _to_order(row) if row else None

    async def set_order_status(self, number: str, status: OrderStatus) -> None:
        now = self._clock.now().isoformat()
        await self._db.execute(_SET_STATUS, {"number": number, "status": status, "now": now})

    async def change_phone(self, account_id: str, phone_e164: str) -> None:
        now = self._clock.now().isoformat()
        await self._db.execute(_SET_PHONE, {"id": account_id, "phone": phone_e164, "now": now})

    async def _one(self, sql: str, params: dict[str, object]) -> Row | None:
        return await self._db.fetchone(sql, params)


def _kept(
    ours: dict[str, str | None], rows: list[dict[str, object]], key: str, field: str
) -> tuple[Kept, ...]:
    return tuple(
        Kept(str(row[key]), ours[str(row[key])], _text(row[field]))
        for row in rows
        if row[key] in ours and ours[str(row[key])] != row[field]
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _account_row(a: Account) -> dict[str, object]:
    return {
        "id": a.id,
        "name": a.name,
        "phone": a.phone,
        "email": a.email,
        "email_verified": int(a.email_verified),
        "extra": json.dumps(a.extra, ensure_ascii=False),
    }


def _order_row(o: Order) -> dict[str, object]:
    items = [{**i.extra, **{k: v for k, v in asdict(i).items() if k != "extra"}} for i in o.items]
    return {
        "number": o.number,
        "account_id": o.account_id,
        "status": o.status.value,
        # UTC, so that ORDER BY on the text sorts by time whatever offset the file used.
        "created_at": o.created_at.astimezone(UTC).isoformat(),
        "delivery_eta": o.delivery_eta.isoformat() if o.delivery_eta else None,
        "pickup_point": o.pickup_point,
        "items": json.dumps(items, ensure_ascii=False),
        "total": o.total,
        "payment": o.payment,
        "extra": json.dumps(o.extra, ensure_ascii=False),
    }


def _to_account(row: Row | None) -> Account | None:
    if row is None:
        return None
    return Account(
        row["id"],
        row["name"],
        row["phone"],
        row["email"],
        bool(row["email_verified"]),
        json.loads(row["extra"]),
    )


def _to_order(row: Row) -> Order:
    known = {"sku", "title", "qty", "price"}
    items = tuple(
        OrderItem(
            str(i["sku"]),
            i["title"],
            int(i["qty"]),
            float(i["price"]),
            {k: v for k, v in i.items() if k not in known},
        )
        for i in json.loads(row["items"])
    )
    eta = row["delivery_eta"]
    return Order(
        row["number"],
        row["account_id"],
        OrderStatus(row["status"]),
        datetime.fromisoformat(row["created_at"]),
        date.fromisoformat(eta) if eta else None,
        row["pickup_point"],
        items,
        row["total"],
        row["payment"],
        json.loads(row["extra"]),
    )
