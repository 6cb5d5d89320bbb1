"""What agents see: topic titles, the context card, the queue. Rendering only."""

from __future__ import annotations

import html
from typing import Any

from bot.domain.phones import mask
from bot.domain.values import Direction, MessageKind, TicketStatus
from bot.ports.marketplace import Account
from bot.services.tickets import QueueEntry, shorten
from bot.telegram.i18n import Texts
from bot.telegram.text_keys import ORDER_PROBLEMS
from storage.messages import TicketMessage
from storage.tickets import Ticket

TITLE_LIMIT = 128  # Telegram's limit for a topic name
_MARKS = {
    TicketStatus.NEW: "🆕",
    TicketStatus.TAKEN: "👤",
    TicketStatus.WAITING: "⏳",
    TicketStatus.CLOSED: "✅",
}
_QUOTE_LIMIT = 200
# The card is one message: a long list of ticked items is shown in part, the whole of it
# comes right after in the complaint itself.
_ITEMS_LIMIT = 1000


def topic_title(ticket: Ticket) -> str:
    mark = _MARKS.get(ticket.status, "")
    # The holder comes before the subject: a long subject is what gets cut.
    holder = f" → {ticket.assignee_name}" if ticket.assignee_name else ""
    title = f"{mark} #{ticket.id} · {ticket.customer_name}{holder} · {ticket.subject}"
    return shorten(title, TITLE_LIMIT)


def context_card(
    t: Texts,
    ticket: Ticket,
    account: Account | None,
    tail: str = "",
    rider: str = "",
) -> str:
    """The card as the ticket is now; `tail` (see `card_tail`) and `rider` (the customer's
    first words) are what it carried since it was posted, kept when the card is edited."""
    lines: list[str] = [t("agents-card-title", id=ticket.id, subject=ticket.subject)]
    username = f"@{ticket.customer_username}" if ticket.customer_username else "—"
    lines.append(
        t(
            "agents-card-customer",
            name=ticket.customer_name,
            telegram_id=str(ticket.customer_id),
            username=username,
        )
    )
    lines.append(_account(t, account))
    lines.append(t("agents-card-language", locale=ticket.locale))
    if ticket.order_number:
        problem = t(ORDER_PROBLEMS[ticket.problem]) if ticket.problem else "—"
        lines.append(t("agents-card-order", number=ticket.order_number, problem=problem))
    evidence = ticket.context.get("evidence")
    if evidence:
        lines.append(_evidence(t, evidence))
    if ticket.context.get("items"):
        lines.append(_items(t, ticket.context["items"]))
    if ticket.assignee_name:
        lines.append(t("agents-card-holder", name=ticket.assignee_name))
    decision = ticket.context.get("decision")
    if decision:
        key = "agents-card-approved" if decision.get("approved") else "agents-card-rejected"
        lines.append(t(key, name=decision.get("by") or "—"))
    if tail:
        lines.append(tail)
    lines.append(t("agents-card-help"))
    card = "\n".join(lines)
    return f"{card}\n\n{rider}" if rider else card


def card_tail(t: Texts, recent: list[TicketMessage], *, recreated: bool = False) -> str:
    """What a card says only when it is posted: that the topic replaces a deleted one, and
    what was said there."""
    lines: list[str] = [t("agents-card-recreated")] if recreated else []
    if recent:
        lines.append(t("agents-card-recent"))
        for message in recent:
            who = "👤" if message.direction == Direction.IN else "💬"
            lines.append(f"{who} {_quote(t, message)}")
    return "\n".join(lines)


def queue_text(t: Texts, entries: list[QueueEntry], total: int) -> str:
    """The oldest open tickets; `total` counts all of them, listed or not."""
    if not entries:
        return t("agents-queue-empty")
    lines: list[str] = [t("agents-queue-title", count=total)]
    for entry in entries:
        ticket = entry.ticket
        lines.append(
            t(
                "agents-queue-line",
                mark="⚠️ " if entry.overdue else "",
                id=ticket.id,
                name=ticket.customer_name,
                minutes=entry.waiting_minutes,
                assignee=ticket.assignee_name or t("agents-queue-nobody"),
                status=_MARKS.get(ticket.status, ""),
            )
        )
    return "\n".join(lines)


def _account(t: Texts, account: Account | None) -> str:
    if account is None:
        return t("agents-card-no-account")
    phone = mask(account.phone) if account.phone else "—"
    return t("agents-card-account", name=account.name, id=account.id, phone=phone)


def _evidence(t: Texts, evidence: dict[str, Any]) -> str:
    """What a recovery's review found: what was typed against what the account holds."""
    yes, no = t("agents-yes"), t("agents-no")
    return t(
        "agents-recovery-evidence",
        account=evidence.get("account") or "—",
        name=yes if evidence.get("name") else no,
        name_typed=evidence.get("name_typed") or "—",
        name_held=evidence.get("name_held") or "—",
        order=yes if evidence.get("order") else no,
        order_typed=evidence.get("order_typed") or "—",
        old=evidence.get("old_phone_masked", "—"),
        old_held=evidence.get("phone_held_masked") or "—",
        old_ok=yes if evidence.get("old_phone") else no,
        new=evidence.get("new_phone_masked", "—"),
    )


def _items(t: Texts, items: list[str]) -> str:
    shown: list[str] = []
    size = 0
    for item in items:
        size += len(item) + 2
        if shown and size > _ITEMS_LIMIT:
            break
        shown.append(item)
    line: str = t("agents-card-items", items=", ".join(shown)[:_ITEMS_LIMIT])
    if len(shown) < len(items):
        line += " " + t("agents-card-items-more", count=len(items) - len(shown))
    return line


def _quote(t: Texts, message: TicketMessage) -> str:
    # The one place raw customer text is assembled outside t(): escape it here.
    text = (message.text or "").strip()
    if len(text) > _QUOTE_LIMIT:
        text = text[: _QUOTE_LIMIT - 1] + "…"
    media = t("agents-media", kind=message.kind) if message.kind != MessageKind.TEXT else ""
    return " ".join(part for part in (media, html.escape(text, quote=False)) if part)
