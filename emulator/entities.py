"""MessageEntity helpers: UTF-16 offsets, Telegram-style trimming and auto-detection.

Telegram measures entity offsets in UTF-16 code units, so every offset here is
computed that way; emoji outside the BMP count as two units.
"""

from __future__ import annotations

import re
from typing import Any

Entity = dict[str, Any]

# Regions where Telegram does not look for links, mentions or commands.
_OPAQUE_TYPES = frozenset({"code", "pre", "text_link", "text_mention", "custom_emoji"})

_AUTO_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("url", re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)),
    ("email", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")),
    ("bot_command", re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/@])")),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{3,31}(?![\w@])")),
    ("hashtag", re.compile(r"(?<![\w#])#\w*[^\W\d]\w*")),
)
_URL_TRAILING_PUNCTUATION = ".,;:!?)"


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def entity(kind: str, offset: int, length: int, **extra: Any) -> Entity:
    result: Entity = {"type": kind, "offset": offset, "length": length}
    result.update({key: value for key, value in extra.items() if value is not None})
    return result


def sort_entities(entities: list[Entity]) -> list[Entity]:
    # Telegram orders by start, outer (longer) entity first.
    return sorted(entities, key=lambda item: (item["offset"], -item["length"]))


def entity_text(text: str, item: Entity) -> str:
    """Return the slice of ``text`` an entity covers (offsets are UTF-16)."""
    encoded = text.encode("utf-16-le")
    start = item["offset"] * 2
    return encoded[start : start + item["length"] * 2].decode("utf-16-le")


def trim(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Strip surrounding whitespace like Telegram and shift/clip entities accordingly."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    limit = utf16_len(stripped)
    result: list[Entity] = []
    for item in entities:
        start = max(item["offset"] - lead, 0)
        end = min(item["offset"] + item["length"] - lead, limit)
        if end > start:
            result.append({**item, "offset": start, "length": end - start})
    return stripped, result


def detect_entities(text: str, existing: list[Entity] | None = None) -> list[Entity]:
    """Find the entities Telegram adds on its own (urls, mentions, commands, ...)."""
    taken: list[tuple[int, int]] = [
        (item["offset"], item["offset"] + item["length"])
        for item in existing or []
        if item["type"] in _OPAQUE_TYPES
    ]
    found: list[Entity] = []
    for kind, pattern in _AUTO_PATTERNS:
        for match in pattern.finditer(text):
            value = match.group()
            if kind == "url":
                value = value.rstrip(_URL_TRAILING_PUNCTUATION)
            start = utf16_len(text[: match.start()])
            end = start + utf16_len(value)
            if any(start < used_end and used_start < end for used_start, used_end in taken):
                continue
            taken.append((start, end))
            found.append(entity(kind, start, end - start))
    return found


def with_auto_entities(text: str, entities: list[Entity]) -> list[Entity]:
    return sort_entities([*entities, *detect_entities(text, entities)])
