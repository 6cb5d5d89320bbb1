"""Who is in the sandbox: demo marketplace data, customers and agents."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

_RELATIVE = re.compile(r"^([+-])(\d+)d$")
# A shared contact of a Telegram user who is no customer here: somebody else's number.
STRANGER_ID = 777000


@dataclass(frozen=True)
class Agent:
    id: int
    name: str
    role: str  # the forum membership: "administrator" is also in ADMIN_IDS

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Customer:
    id: int
    name: str
    language: str
    phone: str
    email: str | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Cast:
    """Who plays in the sandbox (the "sandbox" part of demo.json)."""

    forum_id: int
    forum_title: str
    agents: tuple[Agent, ...]
    customers: tuple[tuple[int, str, str], ...]  # id, first name, Telegram language
    accounts: tuple[dict[str, Any], ...]


def raw_demo() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("demo.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def load_cast() -> Cast:
    data = raw_demo()
    cast = data["sandbox"]
    return Cast(
        forum_id=int(cast["forum"]["id"]),
        forum_title=str(cast["forum"]["title"]),
        agents=tuple(Agent(int(a["id"]), a["name"], a["role"]) for a in cast["agents"]),
        customers=tuple((int(c["id"]), c["name"], c["language"]) for c in cast["customers"]),
        accounts=tuple(data["accounts"]),
    )


def resolve_dates(data: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Turn "+3d" / "-5d" into dates around ``now``: an ETA is always future or past."""
    resolved = json.loads(json.dumps(data))
    for order in resolved.get("orders", []):
        if (created := _shift(order.get("created_at"), now)) is not None:
            order["created_at"] = created.replace(microsecond=0).isoformat()
        for key in ("delivery_eta", "pickup_until", "delivered_on"):
            if (day := _shift(order.get(key), now)) is not None:
                order[key] = day.date().isoformat()
    return resolved


def _shift(value: object, now: datetime) -> datetime | None:
    match = _RELATIVE.match(value) if isinstance(value, str) else None
    if match is None:
        return None
    days = int(match.group(2)) * (1 if match.group(1) == "+" else -1)
    return now + timedelta(days=days)


def write_demo(folder: Path, now: datetime | None = None) -> Path:
    """The demo file with real dates, ready for MARKETPLACE_DATA."""
    path = folder / "marketplace.json"
    raw = {key: value for key, value in raw_demo().items() if key in {"accounts", "orders"}}
    data = resolve_dates(raw, now or datetime.now(UTC))
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")
    return path


def contact_for(index: int, accounts: tuple[dict[str, Any], ...]) -> tuple[str, str | None]:
    """The phone (and confirmed email) of the n-th customer: demo accounts in turn,
    then numbers no account has, which the bot must treat exactly like known ones."""
    if index < len(accounts):
        account = accounts[index]
        email = account.get("email") if account.get("email_verified") else None
        return str(account["phone"]), email
    return f"+7900{index:07d}", None


def foreign_phone(own: str, accounts: tuple[dict[str, Any], ...]) -> str:
    """Someone else's number from the demo data, to show a foreign contact is refused."""
    return next((str(a["phone"]) for a in accounts if a["phone"] != own), "+79990000000")
