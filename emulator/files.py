"""Stored files: Telegram-shaped file_id / file_unique_id and paths.

Ids are deterministic (derived from a per-emulator counter), so runs are
reproducible, yet look like Telegram's: a per-type header ("AgAC" photo,
"BQAC" document, "AwAC" voice, ...) followed by a base64url body.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import PurePosixPath

from .models import StoredFile

_FILE_DEFAULTS: dict[str, tuple[str, str]] = {
    "photo": (".jpg", "image/jpeg"),
    "video": (".mp4", "video/mp4"),
    "voice": (".oga", "audio/ogg"),
    "audio": (".mp3", "audio/mpeg"),
    "sticker": (".webp", "image/webp"),
    "document": (".bin", "application/octet-stream"),
    "animation": (".mp4", "video/mp4"),
    "video_note": (".mp4", "video/mp4"),
}

# Telegram file_ids start with a per-type header (e.g. "AgAC" photo, "BQAC" document).
_FILE_ID_PREFIXES: dict[str, str] = {
    "photo": "AgACAgIAAxkBAAI",
    "video": "BAACAgIAAxkBAAI",
    "voice": "AwACAgIAAxkBAAI",
    "audio": "CQACAgIAAxkBAAI",
    "sticker": "CAACAgIAAxkBAAI",
    "document": "BQACAgIAAxkBAAI",
    "animation": "CgACAgIAAxkBAAI",
    "video_note": "DQACAgIAAxkBAAI",
}


def file_ids(kind: str, number: int) -> tuple[str, str]:
    """Deterministic ids shaped like Telegram's (type-specific prefix, base64url body)."""
    digest = hashlib.sha256(f"{kind}:{number}".encode()).digest()
    body = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    prefix = _FILE_ID_PREFIXES.get(kind, _FILE_ID_PREFIXES["document"])
    unique_prefix = "AQAD" if kind == "photo" else "AgAD"
    return f"{prefix}{number:06X}{body}AAQ", f"{unique_prefix}{body[:12]}"


def new_file(
    kind: str,
    number: int,
    data: bytes,
    *,
    file_name: str | None = None,
    mime_type: str | None = None,
    duration: int | None = None,
    emoji: str | None = None,
) -> StoredFile:
    default_ext, default_mime = _FILE_DEFAULTS.get(kind, _FILE_DEFAULTS["document"])
    ext = PurePosixPath(file_name).suffix if file_name else default_ext
    file_id, unique_id = file_ids(kind, number)
    return StoredFile(
        file_id=file_id,
        file_unique_id=unique_id,
        file_path=f"{kind}s/file_{number}{ext or default_ext}",
        data=data,
        file_name=file_name,
        mime_type=mime_type or default_mime,
        kind=kind,
        duration=duration,
        emoji=emoji,
    )
