"""What a customer without the account's email gives to prove it is theirs, set next to
what the account holds for an agent to judge."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from bot.domain.phones import mask
from bot.ports.marketplace import Account, Order


@dataclass(frozen=True)
class Evidence:
    name: str
    order_number: str
    old_phone: str
    description: str


def matches(
    account: Account | None, order: Order | None, evidence: Evidence, new_phone: str
) -> dict[str, Any]:
    """What the customer typed next to what the account holds, for the agent to judge."""
    return {
        "account": account.id if account else None,
        "name": bool(account and same_name(account.name, evidence.name)),
        "name_typed": evidence.name,
        "name_held": account.name if account else None,
        "order": bool(account and order is not None and order.account_id == account.id),
        "order_typed": evidence.order_number,
        "old_phone": bool(account and account.phone == evidence.old_phone),
        "old_phone_masked": mask(evidence.old_phone),
        "phone_held_masked": mask(account.phone) if account and account.phone else None,
        "new_phone_masked": mask(new_phone),
    }


def normal_name(name: str) -> str:
    """A name as compared: case, diacritics (the two dots of Russian yo too),
    punctuation and spacing do not matter."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    kept = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(kept.split())


def same_name(held: str, typed: str) -> bool:
    """The whole name matches, its words in any order (surname first too)."""
    a, b = normal_name(held).split(), normal_name(typed).split()
    return bool(a) and sorted(a) == sorted(b)
