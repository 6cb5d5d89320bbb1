"""Media methods: single attachments, albums and getFile.

Uploaded bytes are kept in memory and get a fresh file_id; a file_id string is
resolved against files seen before (uploads or media sent by simulated users).
As in Telegram, a photo's file_id can't be sent as a document-like type and vice
versa; within the document family (document, video, voice, audio, sticker,
animation) the file keeps its own type, so sendDocument(voice_id) sends a voice.
"""

from __future__ import annotations

import functools
from pathlib import PurePosixPath
from typing import Any

from .compose import new_bot_message, prepare_send, publish, render_caption
from .errors import bad_request
from .models import StoredFile
from .params import Handler, Params
from .state import World

_ALBUM_KINDS = frozenset({"photo", "video", "document", "audio"})
_ALBUM_MIN, _ALBUM_MAX = 2, 10
_PHOTO_SIZE = (1280, 960)
_VIDEO_SIZE = (1280, 720)
_STICKER_SIZE = 512
_VIDEO_NOTE_LENGTH = 384
_DOCUMENT_FAMILY = frozenset({"document", "video", "voice", "audio", "sticker", "animation"})
# TDLib's FileType names, as they appear in "can't use file of type X as Y".
_TYPE_NAMES = {"voice": "VoiceNote", "video_note": "VideoNote"}


def media_fields(
    kind: str, stored: StoredFile, *, duration: int | None = None, emoji: str | None = None
) -> dict[str, Any]:
    """Bot API attachment object(s) for ``stored``, keyed like in Message."""
    base: dict[str, Any] = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
    }
    if kind == "photo":
        width, height = _PHOTO_SIZE
        return {"photo": [{**base, "width": width, "height": height}]}
    if kind == "sticker":
        emoji = emoji or stored.emoji
        sticker = {
            **base,
            "type": "regular",
            "width": _STICKER_SIZE,
            "height": _STICKER_SIZE,
            "is_animated": False,
            "is_video": False,
        }
        return {"sticker": {**sticker, "emoji": emoji} if emoji else sticker}
    if kind == "video_note":  # round, so one side; and no mime_type, unlike a video
        note = {**base, "length": _VIDEO_NOTE_LENGTH, "duration": duration or stored.duration or 1}
        return {"video_note": note}
    if stored.mime_type:
        base["mime_type"] = stored.mime_type
    if kind in {"video", "animation"}:
        width, height = _VIDEO_SIZE
        base.update(width=width, height=height)
    if kind in {"video", "animation", "voice", "audio"}:
        base["duration"] = duration or stored.duration or 1
    if kind in {"document", "audio", "animation", "video"} and stored.file_name:
        base["file_name"] = stored.file_name
    return {kind: base}


def _type_name(kind: str) -> str:
    return _TYPE_NAMES.get(kind, kind.title())


def sent_kind(requested: str, stored: StoredFile) -> str:
    """The message type Telegram produces when ``stored`` is sent as ``requested``."""
    if stored.kind == requested:
        return requested
    if requested in _DOCUMENT_FAMILY and stored.kind in _DOCUMENT_FAMILY:
        return stored.kind
    raise bad_request(
        f"can't use file of type {_type_name(stored.kind)} as {_type_name(requested)}"
    )


def resolve_input_file(
    world: World,
    params: Params,
    kind: str,
    value: Any,
    *,
    duration: int | None = None,
    emoji: str | None = None,
) -> StoredFile:
    """Accept ``attach://part``, a multipart part, an HTTP URL or a known file_id."""
    upload = params.upload(kind) if value in (None, "") else None
    if upload is None and isinstance(value, str) and value.startswith("attach://"):
        upload = params.upload(value)
        if upload is None:
            raise bad_request(f"file attachment {value!r} is missing from the request")
    attributes: dict[str, Any] = {"duration": duration, "emoji": emoji}
    if upload is not None:
        return world.store_file(
            kind, upload.data, upload.filename, upload.content_type, **attributes
        )
    if not value:
        raise bad_request(f"there is no {kind} in the request")
    value = str(value)
    if value.startswith(("http://", "https://")):
        # Telegram would download it; an empty placeholder keeps the flow going offline.
        return world.store_file(kind, b"", PurePosixPath(value).name or None, **attributes)
    return world.file(value)


async def send_media(world: World, params: Params, *, kind: str) -> Any:
    context = prepare_send(world, params)
    caption, entities = render_caption(
        world, params.text("caption"), params.text("parse_mode"), params.json("caption_entities")
    )
    duration, emoji = params.integer("duration"), params.text("emoji")
    stored = resolve_input_file(
        world, params, kind, params.fields.get(kind), duration=duration, emoji=emoji
    )
    kind = sent_kind(kind, stored)
    message = new_bot_message(
        world,
        context,
        kind=kind,
        text=caption,
        html=params.text("caption"),
        entities=entities,
        media=media_fields(kind, stored, duration=duration, emoji=emoji),
    )
    return publish(world, message)


def _check_album(items: Any) -> list[dict[str, Any]]:
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise bad_request("can't parse media JSON object")
    if not _ALBUM_MIN <= len(items) <= _ALBUM_MAX:
        raise bad_request("wrong number of media in the album: must include 2-10 items")
    kinds = {item.get("type") for item in items}
    if not kinds <= _ALBUM_KINDS:
        raise bad_request(f"unsupported media type in the album: {sorted(map(str, kinds))}")
    for exclusive in ("document", "audio"):
        if exclusive in kinds and len(kinds) > 1:
            raise bad_request(f"{exclusive} can't be mixed with another media types")
    return items


async def send_media_group(world: World, params: Params) -> Any:
    context = prepare_send(world, params, with_markup=False)
    items = _check_album(params.json("media"))
    # Validate every item first so a bad one leaves no half-sent album behind.
    prepared = []
    for item in items:
        caption, entities = render_caption(
            world, item.get("caption"), item.get("parse_mode"), item.get("caption_entities")
        )
        prepared.append((item, caption, entities))
    files = [
        resolve_input_file(
            world, params, item["type"], item.get("media"), duration=item.get("duration")
        )
        for item in items
    ]
    kinds = [sent_kind(item["type"], stored) for item, stored in zip(items, files, strict=True)]
    group_id = str(10**15 + world.unique_id())
    results = []
    for (item, caption, entities), stored, kind in zip(prepared, files, kinds, strict=True):
        message = new_bot_message(
            world,
            context,
            kind=kind,
            text=caption,
            html=item.get("caption"),
            entities=entities,
            media=media_fields(kind, stored, duration=item.get("duration")),
            media_group_id=group_id,
        )
        results.append(publish(world, message))
    return results


async def get_file(world: World, params: Params) -> Any:
    file_id = params.text("file_id")
    if not file_id:
        raise bad_request("file_id is empty")
    return world.file(file_id).to_api()


HANDLERS: dict[str, Handler] = {
    "sendPhoto": functools.partial(send_media, kind="photo"),
    "sendDocument": functools.partial(send_media, kind="document"),
    "sendVoice": functools.partial(send_media, kind="voice"),
    "sendVideo": functools.partial(send_media, kind="video"),
    "sendAudio": functools.partial(send_media, kind="audio"),
    "sendAnimation": functools.partial(send_media, kind="animation"),
    "sendSticker": functools.partial(send_media, kind="sticker"),
    "sendVideoNote": functools.partial(send_media, kind="video_note"),
    "sendMediaGroup": send_media_group,
    "getFile": get_file,
}
