"""What the page watches: the inbox of SMS, calls and emails, and the live event feed."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from collections.abc import Iterator
from email.message import EmailMessage, Message
from typing import Any

# Mail carries no separate code field; the bot's texts, in every language, put it after
# a colon ("code: 123456"), and no date or phone number in them looks like that.
_MAIL_CODE = re.compile(r":\s*(\d{4,10})(?![\d./:-])")
_QUEUE_LIMIT = 1000


class Feed:
    """Fans events out to every open /api/events stream, as ready-made JSON lines."""

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[str | None]] = set()

    def publish(self, event: dict[str, Any]) -> None:
        if not self._queues:
            return
        line = json.dumps(event, ensure_ascii=False, default=str)
        for queue in list(self._queues):
            # A page that stopped reading loses events, never the server's memory; any
            # later event makes it reload the whole state anyway.
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(line)

    @contextlib.contextmanager
    def listen(self) -> Iterator[asyncio.Queue[str | None]]:
        queue: asyncio.Queue[str | None] = asyncio.Queue(_QUEUE_LIMIT)
        self._queues.add(queue)
        try:
            yield queue
        finally:
            self._queues.discard(queue)

    def close(self) -> None:
        """End every stream, so stopping the server never waits on an open page."""
        for queue in list(self._queues):
            while queue.full():
                queue.get_nowait()
            queue.put_nowait(None)


class Inbox:
    """Everything the SMS gateway and the mail server received, as the page shows it."""

    def __init__(self, feed: Feed) -> None:
        self.items: list[dict[str, Any]] = []
        self._feed = feed

    def add_sms(self, request: dict[str, Any]) -> None:
        kind = "call" if request.get("channel") == "call" else "sms"
        self._add(
            kind=kind,
            to=str(request.get("phone", "")),
            subject=None,
            text=str(request.get("text", "")),
            code=str(request["code"]) if request.get("code") else None,
        )

    def add_mail(self, message: Message) -> None:
        body = _body(message)
        found = _MAIL_CODE.search(body)
        self._add(
            kind="email",
            to=str(message.get("To", "")),
            subject=str(message.get("Subject", "")),
            text=body,
            code=found.group(1) if found else None,
        )

    def _add(self, **fields: Any) -> None:
        item = {"id": len(self.items) + 1, "time": time.time(), **fields}
        self.items.append(item)
        self._feed.publish({"type": "inbox", "item": item})


def _body(message: Message) -> str:
    if isinstance(message, EmailMessage):
        part = message.get_body(preferencelist=("plain", "html"))
        if part is not None:
            return str(part.get_content()).strip()
    payload = message.get_payload(decode=True)
    return payload.decode("utf-8", "replace").strip() if isinstance(payload, bytes) else ""
