"""Telegram users who talk to the bot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.values import Locale
from storage.db import Database, Row

_GET = "SELECT * FROM customers WHERE telegram_id = :id"
_UPSERT = """
INSERT INTO customers (telegram_id, first_name, last_name, username, language_code,
                       created_at, updated_at)
VALUES (:id, :first_name, :last_name, :username, :language_code, :now, :now)
ON CONFLICT (telegram_id) DO UPDATE SET
    first_name = excluded.first_name, last_name = excluded.last_name,
    username = excluded.username, language_code = excluded.language_code,
    updated_at = excluded.updated_at
"""
_EVERYONE = "SELECT * FROM customers ORDER BY telegram_id"
_SET_LOCALE = "UPDATE customers SET locale = :locale, updated_at = :now WHERE telegram_id = :id"

_LINK = """
INSERT INTO links (telegram_id, account_id, linked_at, expires_at)
VALUES (:telegram_id, :account_id, :now, :expires_at)
ON CONFLICT (telegram_id) DO UPDATE SET
    account_id = excluded.account_id, linked_at = excluded.linked_at,
    expires_at = excluded.expires_at
"""
_GET_LINK = "SELECT account_id, expires_at FROM links WHERE telegram_id = :telegram_id"
_CHATS_OF = """
SELECT telegram_id FROM links WHERE account_id = :account_id AND expires_at > :now
"""
_UNLINK = "DELETE FROM links WHERE telegram_id = :telegram_id"


@dataclass(frozen=True)
class Customer:
    telegram_id: int
    first_name: str
    last_name: str | None
    username: str | None
    language_code: str | None
    locale: Locale | None  # chosen by the customer; None: their Telegram language


class CustomerRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, telegram_id: int) -> Customer | None:
        return _to_customer(await self._db.fetchone(_GET, {"id": telegram_id}))

    async def everyone(self) -> list[Customer]:
        rows = await self._db.fetchall(_EVERYONE)
        return [customer for row in rows if (customer := _to_customer(row)) is not None]

    async def save_profile(self, profile: Customer, now: datetime) -> None:
        params = {
            "id": profile.telegram_id,
            "first_name": profile.first_name,
            "last_name": profile.last_name,
            "username": profile.username,
            "language_code": profile.language_code,
            "now": now.isoformat(),
        }
        await self._db.execute(_UPSERT, params)

    async def set_locale(self, telegram_id: int, locale: Locale, now: datetime) -> None:
        params = {"id": telegram_id, "locale": locale, "now": now.isoformat()}
        await self._db.execute(_SET_LOCALE, params)

    async def link(
        self, telegram_id: int, account_id: str, now: datetime, expires_at: datetime
    ) -> None:
        await self._db.execute(
            _LINK,
            {
                "telegram_id": telegram_id,
                "account_id": account_id,
                "now": now.isoformat(),
                "expires_at": expires_at.isoformat(),
            },
        )

    async def linked_account(self, telegram_id: int, now: datetime) -> str | None:
        row = await self._db.fetchone(_GET_LINK, {"telegram_id": telegram_id})
        if row is None or datetime.fromisoformat(row[1]) <= now:
            return None
        return str(row[0])

    async def chats_of(self, account_id: str, now: datetime) -> list[int]:
        params = {"account_id": account_id, "now": now.isoformat()}
        return [int(row[0]) for row in await self._db.fetchall(_CHATS_OF, params)]

    async def unlink(self, telegram_id: int) -> bool:
        return (await self._db.execute(_UNLINK, {"telegram_id": telegram_id})).rowcount > 0


def _to_customer(row: Row | None) -> Customer | None:
    if row is None:
        return None
    return Customer(
        row["telegram_id"],
        row["first_name"],
        row["last_name"],
        row["username"],
        row["language_code"],
        Locale.of(row["locale"]),
    )
