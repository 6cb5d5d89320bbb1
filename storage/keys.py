"""What a write transaction names to be serialised with the others that touch the same
(`storage.db.Database.tx`). Taken in this order, from the narrowest holder to the
widest, so that no two transactions wait for each other."""

from __future__ import annotations

# The claims on the queue of updates: serialised with each other only.
QUEUE = "queue"


def chat(chat_id: int, topic: int | None = None) -> str:
    """An update's chat (a forum's topic): its handler's transaction. A customer's
    private chat is theirs: what agents do to a customer's tickets locks it too."""
    return f"chat:{chat_id}:{topic}" if topic else f"chat:{chat_id}"


def account(account_id: str) -> str:
    """A marketplace account: the chats linked to it, its recoveries, its orders."""
    return f"account:{account_id}"


def destination(address: str) -> str:
    """A phone number or an email address: the codes sent to it, from any chat."""
    return f"to:{address}"


def presence(forum_id: int) -> str:
    """Who is online in a forum, and the tickets given to them: taken after a chat's (a
    new ticket's customer, an agent's /online), so two new tickets are never given by
    the same count, nor to an agent going away."""
    return f"presence:{forum_id}"
