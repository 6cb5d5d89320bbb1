"""In-process Telegram Bot API emulator for end-to-end tests and the sandbox.

A real aiogram ``Bot`` talks HTTP to it exactly as to api.telegram.org::

    async with BotApiEmulator() as emu:
        bot = emu.create_bot()   # or Bot(token, session=AiohttpSession(
                                 #     api=TelegramAPIServer.from_base(emu.base_url)))
        alice = emu.add_user(1001, "Alice")
        emu.add_forum(-1001, "Support", members={2002: "administrator"})
        await alice.send("/start")              # pushed to the getUpdates queue
        reply = await alice.next_message()      # StoredMessage the bot sent back
        await alice.click(reply, "lang:ru")     # callback_query update

Simulated people (``SimUser``)
    Private chat: ``send``, ``send_photo``, ``send_document``, ``send_voice``, ``send_video``,
    ``send_audio``, ``send_animation``, ``send_video_note``, ``send_sticker``,
    ``send_contact``, ``send_location``, ``send_venue``, ``send_poll`` (a quiz with
    ``quiz_answer=``), ``send_dice``, ``forward_story``, ``send_media_group``, ``edit``
    (text, or caption of a media message), ``click``, ``click_forged`` (any callback data),
    ``press_reply_button``.
    ``user.in_topic(chat_id, thread_id)`` is the same person posting in a forum topic:
    each of those ``send_*`` goes there. Forum topics (agents):
    ``send_in_topic(chat_id, thread_id, text=None, *, photo=False, document=None,
    voice=False, caption=None, reply_to=None)``, ``send_media_group_in_topic(chat_id,
    thread_id, n=2, caption=None)``, ``edit_in_topic(message, new_text)``. Uploaded media
    get Telegram-shaped file_ids the bot can resend by id (``StoredMessage.file_id()``);
    as in Telegram, a photo id can't be sent as a document-like type or vice versa
    ("can't use file of type Photo as Document"), and inside the document family the file
    keeps its own type (sendDocument with a voice id sends a voice). The bot can send
    the same kinds (sendVideoNote, sendLocation, sendVenue, sendContact, sendPoll,
    sendDice); copyMessage makes a poll a new poll, keeps a dice's value, and refuses a
    quiz whose answer the bot does not know (one posted in a group by a person).

Reading what the bot did
    ``emu.messages(chat_id, thread_id=None)`` lists bot messages (``StoredMessage``:
    ``text`` plain, ``html`` as sent, ``entities`` with UTF-16 offsets, ``reply_markup``
    dict, ``media``, ``thread_id``, ``edited``, ``deleted``, ``date``).
    ``await emu.wait_message(chat_id, thread_id=..., timeout=..., predicate=...)`` and
    ``await user.next_message()`` return the oldest bot message of that chat not returned
    by an earlier wait (a per-chat cursor); messages skipped by a filter stay available.
    ``thread_id=None`` means any thread, ``1`` the General topic. On timeout they raise
    ``AssertionError`` listing the chat's recent bot messages.
    Edits update the stored message in place and are journaled: ``await
    emu.wait_edit(chat_id, message_id=None)`` returns a snapshot after the next edit.
    ``await emu.wait_callback_answer()`` does the same for answerCallbackQuery, and
    ``await emu.wait_for(predicate, timeout)`` waits for any condition.

Events
    ``emu.subscribe(callback)`` calls ``callback(event)`` (sync or async) for each
    event; ``emu.events`` keeps them all. Events are JSON-serialisable dicts with
    ``seq``, ``type``, ``time`` and per-type fields:

    * ``bot_message`` / ``bot_edit``: ``chat_id``, ``thread_id``, ``message`` (snapshot)
    * ``message_deleted``: ``chat_id``, ``message_id``, ``from_bot``
    * ``update``: ``update`` - the exact Update a simulated user pushed
    * ``callback_answer``: ``answer``; ``chat_action``: ``chat_id``, ``thread_id``, ``action``
    * ``topic``: ``action`` (created/edited/closed/reopened/deleted), ``chat_id``, ``topic``
    * ``commands``: ``scope``, ``language_code``, ``commands``
    * ``reaction``: ``chat_id``, ``message_id``, ``reaction`` (list), ``is_big`` - from
      setMessageReaction; also stored in ``StoredMessage.reactions``

Webhook
    Once the bot calls setWebhook, each update is POSTed to its URL instead of waiting
    for getUpdates (which then answers 409), as Telegram does: with the secret token
    header, sent again after anything but a 200, up to ``max_connections`` at once in
    order. ``emu.webhooks.proxy = "http://127.0.0.1:8081"`` stands for the TLS proxy in
    front of the bot (the https URL's origin is replaced, its path kept);
    ``emu.webhooks.deliveries`` lists each POST as ``(update_id, status)``.

Faults and limits
    ``emu.fail_next(method, status, retry_after=..., times=...)``,
    ``emu.set_failure_rate(rate, statuses, retry_after, seed)``, ``latency=`` and
    ``enforce_limits=True`` (``group_limit_per_minute``, ``private_limit_per_second``,
    ``private_burst``).
    Every call is recorded in ``emu.calls`` as ``(method, params)``.

Fidelity notes: only the HTML parse mode is emulated (others get 400), and with
``strict_html=True`` (default) a bare ``&`` is rejected although Telegram keeps it.
Topic names over 128 characters are rejected (TOPIC_NAME_INVALID) where TDLib would
silently truncate them. Photos carry a single PhotoSize, and messages in a topic that
reply to nothing have no ``reply_to_message`` (Telegram points it at the topic's
"topic created" service message).
"""

from .client import SimUser
from .emulator import BotApiEmulator
from .errors import ApiError, SimulationError
from .events import Event
from .html import HtmlParseError, parse_html
from .models import ChatRecord, StoredFile, StoredMessage, Topic, UserRecord
from .server import ApiCall

__all__ = [
    "ApiCall",
    "ApiError",
    "BotApiEmulator",
    "ChatRecord",
    "Event",
    "HtmlParseError",
    "SimUser",
    "SimulationError",
    "StoredFile",
    "StoredMessage",
    "Topic",
    "UserRecord",
    "parse_html",
]
