"""Bot-level methods: identity, long polling, webhook, commands, menu, callbacks."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from .errors import ApiError, bad_request
from .models import DEFAULT_ALLOWED_UPDATES
from .params import Handler, Params
from .state import World

_MAX_LIMIT = 100
_CALLBACK_TEXT_LIMIT = 200
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_COMMAND_DESCRIPTION_LIMIT = 256
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_MAX_CONNECTIONS = 40  # Telegram's default
_CONFLICT_OTHER_POLL = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
_CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)


async def get_me(world: World, params: Params) -> Any:
    return {
        **world.bot.to_api(),
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


async def get_updates(world: World, params: Params) -> Any:
    if world.webhook_url:
        raise ApiError(409, _CONFLICT_WEBHOOK)
    offset = params.integer("offset")
    if offset is not None:
        world.confirm_updates(offset)
    allowed = params.json("allowed_updates")
    if isinstance(allowed, list):
        # An empty list means "the default set", not "nothing".
        world.allowed_updates = frozenset(allowed) or DEFAULT_ALLOWED_UPDATES
    limit = min(max(params.integer("limit") or _MAX_LIMIT, 1), _MAX_LIMIT)
    timeout = max(params.integer("timeout") or 0, 0)
    # Like Telegram, a newer poll terminates the one still waiting.
    world.poll_generation += 1
    generation = world.poll_generation
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        if world.poll_generation != generation:
            raise ApiError(409, _CONFLICT_OTHER_POLL)
        batch = world.deliverable_updates(limit)
        remaining = deadline - loop.time()
        if batch or remaining <= 0 or world.closing:
            return batch
        await world.hub.wait_change(remaining)


async def set_webhook(world: World, params: Params) -> Any:
    url = params.text("url") or ""
    if url and not url.startswith("https://"):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = params.text("secret_token") or ""
    if secret and not _SECRET_RE.match(secret):
        raise bad_request("bad webhook: secret token contains unallowed characters")
    connections = params.integer("max_connections") or _MAX_CONNECTIONS
    if not 1 <= connections <= _MAX_LIMIT:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")
    allowed = params.json("allowed_updates")
    if isinstance(allowed, list):
        world.allowed_updates = frozenset(allowed) or DEFAULT_ALLOWED_UPDATES
    if params.flag("drop_pending_updates"):
        world.updates.clear()
    world.webhook_url, world.webhook_secret = url, secret
    world.webhook_max_connections = connections
    world.hub.poke()  # the sender looks at it at once
    return True


async def delete_webhook(world: World, params: Params) -> Any:
    world.webhook_url = world.webhook_secret = ""
    if params.flag("drop_pending_updates"):
        world.updates.clear()
    return True


async def get_webhook_info(world: World, params: Params) -> Any:
    info: dict[str, Any] = {
        "url": world.webhook_url,
        "has_custom_certificate": False,
        "pending_update_count": len(world.updates),
    }
    if world.webhook_url:
        info["max_connections"] = world.webhook_max_connections
        info["allowed_updates"] = sorted(world.allowed_updates)
    if world.webhook_error:
        info["last_error_message"] = world.webhook_error
    return info


def commands_key(scope: Any, language_code: str | None) -> tuple[str, str]:
    """Storage key for a command list; ``None`` scope is Telegram's default scope."""
    scope = scope if isinstance(scope, dict) else {"type": "default"}
    return json.dumps(scope, sort_keys=True), language_code or ""


async def set_my_commands(world: World, params: Params) -> Any:
    commands = params.json("commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    for command in commands:
        if not isinstance(command, dict) or not _COMMAND_RE.match(str(command.get("command"))):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 0 < len(str(command.get("description", ""))) <= _COMMAND_DESCRIPTION_LIMIT:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    key = commands_key(params.json("scope"), params.text("language_code"))
    world.commands[key] = [
        {"command": c["command"], "description": c["description"]} for c in commands
    ]
    world.hub.emit("commands", scope=key[0], language_code=key[1], commands=world.commands[key])
    return True


async def get_my_commands(world: World, params: Params) -> Any:
    return world.commands.get(commands_key(params.json("scope"), params.text("language_code")), [])


async def delete_my_commands(world: World, params: Params) -> Any:
    world.commands.pop(commands_key(params.json("scope"), params.text("language_code")), None)
    return True


async def set_chat_menu_button(world: World, params: Params) -> Any:
    chat_id = params.chat_id() if params.has("chat_id") else None
    chat_key = world.resolve_chat(chat_id).id if chat_id is not None else None
    world.menu_buttons[chat_key] = params.json("menu_button") or {"type": "default"}
    return True


async def get_chat_menu_button(world: World, params: Params) -> Any:
    chat_key = world.resolve_chat(params.chat_id()).id if params.has("chat_id") else None
    return world.menu_buttons.get(chat_key) or {"type": "commands"}


async def send_chat_action(world: World, params: Params) -> Any:
    chat = world.resolve_chat(params.chat_id())
    thread_id = world.ensure_can_send(chat, params.integer("message_thread_id"))
    action = params.text("action")
    if not action:
        raise bad_request("action is empty")
    world.hub.emit("chat_action", chat_id=chat.id, thread_id=thread_id, action=action)
    return True


async def answer_callback_query(world: World, params: Params) -> Any:
    query_id = params.text("callback_query_id") or ""
    if world.callback_queries.get(query_id, True):
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = params.text("text")
    if text and len(text) > _CALLBACK_TEXT_LIMIT:
        raise bad_request("MESSAGE_TOO_LONG")
    world.callback_queries[query_id] = True
    answer = {
        "callback_query_id": query_id,
        "text": text,
        "show_alert": params.flag("show_alert"),
        "url": params.text("url"),
        "cache_time": params.integer("cache_time") or 0,
    }
    world.callback_answers.append(answer)
    world.hub.emit("callback_answer", answer=answer)
    return True


async def harmless(world: World, params: Params) -> Any:
    return True


HANDLERS: dict[str, Handler] = {
    "getMe": get_me,
    "getUpdates": get_updates,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "setChatMenuButton": set_chat_menu_button,
    "getChatMenuButton": get_chat_menu_button,
    "sendChatAction": send_chat_action,
    "answerCallbackQuery": answer_callback_query,
    "close": harmless,
    "logOut": harmless,
}
