"""setMessageReaction: the bot reacting to a message.

Bots, like non-premium users, may set at most one reaction per message, only
from Telegram's fixed emoji set (or a custom emoji), and never paid ones. An
empty or missing list removes the bot's reaction. A reaction on an album item
lands on the first non-deleted message of the album, as the Bot API documents.
"""

from __future__ import annotations

from typing import Any

from .errors import bad_request
from .models import StoredMessage
from .params import Handler, Params
from .state import World

_MAX_BOT_REACTIONS = 1
# The emoji ReactionTypeEmoji accepts (note "❤" is without the U+FE0F variation selector).
ALLOWED_REACTION_EMOJI = frozenset(
    [
        "❤",
        "👍",
        "👎",
        "🔥",
        "🥰",
        "👏",
        "😁",
        "🤔",
        "🤯",
        "😱",
        "🤬",
        "😢",
        "🎉",
        "🤩",
        "🤮",
        "💩",
        "🙏",
        "👌",
        "🕊",
        "🤡",
        "🥱",
        "🥴",
        "😍",
        "🐳",
        "❤\u200d🔥",
        "🌚",
        "🌭",
        "💯",
        "🤣",
        "⚡",
        "🍌",
        "🏆",
        "💔",
        "🤨",
        "😐",
        "🍓",
        "🍾",
        "💋",
        "🖕",
        "😈",
        "😴",
        "😭",
        "🤓",
        "👻",
        "👨\u200d💻",
        "👀",
        "🎃",
        "🙈",
        "😇",
        "😨",
        "🤝",
        "✍",
        "🤗",
        "🫡",
        "🎅",
        "🎄",
        "☃",
        "💅",
        "🤪",
        "🗿",
        "🆒",
        "💘",
        "🙉",
        "🦄",
        "😘",
        "💊",
        "🙊",
        "😎",
        "👾",
        "🤷\u200d♂",
        "🤷",
        "🤷\u200d♀",
        "😡",
    ]
)


def _checked_reactions(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise bad_request("can't parse reaction types JSON object")
    if len(value) > _MAX_BOT_REACTIONS:
        raise bad_request("REACTIONS_TOO_MANY")
    result = []
    for item in value:
        kind = item.get("type")
        if kind == "emoji" and item.get("emoji") in ALLOWED_REACTION_EMOJI:
            result.append({"type": "emoji", "emoji": item["emoji"]})
        elif kind == "custom_emoji" and item.get("custom_emoji_id"):
            result.append({"type": "custom_emoji", "custom_emoji_id": item["custom_emoji_id"]})
        else:
            raise bad_request("REACTION_INVALID")
    return result


def _album_head(world: World, message: StoredMessage) -> StoredMessage:
    if message.media_group_id is None:
        return message
    return min(
        (
            other
            for other in world.messages.values()
            if other.chat_id == message.chat_id
            and other.media_group_id == message.media_group_id
            and not other.deleted
        ),
        key=lambda other: other.message_id,
    )


async def set_message_reaction(world: World, params: Params) -> Any:
    chat = world.resolve_chat(params.chat_id())
    message = world.find_message(chat.id, params.require_integer("message_id"))
    if message is None:
        raise bad_request("message to react not found")
    reactions = _checked_reactions(params.json("reaction"))
    target = _album_head(world, message)
    target.reactions = reactions
    world.hub.emit(
        "reaction",
        chat_id=chat.id,
        message_id=target.message_id,
        reaction=[dict(item) for item in reactions],
        is_big=params.flag("is_big"),
    )
    return True


HANDLERS: dict[str, Handler] = {"setMessageReaction": set_message_reaction}
