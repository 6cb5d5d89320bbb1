"""Messages without a file or a caption: location, venue, contact, poll and dice.

They are also what ``copyMessage`` has to treat with care: a copied poll is a new poll
(its own id, no votes), and a quiz can be copied only when the bot knows its answer.
"""

from __future__ import annotations

import copy
from typing import Any

from .compose import new_bot_message, prepare_send, publish
from .errors import bad_request
from .models import StoredMessage
from .params import Handler, Params
from .state import World

OBJECT_KINDS = frozenset({"location", "venue", "contact", "poll", "dice"})
# The faces Telegram rolls and the highest value of each.
DICE = {"🎲": 6, "🎯": 6, "🎳": 6, "🏀": 5, "⚽": 5, "🎰": 64}
_POLL_OPTIONS = (2, 12)


def location_fields(latitude: float, longitude: float) -> dict[str, Any]:
    return {"latitude": latitude, "longitude": longitude}


def venue_fields(latitude: float, longitude: float, title: str, address: str) -> dict[str, Any]:
    where = location_fields(latitude, longitude)
    # A venue message carries its location too, as in Telegram.
    return {"venue": {"location": where, "title": title, "address": address}, "location": where}


def poll_fields(
    world: World,
    question: str,
    options: list[str],
    *,
    quiz: bool = False,
    correct_option_id: int | None = None,
    anonymous: bool = True,
) -> dict[str, Any]:
    if not question:
        raise bad_request("poll question must be non-empty")
    if not _POLL_OPTIONS[0] <= len(options) <= _POLL_OPTIONS[1]:
        raise bad_request("poll must have 2-12 options")
    poll: dict[str, Any] = {
        "id": str(5 * 10**18 + world.unique_id()),
        "question": question,
        "options": [
            {"persistent_id": str(number), "text": text, "voter_count": 0}
            for number, text in enumerate(options)
        ],
        "total_voter_count": 0,
        "is_closed": False,
        "is_anonymous": anonymous,
        "type": "quiz" if quiz else "regular",
        "allows_multiple_answers": False,
        "allows_revoting": False,
        "members_only": False,
    }
    if quiz:
        if correct_option_id is None:
            raise bad_request("quiz poll must have a correct option")
        poll["correct_option_id"] = correct_option_id
    return {"poll": poll}


def dice_fields(world: World, emoji: str, value: int | None = None) -> dict[str, Any]:
    top = DICE.get(emoji)
    if top is None:
        raise bad_request("DICE_EMOJI_INVALID")
    return {"dice": {"emoji": emoji, "value": value or 1 + world.unique_id() % top}}


def copied_media(world: World, source: StoredMessage) -> dict[str, Any]:
    """The attachment of a copy: a poll is a new poll; a dice keeps the value it rolled."""
    media = copy.deepcopy(source.media)
    poll = media.get("poll")
    if poll is None:
        return media
    # The bot knows a quiz's answer only when it sent the quiz, or got it in a private chat.
    if poll["type"] == "quiz" and "correct_option_id" not in poll:
        raise bad_request("message can't be copied")
    options = [option["text"] for option in poll["options"]]
    return poll_fields(
        world,
        poll["question"],
        options,
        quiz=poll["type"] == "quiz",
        correct_option_id=poll.get("correct_option_id"),
        anonymous=poll["is_anonymous"],
    )


def _send(world: World, params: Params, kind: str, media: dict[str, Any]) -> Any:
    context = prepare_send(world, params)
    return publish(world, new_bot_message(world, context, kind=kind, media=media))


def _coordinates(params: Params) -> tuple[float, float]:
    try:
        return float(params.fields["latitude"]), float(params.fields["longitude"])
    except (KeyError, TypeError, ValueError):
        raise bad_request("wrong latitude or longitude") from None


async def send_location(world: World, params: Params) -> Any:
    return _send(world, params, "location", {"location": location_fields(*_coordinates(params))})


async def send_venue(world: World, params: Params) -> Any:
    title, address = params.text("title"), params.text("address")
    if not title or not address:
        raise bad_request("venue title and address must be non-empty")
    return _send(world, params, "venue", venue_fields(*_coordinates(params), title, address))


async def send_contact(world: World, params: Params) -> Any:
    phone, name = params.text("phone_number"), params.text("first_name")
    if not phone or not name:
        raise bad_request("contact phone number and first name must be non-empty")
    contact = {"phone_number": phone, "first_name": name}
    if last := params.text("last_name"):
        contact["last_name"] = last
    return _send(world, params, "contact", {"contact": contact})


async def send_poll(world: World, params: Params) -> Any:
    options = params.json("options")
    if not isinstance(options, list):
        raise bad_request("can't parse options JSON object")
    texts = [str(o.get("text", "")) if isinstance(o, dict) else str(o) for o in options]
    media = poll_fields(
        world,
        params.text("question") or "",
        texts,
        quiz=params.text("type") == "quiz",
        correct_option_id=params.integer("correct_option_id"),
        anonymous=params.flag("is_anonymous") if params.has("is_anonymous") else True,
    )
    return _send(world, params, "poll", media)


async def send_dice(world: World, params: Params) -> Any:
    return _send(world, params, "dice", dice_fields(world, params.text("emoji") or "🎲"))


HANDLERS: dict[str, Handler] = {
    "sendLocation": send_location,
    "sendVenue": send_venue,
    "sendContact": send_contact,
    "sendPoll": send_poll,
    "sendDice": send_dice,
}
