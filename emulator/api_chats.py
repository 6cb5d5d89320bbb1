"""Chat methods: chat info, membership and forum topics."""

from __future__ import annotations

from typing import Any

from .errors import bad_request
from .models import GENERAL_TOPIC_ID, PRESENT_STATUSES, ChatRecord, Topic
from .params import Handler, Params
from .state import World

_TOPIC_NAME_LIMIT = 128
_ADMIN_STATUSES = frozenset({"administrator", "creator"})
_ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_pin_messages",
    "can_manage_topics",
)
_RESTRICTED_FLAGS = (
    "can_send_messages",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_react_to_messages",
    "can_edit_tag",
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_manage_topics",
)


def member_to_api(status: str, user: dict[str, Any]) -> dict[str, Any]:
    """ChatMember object; every status variant carries its own required fields."""
    member: dict[str, Any] = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(dict.fromkeys(_ADMIN_RIGHTS, True))
        member.update(
            can_be_edited=False,
            is_anonymous=False,
            can_promote_members=False,
            can_send_welcome_messages=False,
        )
    elif status == "restricted":
        member.update(dict.fromkeys(_RESTRICTED_FLAGS, False))
        member.update(is_member=True, until_date=0)
    elif status == "kicked":
        member["until_date"] = 0
    return member


async def get_chat(world: World, params: Params) -> Any:
    return world.resolve_chat(params.chat_id()).full_info()


async def get_chat_member(world: World, params: Params) -> Any:
    chat = world.resolve_chat(params.chat_id())
    user = world.user_api(params.require_integer("user_id"))
    if user is None:
        raise bad_request("user not found")
    return member_to_api(world.member_status(chat, user["id"]), user)


async def get_chat_administrators(world: World, params: Params) -> Any:
    chat = world.resolve_chat(params.chat_id())
    return [
        member_to_api(status, world.user_api(user_id) or {})
        for user_id, status in chat.members.items()
        if status in _ADMIN_STATUSES and world.user_api(user_id)
    ]


async def get_chat_member_count(world: World, params: Params) -> Any:
    chat = world.resolve_chat(params.chat_id())
    if chat.is_private:
        return 2
    return sum(status in PRESENT_STATUSES for status in chat.members.values())


def _forum(world: World, params: Params, *, action: str) -> ChatRecord:
    chat = world.resolve_chat(params.chat_id())
    if not chat.is_forum:
        raise bad_request("the chat is not a forum")
    if world.member_status(chat, world.bot.id) not in _ADMIN_STATUSES:
        raise bad_request(f"not enough rights to {action} a topic")
    return chat


def _topic(world: World, params: Params, *, action: str) -> tuple[ChatRecord, Topic]:
    chat = _forum(world, params, action=action)
    thread_id = params.require_integer("message_thread_id")
    topic = chat.topics.get(thread_id)
    if topic is None or topic.deleted or thread_id == GENERAL_TOPIC_ID:
        raise bad_request("message thread not found")
    return chat, topic


def _checked_name(name: str | None) -> str:
    # TDLib would silently cut a long name to 128 characters; refusing instead makes a
    # bot that forgets to shorten customer-derived names fail loudly in tests.
    if not name or not name.strip():
        raise bad_request("TOPIC_TITLE_EMPTY")
    if len(name) > _TOPIC_NAME_LIMIT:
        raise bad_request("TOPIC_NAME_INVALID")
    return name


def _topic_event(world: World, chat: ChatRecord, topic: Topic, action: str) -> None:
    world.hub.emit(
        "topic", action=action, chat_id=chat.id, topic={**topic.to_api(), "closed": topic.closed}
    )


async def create_forum_topic(world: World, params: Params) -> Any:
    chat = _forum(world, params, action="create")
    name = _checked_name(params.text("name"))
    # The thread id is the id of the "topic created" service message, as in Telegram.
    service = world.new_message(chat, from_bot=True, sender_id=world.bot.id, kind="service")
    topic = Topic(thread_id=service.message_id, name=name)
    if (color := params.integer("icon_color")) is not None:
        topic.icon_color = color
    topic.icon_custom_emoji_id = params.text("icon_custom_emoji_id") or None
    chat.topics[topic.thread_id] = topic
    service.thread_id = topic.thread_id
    service.media = {"forum_topic_created": {"name": name, "icon_color": topic.icon_color}}
    _topic_event(world, chat, topic, "created")
    return topic.to_api()


async def edit_forum_topic(world: World, params: Params) -> Any:
    chat, topic = _topic(world, params, action="edit")
    name = _checked_name(params.text("name")) if params.has("name") else topic.name
    emoji = params.text("icon_custom_emoji_id")
    emoji = topic.icon_custom_emoji_id if emoji is None else emoji or None
    if (name, emoji) == (topic.name, topic.icon_custom_emoji_id):
        raise bad_request("TOPIC_NOT_MODIFIED")
    topic.name, topic.icon_custom_emoji_id = name, emoji
    _topic_event(world, chat, topic, "edited")
    return True


async def _set_closed(world: World, params: Params, *, closed: bool) -> Any:
    chat, topic = _topic(world, params, action="edit")
    if topic.closed == closed:
        raise bad_request("TOPIC_NOT_MODIFIED")
    topic.closed = closed
    _topic_event(world, chat, topic, "closed" if closed else "reopened")
    return True


async def close_forum_topic(world: World, params: Params) -> Any:
    return await _set_closed(world, params, closed=True)


async def reopen_forum_topic(world: World, params: Params) -> Any:
    return await _set_closed(world, params, closed=False)


async def delete_forum_topic(world: World, params: Params) -> Any:
    chat, topic = _topic(world, params, action="delete")
    topic.deleted = True
    for message in list(world.messages.values()):
        if message.chat_id == chat.id and message.thread_id == topic.thread_id:
            message.deleted = True
    _topic_event(world, chat, topic, "deleted")
    return True


HANDLERS: dict[str, Handler] = {
    "getChat": get_chat,
    "getChatMember": get_chat_member,
    "getChatAdministrators": get_chat_administrators,
    "getChatMemberCount": get_chat_member_count,
    "createForumTopic": create_forum_topic,
    "editForumTopic": edit_forum_topic,
    "closeForumTopic": close_forum_topic,
    "reopenForumTopic": reopen_forum_topic,
    "deleteForumTopic": delete_forum_topic,
}
