"""Decoding of Bot API request parameters.

aiogram sends strings verbatim and JSON-encodes everything else (numbers,
booleans, nested objects) into form fields, while a browser sandbox may post a
JSON body with native values. The typed getters accept both, so handlers never
care how a value travelled.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web
from aiohttp.web_request import FileField

from .errors import bad_request

if TYPE_CHECKING:
    from .state import World

_ATTACH_PREFIX = "attach://"
_INT_FIELDS = frozenset(
    {
        "message_id",
        "message_thread_id",
        "from_chat_id",
        "user_id",
        "offset",
        "limit",
        "timeout",
        "reply_to_message_id",
        "cache_time",
        "icon_color",
        "duration",
        "width",
        "height",
        "correct_option_id",
    }
)
_BOOL_FIELDS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "has_spoiler",
        "disable_content_type_detection",
        "show_caption_above_media",
        "is_big",
        "is_anonymous",
    }
)
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "reply_parameters",
        "link_preview_options",
        "media",
        "entities",
        "caption_entities",
        "commands",
        "scope",
        "allowed_updates",
        "menu_button",
        "reaction",
        "options",
    }
)

# A Bot API method implementation: validates params, mutates the world, returns `result`.
Handler = Callable[["World", "Params"], Awaitable[Any]]


@dataclass(frozen=True)
class Upload:
    """A file part received in a multipart request."""

    filename: str
    content_type: str
    data: bytes


class Params:
    """Typed, validating view over one request's parameters."""

    def __init__(self, fields: Mapping[str, Any], uploads: Mapping[str, Upload]) -> None:
        self.fields = dict(fields)
        self.uploads = dict(uploads)

    @classmethod
    async def from_request(cls, request: web.Request) -> Params:
        fields: dict[str, Any] = dict(request.query)
        uploads: dict[str, Upload] = {}
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                body = await request.json()
                if isinstance(body, dict):
                    fields.update(body)
            else:
                for key, value in (await request.post()).items():
                    if isinstance(value, FileField):
                        uploads[key] = Upload(
                            value.filename, value.content_type, value.file.read()
                        )
                    else:
                        fields[key] = value
        return cls(fields, uploads)

    def has(self, name: str) -> bool:
        return self.fields.get(name) not in (None, "")

    def text(self, name: str) -> str | None:
        value = self.fields.get(name)
        return None if value is None else str(value)

    def integer(self, name: str) -> int | None:
        value = self.fields.get(name)
        if value is None or value == "":
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def require_integer(self, name: str) -> int:
        value = self.integer(name)
        if value is None:
            raise bad_request(f"{name} is empty")
        return value

    def flag(self, name: str) -> bool:
        value = self.fields.get(name)
        if isinstance(value, str):
            return value.lower() in {"true", "1"}
        return bool(value)

    def json(self, name: str) -> Any:
        value = self.fields.get(name)
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {name} JSON object") from None

    def chat_id(self, name: str = "chat_id") -> int | str:
        value = self.fields.get(name)
        if value is None or value == "":
            raise bad_request(f"{name} is empty")
        if isinstance(value, int) or str(value).lstrip("-").isdigit():
            return int(value)
        return str(value)

    def upload(self, reference: str) -> Upload | None:
        """Resolve ``attach://name`` (or a bare part name) to an uploaded file."""
        return self.uploads.get(reference.removeprefix(_ATTACH_PREFIX))

    def recorded(self) -> dict[str, Any]:
        """JSON-friendly copy with values decoded per field, for ``emulator.calls``."""
        result: dict[str, Any] = {}
        for key, value in self.fields.items():
            try:
                if key in {"chat_id", "from_chat_id"}:
                    result[key] = self.chat_id(key)
                elif key in _INT_FIELDS:
                    result[key] = self.integer(key)
                elif key in _BOOL_FIELDS:
                    result[key] = self.flag(key)
                elif key in _JSON_FIELDS:
                    result[key] = self.json(key)
                else:
                    result[key] = value
            except Exception:  # record what was sent even if it is invalid
                result[key] = value
        for key, upload in self.uploads.items():
            result[key] = {"filename": upload.filename, "size": len(upload.data)}
        return result
