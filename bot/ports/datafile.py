"""Reading MARKETPLACE_DATA: a JSON file of accounts and orders (format in README)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import phonenumbers
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.ports.marketplace import Account, Order, OrderItem, OrderStatus


class DataFileError(Exception):
    """The file cannot be imported; the message names the entry and the field."""


# Order numbers and account ids ride in button data, which Telegram caps at 64 bytes and
# aiogram's CallbackData splits on its separator; the keyboards' tests hold both to these.
KEY_MAX_BYTES = 40
CALLBACK_SEPARATOR = ":"


def _fits_a_button(value: str) -> str:
    if CALLBACK_SEPARATOR in value:
        raise ValueError(
            f"contains {CALLBACK_SEPARATOR!r}, which buttons use to separate their data; "
            "use another character"
        )
    size = len(value.encode())
    if size > KEY_MAX_BYTES:
        raise ValueError(
            f"is {size} bytes in UTF-8, more than the {KEY_MAX_BYTES} a button can carry; "
            "shorten it"
        )
    return value


class _Record(BaseModel):
    # Unknown fields are kept: a marketplace's export carries more than we read.
    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)

    def unknown(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class _Item(_Record):
    sku: str
    title: str
    qty: int = Field(gt=0)
    price: float = Field(ge=0)


class _Account(_Record):
    id: str = Field(min_length=1)
    name: str
    phone: str | None = None
    email: str | None = None
    email_verified: bool = False

    _id = field_validator("id")(_fits_a_button)

    @field_validator("phone")
    @classmethod
    def _e164(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            parsed = phonenumbers.parse(value, None)
        except phonenumbers.NumberParseException:
            raise ValueError("must be a phone number in E.164 form, like +79123456789") from None
        if not phonenumbers.is_possible_number(parsed):
            raise ValueError("is not a possible phone number")
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and "@" not in value:
            raise ValueError("must be an email address")
        return value


class _Order(_Record):
    number: str = Field(min_length=1)
    account_id: str
    status: OrderStatus
    created_at: datetime
    delivery_eta: date | None = None
    pickup_point: str | None = None
    items: list[_Item] = Field(default_factory=list)
    total: float = Field(ge=0)
    payment: str | None = None
    # Optional, read when given; they travel in the order's extra fields.
    pickup_point_hours: str | None = None
    pickup_until: date | None = None
    delivered_on: date | None = None

    _number = field_validator("number")(_fits_a_button)

    @field_validator("created_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("needs a time zone, like 2026-11-01T10:00:00+03:00")
        return value


class _File(BaseModel):
    model_config = ConfigDict(extra="allow")
    accounts: list[_Account] = Field(default_factory=list)
    orders: list[_Order] = Field(default_factory=list)


def parse(raw: Any) -> tuple[list[Account], list[Order]]:
    try:
        data = _File.model_validate(raw)
    except ValidationError as error:
        raise DataFileError(_describe(raw, error)) from None
    _unique("accounts", "id", [a.id for a in data.accounts], "give each account its own id")
    _unique("orders", "number", [o.number for o in data.orders], "list each order once")
    ids = {a.id for a in data.accounts}
    for index, order in enumerate(data.orders):
        if order.account_id not in ids:
            raise DataFileError(
                f"orders[{index}] (number {order.number}): field 'account_id': "
                f"no account {order.account_id!r} in the file"
            )
    return [_account(a) for a in data.accounts], [_order(o) for o in data.orders]


def _unique(section: str, key: str, values: list[str], fix: str) -> None:
    # Upserted one after the other, the later entry would silently replace the earlier.
    first: dict[str, int] = {}
    for index, value in enumerate(values):
        if value in first:
            raise DataFileError(
                f"{section}[{index}] ({key} {value}): field '{key}': "
                f"the same as {section}[{first[value]}]; {fix}"
            )
        first[value] = index


def load(path: Path) -> tuple[list[Account], list[Order]]:
    try:
        raw = json.loads(path.read_text("utf-8"))
    except OSError as error:
        raise DataFileError(f"cannot read {path}: {error.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise DataFileError(f"{path} is not valid JSON: {error}") from None
    return parse(raw)


def _describe(raw: Any, error: ValidationError) -> str:
    first = error.errors()[0]
    loc = list(first["loc"])
    where = ""
    if len(loc) > 1 and isinstance(loc[1], int):
        section, index = loc[0], loc[1]
        where = f"{section}[{index}]"
        entries = raw.get(section) if isinstance(raw, dict) else None
        entry = entries[index] if isinstance(entries, list) and index < len(entries) else None
        key = "id" if section == "accounts" else "number"
        if isinstance(entry, dict) and key in entry:
            where += f" ({key} {entry[key]})"
        loc = loc[2:]
    field = ".".join(str(part) for part in loc) or "(entry)"
    # Our own validators' messages are whole sentences; pydantic's prefix only adds noise.
    message = first["msg"].removeprefix("Value error, ")
    return f"{where or 'file'}: field '{field}': {message}"


def _account(a: _Account) -> Account:
    return Account(a.id, a.name, a.phone, a.email, a.email_verified, a.unknown())


def _order(o: _Order) -> Order:
    items = tuple(OrderItem(i.sku, i.title, i.qty, i.price, i.unknown()) for i in o.items)
    return Order(
        o.number,
        o.account_id,
        o.status,
        o.created_at,
        o.delivery_eta,
        o.pickup_point,
        items,
        o.total,
        o.payment,
        {**o.unknown(), **_optional(o)},
    )


def _optional(o: _Order) -> dict[str, str]:
    given = {
        "pickup_point_hours": o.pickup_point_hours,
        "pickup_until": o.pickup_until.isoformat() if o.pickup_until else None,
        "delivered_on": o.delivered_on.isoformat() if o.delivered_on else None,
    }
    return {key: value for key, value in given.items() if value}
