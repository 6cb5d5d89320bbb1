"""The JSON form of a Bot API call, as the answers keep it until their commit.

Built with aiogram's own ``prepare_value``, so defaults (``parse_mode``) are resolved
and fields are left out as aiogram's form leaves them out. The Bot API takes the same
JSON as a request body (``bot.speedups.json_bodies``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiogram.client.default import Default
from aiogram.client.session.base import BaseSession
from aiogram.methods import TelegramMethod

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.types import InputFile


def json_body(session: BaseSession, bot: Bot, method: TelegramMethod[Any]) -> bytes | None:
    """The call as a JSON body, or None when it carries a file to upload."""
    fields = {}
    for key, value in method.model_dump(warnings=False).items():
        given = bot.default[value.name] if isinstance(value, Default) else value
        # The same fields as aiogram's form: it leaves out None and "".
        if given is not None and given != "":
            fields[key] = given
    files: dict[str, InputFile] = {}
    # A dict is prepared as one JSON document, its nested objects kept as objects.
    body = session.prepare_value(fields, bot=bot, files=files)
    if files:
        return None
    return str(body).encode()
