"""Text message methods: send, edit, delete, copy, forward."""

from __future__ import annotations

import copy
from typing import Any

from .api_objects import copied_media
from .compose import (
    editable_message,
    ensure_modified,
    new_bot_message,
    prepare_send,
    publish,
    render_caption,
    render_text,
    validate_markup,
)
from .errors import bad_request
from .models import CAPTIONED_KINDS
from .params import Handler, Params
from .state import World


async def send_message(world: World, params: Params) -> Any:
    context = prepare_send(world, params)
    text, entities = render_text(world, params)
    message = new_bot_message(
        world,
        context,
        kind="text",
        text=text,
        html=params.text("text"),
        entities=entities,
        link_preview_options=_link_preview(params),
    )
    return publish(world, message)


def _link_preview(params: Params) -> dict[str, Any] | None:
    options = params.json("link_preview_options")
    if isinstance(options, dict):
        return options
    # The deprecated flag predates LinkPreviewOptions; Telegram maps it onto is_disabled.
    return {"is_disabled": True} if params.flag("disable_web_page_preview") else None


async def edit_message_text(world: World, params: Params) -> Any:
    message = editable_message(world, params)
    if not message.has_text_body:
        raise bad_request("there is no text in the message to edit")
    text, entities = render_text(world, params)
    # Telegram drops the inline keyboard when an edit does not repeat it.
    markup = validate_markup(params.json("reply_markup"))
    ensure_modified(message, text, entities, markup)
    message.text, message.entities, message.reply_markup = text, entities, markup
    message.html = params.text("text")
    world.publish_edit(message)
    return world.message_to_api(message)


async def edit_message_caption(world: World, params: Params) -> Any:
    message = editable_message(world, params)
    if message.has_text_body:
        raise bad_request("there is no caption in the message to edit")
    caption, entities = render_caption(
        world, params.text("caption"), params.text("parse_mode"), params.json("caption_entities")
    )
    markup = validate_markup(params.json("reply_markup"))
    ensure_modified(message, caption, entities, markup)
    message.text, message.entities, message.reply_markup = caption, entities, markup
    message.html = params.text("caption")
    world.publish_edit(message)
    return world.message_to_api(message)


async def edit_message_reply_markup(world: World, params: Params) -> Any:
    message = editable_message(world, params)
    markup = validate_markup(params.json("reply_markup"))
    ensure_modified(message, message.text, message.entities, markup)
    message.reply_markup = markup
    world.publish_edit(message)
    return world.message_to_api(message)


async def delete_message(world: World, params: Params) -> Any:
    chat = world.resolve_chat(params.chat_id())
    message = world.find_message(chat.id, params.require_integer("message_id"))
    if message is None:
        raise bad_request("message to delete not found")
    bot_status = world.member_status(chat, world.bot.id)
    if not (message.from_bot or chat.is_private or bot_status in {"administrator", "creator"}):
        raise bad_request("message can't be deleted")
    world.delete(message)
    return True


async def copy_message(world: World, params: Params) -> Any:
    source_chat = world.resolve_chat(params.chat_id("from_chat_id"))
    source = world.find_message(source_chat.id, params.require_integer("message_id"))
    if source is None:
        raise bad_request("message to copy not found")
    if source.kind == "service":
        raise bad_request("message can't be copied")
    media = copied_media(world, source)
    context = prepare_send(world, params)
    text, html, entities = source.text, source.html, list(source.entities)
    if source.kind in CAPTIONED_KINDS and params.has("caption"):
        html = params.text("caption")
        text, entities = render_caption(
            world, html, params.text("parse_mode"), params.json("caption_entities")
        )
    message = new_bot_message(
        world,
        context,
        kind=source.kind,
        text=text,
        html=html,
        entities=entities,
        media=media,
    )
    publish(world, message)
    return {"message_id": message.message_id}


async def forward_message(world: World, params: Params) -> Any:
    source_chat = world.resolve_chat(params.chat_id("from_chat_id"))
    source = world.find_message(source_chat.id, params.require_integer("message_id"))
    if source is None:
        raise bad_request("message to forward not found")
    context = prepare_send(world, params, with_markup=False)
    origin = source.forward_origin or {
        "type": "user",
        "date": source.date,
        "sender_user": world.user(source.sender_id).to_api(),
    }
    message = new_bot_message(
        world,
        context,
        kind=source.kind,
        text=source.text,
        html=source.html,
        entities=list(source.entities),
        media=copy.deepcopy(source.media),
        forward_origin=origin,
    )
    return publish(world, message)


HANDLERS: dict[str, Handler] = {
    "sendMessage": send_message,
    "editMessageText": edit_message_text,
    "editMessageCaption": edit_message_caption,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "copyMessage": copy_message,
    "forwardMessage": forward_message,
}
