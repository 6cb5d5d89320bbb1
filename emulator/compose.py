"""Shared validation for every method that creates or edits a message.

Covers what Telegram checks before delivering: text/caption parsing and
limits, reply markup, reply targets, and the delivery rules in ``World``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .entities import Entity, trim, with_auto_entities
from .errors import bad_request
from .html import HtmlParseError, parse_html
from .models import ChatRecord, StoredMessage
from .params import Params
from .state import World

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
INLINE_BUTTONS_LIMIT = 100
_BUTTON_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


def render(
    world: World, source: str | None, parse_mode: str | None, explicit: Any
) -> tuple[str, list[Entity]]:
    """Turn what the bot sent into Telegram's stored form: plain text + entities."""
    source = source or ""
    if parse_mode:
        if parse_mode.lower() != "html":
            # Only HTML is emulated; failing loudly beats silently storing raw markup.
            raise bad_request("unsupported parse_mode")
        try:
            text, entities = parse_html(
                source, strict_ampersand=world.strict_html, resolve_user=world.user_api
            )
        except HtmlParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None
    else:
        text, entities = source, list(explicit or [])
    text, entities = trim(text, entities)
    return text, with_auto_entities(text, entities)


def render_text(world: World, params: Params) -> tuple[str, list[Entity]]:
    text, entities = render(
        world, params.text("text"), params.text("parse_mode"), params.json("entities")
    )
    if not text:
        raise bad_request("message text is empty")
    if len(text) > TEXT_LIMIT:
        raise bad_request("message is too long")
    return text, entities


def render_caption(
    world: World, source: str | None, parse_mode: str | None, explicit: Any
) -> tuple[str | None, list[Entity]]:
    if not source:
        return None, []
    text, entities = render(world, source, parse_mode, explicit)
    if len(text) > CAPTION_LIMIT:
        raise bad_request("message caption is too long")
    return text or None, entities


def validate_markup(markup: Any) -> dict[str, Any] | None:
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request("can't parse inline keyboard markup JSON object")
        if sum(len(row) for row in rows) > INLINE_BUTTONS_LIMIT:
            raise bad_request("reply markup is too long")
        for button in (button for row in rows for button in row):
            _validate_inline_button(button)
    elif not {"keyboard", "remove_keyboard", "force_reply"} & markup.keys():
        raise bad_request("can't parse reply keyboard markup JSON object")
    return markup


def _validate_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not button.get("text"):
        raise bad_request("can't parse inline keyboard button: Text must be non-empty")
    data = button.get("callback_data")
    if data is not None and not 0 < len(str(data).encode()) <= CALLBACK_DATA_LIMIT:
        raise bad_request("BUTTON_DATA_INVALID")
    if not _BUTTON_ACTIONS & button.keys():
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )


@dataclass
class SendContext:
    """Where and how a new bot message goes, validated before it is created."""

    chat: ChatRecord
    thread_id: int | None
    reply_to: int | None
    reply_markup: dict[str, Any] | None
    silent: bool

    def message_fields(self) -> dict[str, Any]:
        return {
            "thread_id": self.thread_id,
            "reply_to_message_id": self.reply_to,
            "reply_markup": self.reply_markup,
            "disable_notification": self.silent,
        }


def prepare_send(world: World, params: Params, *, with_markup: bool = True) -> SendContext:
    chat = world.resolve_chat(params.chat_id())
    thread_id = world.ensure_can_send(chat, params.integer("message_thread_id"))
    markup = validate_markup(params.json("reply_markup")) if with_markup else None
    return SendContext(
        chat=chat,
        thread_id=thread_id,
        reply_to=_reply_target(world, chat, params),
        reply_markup=markup,
        silent=params.flag("disable_notification"),
    )


def _reply_target(world: World, chat: ChatRecord, params: Params) -> int | None:
    reply = params.json("reply_parameters")
    message_id: int | None
    if isinstance(reply, dict) and reply.get("message_id") is not None:
        message_id, lenient = (
            int(reply["message_id"]),
            bool(reply.get("allow_sending_without_reply")),
        )
    else:
        message_id = params.integer("reply_to_message_id")
        lenient = params.flag("allow_sending_without_reply")
    if message_id is None:
        return None
    if world.find_message(chat.id, message_id) is None:
        if lenient:
            return None
        raise bad_request("message to be replied not found")
    return message_id


def new_bot_message(world: World, context: SendContext, **fields: Any) -> StoredMessage:
    return world.new_message(
        context.chat,
        from_bot=True,
        sender_id=world.bot.id,
        **context.message_fields(),
        **fields,
    )


def publish(world: World, message: StoredMessage) -> dict[str, Any]:
    """Make a freshly created bot message visible and return its API form."""
    chat = world.chats[message.chat_id]
    markup = message.reply_markup or {}
    if "keyboard" in markup:
        chat.reply_keyboard = markup
    elif "remove_keyboard" in markup:
        chat.reply_keyboard = None
    world.publish_bot_message(message)
    return world.message_to_api(message)


def editable_message(world: World, params: Params) -> StoredMessage:
    if params.has("inline_message_id"):
        raise bad_request("inline messages are not supported by the emulator")
    chat = world.resolve_chat(params.chat_id())
    message = world.find_message(chat.id, params.require_integer("message_id"))
    if message is None:
        raise bad_request("message to edit not found")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    return message


def ensure_modified(
    message: StoredMessage, text: str | None, entities: list[Entity], markup: Any
) -> None:
    if (message.text, message.entities, message.reply_markup) == (text, entities, markup):
        raise bad_request(_NOT_MODIFIED)
