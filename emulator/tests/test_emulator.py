"""Tests for the Telegram Bot API emulator (emulator), driven by a real aiogram Bot."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.filters import Command, CommandObject
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaDocument,
    InputMediaPhoto,
    KeyboardButton,
    Message,
    ReactionTypeEmoji,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
    Update,
)
from aiohttp import web

from emulator import BotApiEmulator, HtmlParseError, SimulationError, parse_html
from emulator.client import FAKE_JPEG

USER_ID = 1001
FORUM_ID = -1001234567890
AGENT_ID = 2002


class QuickCloseSession(AiohttpSession):
    """AiohttpSession without the 250 ms TLS drain sleep on close.

    Plain loopback HTTP has nothing to drain, and the sleep would dominate this suite.
    """

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=f"btn {d}", callback_data=d)] for d in data]
    )


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    emulator = BotApiEmulator()
    await emulator.start()
    emulator.add_user(USER_ID, "Alice", username="alice")
    yield emulator
    await emulator.stop()


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    session = QuickCloseSession(api=TelegramAPIServer.from_base(emu.base_url))
    client = Bot(
        emu.token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML)
    )
    yield client
    await client.session.close()


@pytest.fixture
def forum(emu: BotApiEmulator) -> int:
    emu.add_forum(FORUM_ID, "Support agents", members={AGENT_ID: "administrator"})
    return FORUM_ID


# --- HTML parse mode (pure) -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "text", "entities"),
    [
        ("<b>bold</b> <i>it</i>", "bold it", [("bold", 0, 4), ("italic", 5, 2)]),
        ("😀 <u>x</u>", "😀 x", [("underline", 3, 1)]),
        ("&lt;b&gt; &amp; &quot; &#65;&#x42;", '<b> & " AB', []),
        ('<pre><code class="language-py">x = 1</code></pre>', "x = 1", [("pre", 0, 5)]),
        (
            '<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>',
            "st",
            [("spoiler", 0, 1), ("spoiler", 1, 1)],
        ),
        ("<blockquote expandable>q</blockquote>", "q", [("expandable_blockquote", 0, 1)]),
        (
            "<s>a</s><del>b</del><strike>c</strike>",
            "abc",
            [("strikethrough", i, 1) for i in range(3)],
        ),
        ("<b></b>x", "x", []),
    ],
)
def test_parse_html_produces_plain_text_and_utf16_entities(
    source: str, text: str, entities: list[tuple[str, int, int]]
) -> None:
    plain, parsed = parse_html(source)
    assert plain == text
    assert [(e["type"], e["offset"], e["length"]) for e in parsed] == entities


def test_parse_html_links_language_and_custom_emoji() -> None:
    _, entities = parse_html(
        '<a href="https://example.com/?a=1&amp;b=2">l</a><pre><code class="language-python">'
        'p</code></pre><tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )
    assert entities[0]["url"] == "https://example.com/?a=1&b=2"
    assert entities[1]["language"] == "python"
    assert entities[2] == {
        "type": "custom_emoji",
        "offset": 2,
        "length": 2,
        "custom_emoji_id": "5368324170671202286",
    }


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("<b>unclosed", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 0'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("Tom & Jerry", 'Character "&" must be escaped as "&amp;" at byte offset 4'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<b", "Unclosed start tag at byte offset 0"),
    ],
)
def test_parse_html_rejects_malformed_markup(source: str, error: str) -> None:
    with pytest.raises(HtmlParseError) as info:
        parse_html(source)
    assert str(info.value) == error


def test_parse_html_bare_ampersand_is_literal_when_not_strict() -> None:
    assert parse_html("Tom & Jerry", strict_ampersand=False) == ("Tom & Jerry", [])


# --- a real Dispatcher polling the emulator -----------------------------------------------


async def test_dispatcher_polling_echo_round_trip(emu: BotApiEmulator) -> None:
    seen_entities: list[Any] = []
    dispatcher = Dispatcher()

    @dispatcher.message(F.text)
    async def echo(message: Message) -> None:
        seen_entities.append(message.entities)
        await message.answer(f"echo: <b>{message.html_text}</b>")

    bot = Bot(
        emu.token,
        session=AiohttpSession(api=TelegramAPIServer.from_base(emu.base_url)),
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )
    polling = asyncio.create_task(
        dispatcher.start_polling(bot, handle_signals=False, polling_timeout=5)
    )
    alice = emu.user(USER_ID)
    try:
        await alice.send("/start")
        first = await alice.next_message()
        await alice.send("1 < 2 & <b>")
        second = await alice.next_message()
    finally:
        await dispatcher.stop_polling()
        await asyncio.wait_for(polling, 5)

    assert first.text == "echo: /start"
    assert first.html == "echo: <b>/start</b>"
    assert {"type": "bold", "offset": 6, "length": 6} in first.entities
    assert seen_entities[0][0].type == "bot_command"
    assert seen_entities[0][0].offset == 0
    assert second.text == "echo: 1 < 2 & <b>"
    assert [c.method for c in emu.calls][:1] == ["getMe"]


# --- transport ------------------------------------------------------------------------------


async def test_wrong_token_is_unauthorized(emu: BotApiEmulator) -> None:
    session = QuickCloseSession(api=TelegramAPIServer.from_base(emu.base_url))
    intruder = Bot("999:WRONG", session=session)
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await intruder.get_me()
    finally:
        await session.close()
    assert emu.calls == []


async def test_raw_http_unknown_method_json_body_and_query(emu: BotApiEmulator) -> None:
    base = f"{emu.base_url}/bot{emu.token}"
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{base}/fooBar") as response:
            assert response.status == 404
            assert await response.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found: method not found",
            }
        async with http.post(
            f"{base}/sendMessage", json={"chat_id": USER_ID, "text": "from json"}
        ) as response:
            body = await response.json()
            assert body["ok"] is True
            assert body["result"]["text"] == "from json"
        async with http.get(f"{base}/getme") as response:
            assert (await response.json())["result"]["username"] == "support_bot"


async def test_latency_is_applied_per_call(emu: BotApiEmulator, bot: Bot) -> None:
    emu.latency = 1.0
    slow = asyncio.create_task(bot.get_me())
    await emu.wait_for(lambda: emu.calls_to("getMe"))  # it arrived, and waits out its latency
    emu.latency = 0
    await bot.get_me()
    assert not slow.done()  # the call made later, without latency, was answered first
    assert (await slow).username == "support_bot"


# --- validation -----------------------------------------------------------------------------


async def test_message_length_limits_count_text_after_parsing(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(USER_ID, "a" * 4097)
    sent = await bot.send_message(USER_ID, "<b>" + "a" * 4096 + "</b>")
    assert sent.text is not None
    assert len(sent.text) == 4096
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(USER_ID, "  <b> </b> ")


async def test_caption_limit(bot: Bot) -> None:
    photo = BufferedInputFile(FAKE_JPEG, "p.jpg")
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_photo(USER_ID, photo, caption="c" * 1025)


async def test_callback_data_over_64_bytes_rejected(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(USER_ID, "pick", reply_markup=keyboard("й" * 32 + "x"))
    sent = await bot.send_message(USER_ID, "pick", reply_markup=keyboard("й" * 32))
    assert sent.reply_markup is not None


async def test_more_than_100_buttons_rejected(bot: Bot) -> None:
    def buttons(count: int) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup(
            inline_keyboard=[
                [InlineKeyboardButton(text=str(n), callback_data=str(n))] for n in range(count)
            ]
        )

    with pytest.raises(TelegramBadRequest, match="reply markup is too long"):
        await bot.send_message(USER_ID, "pick", reply_markup=buttons(101))
    assert (await bot.send_message(USER_ID, "pick", reply_markup=buttons(100))).reply_markup


@pytest.mark.parametrize("bad", ["<b>unclosed", "<foo>x</foo>", "a < b", "Tom & Jerry"])
async def test_malformed_html_rejected(bot: Bot, bad: str) -> None:
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(USER_ID, bad)


async def test_escaped_html_is_accepted_and_stored_plain(emu: BotApiEmulator, bot: Bot) -> None:
    sent = await bot.send_message(USER_ID, "&lt;b&gt;")
    assert sent.text == "<b>"
    stored = await emu.wait_message(USER_ID)
    assert (stored.text, stored.html, stored.entities) == ("<b>", "&lt;b&gt;", [])


async def test_plain_text_without_parse_mode_is_not_parsed(bot: Bot) -> None:
    sent = await bot.send_message(USER_ID, "<b>raw & raw</b>", parse_mode=None)
    assert sent.text == "<b>raw & raw</b>"


async def test_unknown_chat_and_blocked_user(emu: BotApiEmulator, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(424242, "hi")
    emu.block_bot(USER_ID)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(USER_ID, "hi")
    updates = await bot.get_updates(timeout=0)
    assert updates[-1].my_chat_member is not None
    assert updates[-1].my_chat_member.new_chat_member.status == "kicked"
    emu.unblock_bot(USER_ID)
    await bot.send_message(USER_ID, "welcome back")


async def test_user_who_never_started_the_bot_cannot_be_messaged(
    emu: BotApiEmulator, bot: Bot
) -> None:
    emu.add_user(3003, "Shy", started=False)
    with pytest.raises(TelegramForbiddenError, match="can't initiate conversation"):
        await bot.send_message(3003, "hi")


# --- faults and limits ----------------------------------------------------------------------


async def test_fail_next_injects_retry_after_and_server_errors(
    emu: BotApiEmulator, bot: Bot
) -> None:
    emu.fail_next("sendMessage", 429, retry_after=7)
    with pytest.raises(TelegramRetryAfter) as info:
        await bot.send_message(USER_ID, "x")
    assert info.value.retry_after == 7
    emu.fail_next(None, 500, times=2)
    for _ in range(2):
        with pytest.raises(TelegramServerError):
            await bot.get_me()
    await bot.send_message(USER_ID, "now it works")
    assert [c.method for c in emu.calls].count("sendMessage") == 2


async def test_failure_rate_is_deterministic_with_seed(emu: BotApiEmulator, bot: Bot) -> None:
    async def outcomes() -> list[str]:
        emu.set_failure_rate(0.5, statuses=(429, 500), seed=42)
        result = []
        for _ in range(12):
            try:
                await bot.send_message(USER_ID, "x")
                result.append("ok")
            except TelegramRetryAfter as exc:
                result.append(f"429/{exc.retry_after}")
            except TelegramServerError:
                result.append("500")
        return result

    first = await outcomes()
    assert first == await outcomes()
    assert {"ok", "429/1", "500"} <= set(first)
    await bot.get_me()  # not a send* method, never fails


async def test_flood_limits_when_enforced() -> None:
    emulator = BotApiEmulator(enforce_limits=True, group_limit_per_minute=3)
    async with emulator:
        emulator.add_user(USER_ID, "Alice")
        emulator.add_group(-100777, "Group")
        client = emulator.create_bot()
        try:
            for index in range(3):
                await client.send_message(-100777, f"m{index}")
            with pytest.raises(TelegramRetryAfter) as group_info:
                await client.send_message(-100777, "too many")
            await client.send_message(USER_ID, "first")
            with pytest.raises(TelegramRetryAfter) as private_info:
                await client.send_message(USER_ID, "burst")
        finally:
            await client.session.close()
    assert 1 <= group_info.value.retry_after <= 60
    assert private_info.value.retry_after == 1


# --- long polling ---------------------------------------------------------------------------


async def test_long_polling_wakes_up_on_new_update(emu: BotApiEmulator, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await emu.wait_for(lambda: emu.calls_to("getUpdates"))  # the poll is waiting
    assert not poll.done()
    await emu.user(USER_ID).send("ping")
    # Woken by the update: waiting out its own half minute would fail this guard first.
    updates = await asyncio.wait_for(poll, 10)
    assert updates[0].message is not None
    assert updates[0].message.text == "ping"

    await emu.user(USER_ID).send("pong")
    again = await bot.get_updates(timeout=0)
    assert [u.update_id for u in again] == [updates[0].update_id, updates[0].update_id + 1]
    confirmed = await bot.get_updates(offset=again[-1].update_id + 1, timeout=0)
    assert confirmed == []


async def test_long_polling_times_out_empty_and_honours_allowed_updates(
    emu: BotApiEmulator, bot: Bot
) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=1))
    await emu.wait_for(lambda: emu.calls_to("getUpdates"))
    assert not poll.done()  # it waits for something to come
    assert await poll == []  # and nothing came: empty at its deadline
    await emu.user(USER_ID).send("dropped: not allowed")
    assert await bot.get_updates(timeout=0, allowed_updates=["callback_query"]) == []
    sent = await bot.send_message(USER_ID, "q", reply_markup=keyboard("a"))
    await emu.user(USER_ID).click(sent.message_id, "a")
    updates = await bot.get_updates(timeout=0, limit=5)
    assert [u.callback_query is not None for u in updates] == [True]


# --- callbacks and edits --------------------------------------------------------------------


async def test_callback_click_answer_and_edit_flow(emu: BotApiEmulator, bot: Bot) -> None:
    alice = emu.user(USER_ID)
    await bot.send_message(USER_ID, "Choose", reply_markup=keyboard("yes", "no"))
    shown = await alice.next_message()
    assert shown.callback_data() == ["yes", "no"]
    with pytest.raises(SimulationError, match="no callback button 'maybe'"):
        await alice.click(shown, "maybe")

    query = await alice.click(shown, "yes")
    [update] = await bot.get_updates(timeout=0)
    callback = update.callback_query
    assert isinstance(callback, CallbackQuery)
    assert callback.id == query["id"]
    assert callback.data == "yes"
    assert callback.message is not None
    assert callback.message.message_id == shown.message_id

    await callback.answer("Saved", show_alert=True)
    answer = await emu.wait_callback_answer(query["id"])
    assert (answer["text"], answer["show_alert"]) == ("Saved", True)
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query["id"])

    await bot.edit_message_text("Chosen: <i>yes</i>", chat_id=USER_ID, message_id=shown.message_id)
    edited = await emu.wait_edit(USER_ID, shown.message_id)
    assert (edited.text, edited.reply_markup, edited.edited) == ("Chosen: yes", None, True)
    assert shown.text == "Chosen: yes"  # the stored message is updated in place
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            "Chosen: <i>yes</i>", chat_id=USER_ID, message_id=shown.message_id
        )
    await bot.edit_message_reply_markup(
        chat_id=USER_ID, message_id=shown.message_id, reply_markup=keyboard("undo")
    )
    assert (await emu.wait_edit(USER_ID)).callback_data() == ["undo"]


async def test_edit_and_delete_unknown_messages(emu: BotApiEmulator, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER_ID, message_id=999)
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(USER_ID, 999)
    sent = await bot.send_message(USER_ID, "temporary")
    assert await bot.delete_message(USER_ID, sent.message_id) is True
    assert emu.messages(USER_ID) == []
    assert emu.events[-1]["type"] == "message_deleted"
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(USER_ID, sent.message_id)


async def test_user_edits_and_replies(emu: BotApiEmulator, bot: Bot) -> None:
    alice = emu.user(USER_ID)
    mine = await alice.send("helo")
    await alice.edit(mine, "hello")
    reply = await bot.send_message(
        USER_ID, "answer", reply_parameters=ReplyParameters(message_id=mine.message_id)
    )
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.text == "hello"
    updates = await bot.get_updates(timeout=0)
    assert updates[-1].edited_message is not None
    assert updates[-1].edited_message.text == "hello"
    with pytest.raises(TelegramBadRequest, match="message to be replied not found"):
        await bot.send_message(USER_ID, "x", reply_to_message_id=777)


# --- forum topics ---------------------------------------------------------------------------


async def test_forum_topic_lifecycle(emu: BotApiEmulator, bot: Bot, forum: int) -> None:
    topic = await bot.create_forum_topic(forum, "Ticket #1")
    thread = topic.message_thread_id
    sent = await bot.send_message(forum, "New ticket", message_thread_id=thread)
    assert (sent.message_thread_id, sent.is_topic_message) == (thread, True)
    assert [m.text for m in emu.messages(forum, thread)] == ["New ticket"]

    assert await bot.edit_forum_topic(forum, thread, name="Ticket #1 [urgent]")
    assert emu.topic(forum, thread).name == "Ticket #1 [urgent]"
    await bot.close_forum_topic(forum, thread)
    with pytest.raises(TelegramBadRequest, match="TOPIC_CLOSED"):
        await bot.send_message(forum, "late", message_thread_id=thread)
    await bot.reopen_forum_topic(forum, thread)
    await bot.send_message(forum, "reopened", message_thread_id=thread)

    await bot.delete_forum_topic(forum, thread)
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(forum, "gone", message_thread_id=thread)
    topic_events = [(e["action"], e["topic"]["name"]) for e in emu.events if e["type"] == "topic"]
    assert topic_events[0] == ("created", "Ticket #1")
    assert [action for action, _ in topic_events] == [
        "created",
        "edited",
        "closed",
        "reopened",
        "deleted",
    ]


async def test_agent_posts_in_topic_and_membership(
    emu: BotApiEmulator, bot: Bot, forum: int
) -> None:
    topic = await bot.create_forum_topic(forum, "Ticket #2")
    await emu.user(AGENT_ID).send_in_topic(forum, topic.message_thread_id, "Hi, agent here")
    [update] = await bot.get_updates(timeout=0)
    message = update.message
    assert message is not None
    assert (message.chat.type, message.chat.is_forum) == ("supergroup", True)
    assert (message.message_thread_id, message.is_topic_message) == (
        topic.message_thread_id,
        True,
    )

    chat = await bot.get_chat(forum)
    assert chat.is_forum
    agent = await bot.get_chat_member(forum, AGENT_ID)
    me = await bot.get_chat_member(forum, emu.bot_id)
    stranger = await bot.get_chat_member(forum, USER_ID)
    assert (agent.status, me.status, stranger.status) == ("administrator", "administrator", "left")
    emu.add_group_member(forum, USER_ID, "creator")
    assert (await bot.get_chat_member(forum, USER_ID)).status == "creator"
    with pytest.raises(SimulationError):
        await emu.user(AGENT_ID).send_in_topic(forum, 9999, "nowhere")


# --- media ----------------------------------------------------------------------------------


async def test_bot_media_upload_getfile_and_download(emu: BotApiEmulator, bot: Bot) -> None:
    photo = await bot.send_photo(USER_ID, BufferedInputFile(b"img", "a.jpg"), caption="<b>p</b>")
    assert photo.photo is not None
    assert photo.caption == "p"
    file_id = photo.photo[-1].file_id
    assert emu.file_bytes(file_id) == b"img"
    document = await bot.send_document(USER_ID, BufferedInputFile(b"%PDF", "r.pdf"))
    assert document.document is not None
    assert document.document.file_name == "r.pdf"
    again = await bot.send_photo(USER_ID, file_id)
    assert again.photo is not None
    assert again.photo[-1].file_id == file_id
    voice = await bot.send_voice(USER_ID, BufferedInputFile(b"ogg", "v.ogg"))
    video = await bot.send_video(USER_ID, BufferedInputFile(b"mp4", "v.mp4"))
    sticker = await bot.send_sticker(USER_ID, BufferedInputFile(b"webp", "s.webp"))
    assert (voice.voice, video.video, sticker.sticker) != (None, None, None)

    info = await bot.get_file(file_id)
    assert info.file_path is not None
    downloaded = await bot.download_file(info.file_path)
    assert downloaded is not None
    assert downloaded.read() == b"img"
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.get_file("nope")
    assert [m.kind for m in emu.messages(USER_ID)] == [
        "photo",
        "document",
        "photo",
        "voice",
        "video",
        "sticker",
    ]


async def test_bot_media_group(emu: BotApiEmulator, bot: Bot) -> None:
    first = await bot.send_photo(USER_ID, BufferedInputFile(b"1", "1.jpg"))
    assert first.photo is not None
    album = await bot.send_media_group(
        USER_ID,
        [
            InputMediaPhoto(media=BufferedInputFile(b"2", "2.jpg"), caption="<i>two</i>"),
            InputMediaPhoto(media=first.photo[-1].file_id),
        ],
    )
    assert len({m.media_group_id for m in album}) == 1
    assert [m.caption for m in album] == ["two", None]
    with pytest.raises(TelegramBadRequest, match="can't be mixed"):
        await bot.send_media_group(
            USER_ID,
            [
                InputMediaPhoto(media=first.photo[-1].file_id),
                InputMediaDocument(media=BufferedInputFile(b"d", "d.txt")),
            ],
        )
    assert len(emu.messages(USER_ID)) == 3


async def test_user_media_contact_and_album_updates(emu: BotApiEmulator, bot: Bot) -> None:
    alice = emu.user(USER_ID)
    await alice.send_photo(caption="receipt")
    await alice.send_document("order.pdf")
    await alice.send_voice()
    await alice.send_sticker()
    await alice.send_contact("+79990001122")
    album = await alice.send_media_group(3, "three photos")
    updates = await bot.get_updates(timeout=0)
    messages = [u.message for u in updates if u.message is not None]
    assert len(messages) == 8
    photo_message, document, voice, sticker, contact = messages[:5]
    assert photo_message.caption == "receipt"
    assert photo_message.photo is not None
    info = await bot.get_file(photo_message.photo[-1].file_id)
    assert info.file_path is not None
    downloaded = await bot.download_file(info.file_path)
    assert downloaded is not None
    assert downloaded.read() == FAKE_JPEG
    assert document.document is not None
    assert document.document.file_name == "order.pdf"
    assert (voice.voice is not None, sticker.sticker is not None) == (True, True)
    assert contact.contact is not None
    assert (contact.contact.phone_number, contact.contact.user_id) == ("+79990001122", USER_ID)
    group_ids = {m.media_group_id for m in messages[5:]}
    assert group_ids == {album[0].media_group_id}
    assert [m.caption for m in messages[5:]] == ["three photos", None, None]


async def test_copy_and_forward(emu: BotApiEmulator, bot: Bot, forum: int) -> None:
    photo = await emu.user(USER_ID).send_photo(caption="from customer")
    copied = await bot.copy_message(forum, USER_ID, photo.message_id, caption="<b>copy</b>")
    stored = emu.messages(forum)[-1]
    assert (stored.message_id, stored.kind, stored.text) == (copied.message_id, "photo", "copy")
    forwarded = await bot.forward_message(forum, USER_ID, photo.message_id)
    assert forwarded.forward_origin is not None
    assert forwarded.caption == "from customer"
    with pytest.raises(TelegramBadRequest, match="message to copy not found"):
        await bot.copy_message(forum, USER_ID, 999)


# --- keyboards, commands, misc --------------------------------------------------------------


async def test_reply_keyboard_tracking(emu: BotApiEmulator, bot: Bot) -> None:
    alice = emu.user(USER_ID)
    markup = ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text="Share phone", request_contact=True)]],
        one_time_keyboard=True,
    )
    sent = await bot.send_message(USER_ID, "Need your phone", reply_markup=markup)
    assert sent.reply_markup is None  # Telegram only echoes inline keyboards
    assert (await alice.next_message()).button_texts() == ["Share phone"]
    await alice.press_reply_button("Share phone", require_button=True)
    assert emu.chat(USER_ID).reply_keyboard is None
    with pytest.raises(SimulationError):
        await alice.press_reply_button("Share phone", require_button=True)
    await bot.send_message(USER_ID, "k", reply_markup=ReplyKeyboardRemove())


async def test_commands_menu_webhook_and_chat_action(emu: BotApiEmulator, bot: Bot) -> None:
    scope = BotCommandScopeAllPrivateChats()
    commands = [BotCommand(command="start", description="Start")]
    assert await bot.set_my_commands(commands, scope=scope, language_code="ru")
    assert emu.commands({"type": "all_private_chats"}, "ru") == [
        {"command": "start", "description": "Start"}
    ]
    fetched = await bot.get_my_commands(scope=scope, language_code="ru")
    assert [(c.command, c.description) for c in fetched] == [("start", "Start")]
    assert await bot.get_my_commands() == []
    await bot.delete_my_commands(scope=scope, language_code="ru")
    assert emu.commands({"type": "all_private_chats"}, "ru") is None
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Bad Command", description="x")])

    assert await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.set_chat_menu_button()
    assert await bot.send_chat_action(USER_ID, "typing")
    assert emu.events[-1]["action"] == "typing"
    assert await bot.log_out()
    assert await bot.close()


async def test_wait_message_timeout_lists_recent_messages(emu: BotApiEmulator, bot: Bot) -> None:
    await bot.send_message(USER_ID, "already seen")
    await emu.wait_message(USER_ID)
    with pytest.raises(AssertionError, match="already seen") as info:
        await emu.wait_message(USER_ID, timeout=0.1)
    assert "already consumed" in str(info.value)
    with pytest.raises(AssertionError, match="not met"):
        await emu.wait_for(lambda: None, timeout=0.05)


async def test_wait_message_predicate_and_thread_filters(
    emu: BotApiEmulator, bot: Bot, forum: int
) -> None:
    topic = await bot.create_forum_topic(forum, "T")
    await bot.send_message(forum, "general")
    await bot.send_message(forum, "in topic", message_thread_id=topic.message_thread_id)
    in_topic = await emu.wait_message(forum, thread_id=topic.message_thread_id)
    general = await emu.wait_message(forum, thread_id=1)
    assert (in_topic.text, general.text) == ("in topic", "general")
    later = asyncio.create_task(
        emu.wait_message(USER_ID, predicate=lambda m: "2" in (m.text or ""))
    )
    await bot.send_message(USER_ID, "msg 1")
    await bot.send_message(USER_ID, "msg 2")
    assert (await later).text == "msg 2"
    assert (await emu.wait_message(USER_ID)).text == "msg 1"


async def test_subscribers_receive_json_serialisable_events(emu: BotApiEmulator, bot: Bot) -> None:
    received: list[dict[str, Any]] = []
    unsubscribe = emu.subscribe(received.append)
    await emu.user(USER_ID).send("hi")
    sent = await bot.send_message(USER_ID, "<b>hello</b>", reply_markup=keyboard("x"))
    await bot.edit_message_text("bye", chat_id=USER_ID, message_id=sent.message_id)
    await bot.delete_message(USER_ID, sent.message_id)
    unsubscribe()
    await bot.send_message(USER_ID, "unobserved")
    assert [e["type"] for e in received] == [
        "update",
        "bot_message",
        "bot_edit",
        "message_deleted",
    ]
    assert received[1]["message"]["html"] == "<b>hello</b>"
    assert received[1]["message"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "x"
    json.dumps(received)
    assert Update.model_validate(received[0]["update"]).message is not None


# --- agents' forum: topics, media by file_id, reactions -----------------------------------


@pytest.fixture
async def forum_bot(emu: BotApiEmulator, forum: int) -> AsyncIterator[Bot]:
    client = emu.create_bot()
    yield client
    await client.session.close()


async def _topic(bot: Bot, forum: int, name: str = "Ticket") -> int:
    return (await bot.create_forum_topic(forum, name)).message_thread_id


async def test_agent_commands_and_replies_in_topic(
    emu: BotApiEmulator, forum_bot: Bot, forum: int
) -> None:
    thread = await _topic(forum_bot, forum)
    other = await _topic(forum_bot, forum, "Other")
    card = await forum_bot.send_message(forum, "New ticket", message_thread_id=thread)
    agent = emu.user(AGENT_ID)
    take = await agent.send_in_topic(forum, thread, "/take@support_bot")
    assert take.entities == [{"type": "bot_command", "offset": 0, "length": 17}]
    reply_target = emu.messages(forum, thread)[0]
    await agent.send_in_topic(forum, thread, "/note call back", reply_to=reply_target)
    await agent.send_in_topic(forum, thread, "/take@other_bot")
    with pytest.raises(SimulationError, match="not 3"):
        await agent.send_in_topic(forum, other, "wrong thread", reply_to=reply_target)
    with pytest.raises(SimulationError, match="empty"):
        await agent.send_in_topic(forum, thread, "   ")

    seen: list[tuple[str, str | None, int | None, int | None]] = []
    dispatcher = Dispatcher()

    @dispatcher.message(Command("take", "note"))
    async def on_command(message: Message, command: CommandObject) -> None:
        replied = message.reply_to_message
        seen.append(
            (
                command.command,
                command.args,
                message.message_thread_id,
                replied.message_id if replied else None,
            )
        )

    for update in await forum_bot.get_updates(timeout=0):
        assert update.message is not None
        assert (update.message.message_thread_id, update.message.is_topic_message) == (
            thread,
            True,
        )
        await dispatcher.feed_update(forum_bot, update)
    assert seen == [
        ("take", None, thread, None),
        ("note", "call back", thread, card.message_id),
    ]


async def test_agent_media_in_topic_is_resendable_by_file_id(
    emu: BotApiEmulator, forum_bot: Bot, forum: int
) -> None:
    thread = await _topic(forum_bot, forum)
    agent, alice = emu.user(AGENT_ID), emu.user(USER_ID)
    photo = await agent.send_in_topic(forum, thread, photo=True, caption="screenshot")
    document = await agent.send_in_topic(forum, thread, document="invoice.pdf", caption="inv")
    voice = await agent.send_in_topic(forum, thread, voice=True, reply_to=photo)
    video = await alice.send_video("clip")
    sticker = await alice.send_sticker("👌")
    with pytest.raises(SimulationError, match="caption="):
        await agent.send_in_topic(forum, thread, "text", photo=True)
    with pytest.raises(SimulationError, match="one attachment"):
        await agent.send_in_topic(forum, thread, photo=True, voice=True)

    updates = [u.message for u in await forum_bot.get_updates(timeout=0)]
    got_photo, got_document, got_voice = updates[:3]
    assert got_photo is not None
    assert got_photo.photo is not None
    assert (got_photo.caption, got_photo.message_thread_id) == ("screenshot", thread)
    assert got_document is not None
    assert got_document.document is not None
    assert (got_document.document.file_name, got_document.document.mime_type) == (
        "invoice.pdf",
        "application/pdf",
    )
    assert got_voice is not None
    assert got_voice.voice is not None
    assert got_voice.reply_to_message is not None
    assert got_voice.reply_to_message.message_id == photo.message_id
    photo_id = got_photo.photo[-1].file_id
    assert photo_id == photo.file_id()
    assert photo_id.startswith("AgAC")
    assert len(photo_id) > 50
    assert got_photo.photo[-1].file_unique_id.startswith("AQAD")
    assert len({m.file_id() for m in (photo, document, voice, video, sticker)}) == 5

    sends = [
        await forum_bot.send_photo(USER_ID, str(photo.file_id()), caption="from agent"),
        await forum_bot.send_document(USER_ID, str(document.file_id())),
        await forum_bot.send_voice(USER_ID, str(voice.file_id())),
        await forum_bot.send_video(forum, str(video.file_id()), message_thread_id=thread),
        await forum_bot.send_sticker(forum, str(sticker.file_id()), message_thread_id=thread),
    ]
    assert [s.content_type for s in sends] == ["photo", "document", "voice", "video", "sticker"]
    stored = [*emu.messages(USER_ID), *emu.messages(forum, thread)[-2:]]
    originals = (photo, document, voice, video, sticker)
    assert [m.file_id() for m in stored] == [m.file_id() for m in originals]
    assert sends[2].voice is not None
    assert sends[2].voice.duration == 2  # the file keeps what Telegram knows about it
    assert sends[4].sticker is not None
    assert sends[4].sticker.emoji == "👌"

    with pytest.raises(TelegramBadRequest, match="can't use file of type Photo as Document"):
        await forum_bot.send_document(USER_ID, str(photo.file_id()))
    with pytest.raises(TelegramBadRequest, match="can't use file of type VoiceNote as Photo"):
        await forum_bot.send_photo(USER_ID, str(voice.file_id()))
    as_document = await forum_bot.send_document(USER_ID, str(voice.file_id()))
    assert (as_document.content_type, emu.messages(USER_ID)[-1].kind) == ("voice", "voice")


async def test_albums_in_topic_and_wait_message(
    emu: BotApiEmulator, forum_bot: Bot, forum: int
) -> None:
    thread = await _topic(forum_bot, forum)
    album = await emu.user(AGENT_ID).send_media_group_in_topic(forum, thread, 3, "three")
    private = await emu.user(USER_ID).send_media_group(2)
    updates = [u.message for u in await forum_bot.get_updates(timeout=0)][:3]
    assert [(m.message_thread_id, m.caption) for m in updates if m] == [
        (thread, "three"),
        (thread, None),
        (thread, None),
    ]
    assert {m.media_group_id for m in updates if m} == {album[0].media_group_id}
    with pytest.raises(SimulationError, match="2-10"):
        await emu.user(AGENT_ID).send_media_group_in_topic(forum, thread, 1)

    await forum_bot.send_photo(forum, str(album[0].file_id()), message_thread_id=thread)
    sent = await forum_bot.send_media_group(
        forum,
        [
            InputMediaPhoto(media=str(private[0].file_id()), caption="for the agent"),
            InputMediaPhoto(media=str(private[1].file_id())),
            InputMediaPhoto(media=str(album[2].file_id())),
        ],
        message_thread_id=thread,
    )
    assert [(m.message_thread_id, m.caption) for m in sent] == [
        (thread, "for the agent"),
        (thread, None),
        (thread, None),
    ]
    single = await emu.wait_message(forum, thread_id=thread)
    assert (single.kind, single.media_group_id) == ("photo", None)
    items = [await emu.wait_message(forum, thread_id=thread) for _ in range(3)]
    assert [m.message_id for m in items] == [m.message_id for m in sent]
    assert {m.media_group_id for m in items} == {sent[0].media_group_id}
    assert [m.file_id() for m in items] == [
        private[0].file_id(),
        private[1].file_id(),
        album[2].file_id(),
    ]
    assert items[0].text == "for the agent"
    with pytest.raises(AssertionError, match="no new bot message"):
        await emu.wait_message(forum, thread_id=1, timeout=0.05)


async def test_user_edits_text_and_captions(
    emu: BotApiEmulator, forum_bot: Bot, forum: int
) -> None:
    thread = await _topic(forum_bot, forum)
    alice, agent = emu.user(USER_ID), emu.user(AGENT_ID)
    photo = await alice.send_photo(caption="old caption")
    await alice.edit(photo, "new caption")
    note = await agent.send_in_topic(forum, thread, "draft")
    await agent.edit_in_topic(note, "final /note")
    scan = await agent.send_in_topic(forum, thread, document="scan.png", caption="scan")
    await agent.edit_in_topic(scan, "scan v2")
    sticker = await alice.send_sticker()
    with pytest.raises(SimulationError, match="no text or caption"):
        await alice.edit(sticker, "x")
    with pytest.raises(SimulationError, match="not in a forum"):
        await agent.edit_in_topic(photo, "x")
    with pytest.raises(SimulationError, match="own existing"):
        await alice.edit(note, "hijack")

    edits = [u.edited_message for u in await forum_bot.get_updates(timeout=0)]
    edited = [m for m in edits if m is not None]
    assert [(m.caption, m.text) for m in edited] == [
        ("new caption", None),
        (None, "final /note"),
        ("scan v2", None),
    ]
    assert edited[0].photo is not None
    assert edited[0].edit_date is not None
    assert (edited[1].message_thread_id, edited[1].is_topic_message) == (thread, True)
    assert edited[1].entities is not None
    assert edited[1].entities[0].type == "bot_command"
    assert edited[2].document is not None
    assert edited[2].document.mime_type == "image/png"
    assert (photo.text, photo.edited) == ("new caption", True)


async def test_set_message_reaction(emu: BotApiEmulator, forum_bot: Bot, forum: int) -> None:
    thread = await _topic(forum_bot, forum)
    note = await emu.user(AGENT_ID).send_in_topic(forum, thread, "done")
    ok = [ReactionTypeEmoji(emoji="👌")]
    assert await forum_bot.set_message_reaction(forum, note.message_id, reaction=ok)
    assert note.reactions == [{"type": "emoji", "emoji": "👌"}]
    event = emu.events[-1]
    assert {k: event[k] for k in ("type", "chat_id", "message_id", "reaction")} == {
        "type": "reaction",
        "chat_id": forum,
        "message_id": note.message_id,
        "reaction": [{"type": "emoji", "emoji": "👌"}],
    }
    assert emu.calls_to("setMessageReaction")[-1]["reaction"] == note.reactions

    with pytest.raises(TelegramBadRequest, match="message to react not found"):
        await forum_bot.set_message_reaction(forum, 99999, reaction=ok)
    with pytest.raises(TelegramBadRequest, match="REACTION_INVALID"):
        await forum_bot.set_message_reaction(
            forum, note.message_id, reaction=[ReactionTypeEmoji(emoji="❤️")]
        )
    with pytest.raises(TelegramBadRequest, match="REACTIONS_TOO_MANY"):
        await forum_bot.set_message_reaction(
            forum, note.message_id, reaction=[*ok, ReactionTypeEmoji(emoji="👍")]
        )
    assert await forum_bot.set_message_reaction(forum, note.message_id, reaction=[])
    assert note.reactions == []

    album = await emu.user(USER_ID).send_media_group(3)
    await forum_bot.set_message_reaction(USER_ID, album[2].message_id, reaction=ok)
    assert [m.reactions for m in album] == [[{"type": "emoji", "emoji": "👌"}], [], []]


async def test_forum_topic_rename_limits_and_delete(
    emu: BotApiEmulator, forum_bot: Bot, forum: int
) -> None:
    thread = await _topic(forum_bot, forum, "Ticket #7")
    assert await forum_bot.edit_forum_topic(forum, thread, name="Ticket #7 · closed by Bob")
    assert emu.topic(forum, thread).name == "Ticket #7 · closed by Bob"
    assert await forum_bot.edit_forum_topic(forum, thread, name="я" * 128)
    assert emu.topic(forum, thread).name == "я" * 128
    with pytest.raises(TelegramBadRequest, match="TOPIC_NAME_INVALID"):
        await forum_bot.edit_forum_topic(forum, thread, name="x" * 129)
    with pytest.raises(TelegramBadRequest, match="TOPIC_NAME_INVALID"):
        await forum_bot.create_forum_topic(forum, "x" * 129)
    assert emu.topic(forum, thread).name == "я" * 128

    await forum_bot.send_message(forum, "card", message_thread_id=thread)
    agent_note = await emu.user(AGENT_ID).send_in_topic(forum, thread, "note")
    await forum_bot.delete_forum_topic(forum, thread)
    assert emu.messages(forum, thread) == []
    assert emu.world.find_message(forum, agent_note.message_id) is None
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await forum_bot.send_message(forum, "gone", message_thread_id=thread)
    with pytest.raises(TelegramBadRequest, match="message to react not found"):
        await forum_bot.set_message_reaction(
            forum, agent_note.message_id, reaction=[ReactionTypeEmoji(emoji="👌")]
        )
    with pytest.raises(SimulationError, match="does not exist"):
        await emu.user(AGENT_ID).send_in_topic(forum, thread, "anyone?")


async def test_every_kind_a_person_sends_can_be_copied_as_what_it_is(
    emu: BotApiEmulator, bot: Bot, forum: int
) -> None:
    alice = emu.user(USER_ID)
    sent = [
        await alice.send_video_note(),
        await alice.send_location(55.7558, 37.6173),
        await alice.send_venue(55.7558, 37.6173, "ПВЗ", "ул. Ленина, 1"),
        await alice.send_contact("+79990001122", user_id=0, first_name="Oleg"),
        await alice.send_poll("Which?", ["a", "b"]),
        await alice.send_dice("🎯", 4),
        await alice.send_audio("track"),
        await alice.send_animation(),
    ]
    updates = await bot.get_updates(timeout=0)
    note, location, venue, contact, poll, dice, audio, animation = (u.message for u in updates)
    assert note is not None and note.video_note is not None and note.video_note.length > 0
    assert location is not None and location.location is not None
    assert venue is not None and venue.venue is not None and venue.location is not None
    assert contact is not None and contact.contact is not None
    assert poll is not None and poll.poll is not None and poll.poll.question == "Which?"
    assert dice is not None and dice.dice is not None and dice.dice.value == 4
    assert audio is not None and audio.audio is not None and audio.caption == "track"
    assert animation is not None and animation.animation is not None
    for message in sent:
        await bot.copy_message(forum, USER_ID, message.message_id, caption="ignored")
    copies = emu.messages(forum)
    assert [c.kind for c in copies] == [m.kind for m in sent]
    assert copies[5].media["dice"]["value"] == 4
    assert copies[4].media["poll"]["id"] != sent[4].media["poll"]["id"]
    assert [c.text for c in copies] == [None] * 6 + ["ignored", "ignored"]
    with pytest.raises(TelegramBadRequest, match="can't use file of type VideoNote"):
        await bot.send_document(forum, sent[0].media["video_note"]["file_id"])
    await bot.send_video_note(forum, sent[0].media["video_note"]["file_id"])
    await bot.send_location(forum, 1.5, 2.5)
    await bot.send_dice(forum, emoji="🎰")
    await bot.send_poll(forum, "Q", ["x", "y"], type="quiz", correct_option_id=1)
    assert [m.kind for m in emu.messages(forum)[-4:]] == ["video_note", "location", "dice", "poll"]


async def test_a_quiz_is_copied_only_when_the_bot_knows_its_answer(
    emu: BotApiEmulator, bot: Bot, forum: int
) -> None:
    private = await emu.user(USER_ID).send_poll("2+2?", ["3", "4"], quiz_answer=1)
    await bot.copy_message(forum, USER_ID, private.message_id)
    assert emu.messages(forum)[-1].media["poll"]["correct_option_id"] == 1
    agent = emu.user(AGENT_ID).in_topic(forum, None)
    in_group = await agent.send_poll("2+2?", ["3", "4"], quiz_answer=1)
    assert in_group.chat_id == forum and "correct_option_id" not in in_group.media["poll"]
    with pytest.raises(TelegramBadRequest, match="message can't be copied"):
        await bot.copy_message(USER_ID, forum, in_group.message_id)


# --- webhook ----------------------------------------------------------------------------------


class _Hook:
    """A bot's webhook endpoint: answers each POST with the next status of ``statuses``
    (200 once they run out), after ``hold`` seconds."""

    def __init__(self, statuses: list[int] | None = None, hold: float = 0.0) -> None:
        self.statuses, self.hold = list(statuses or []), hold
        self.seen: list[tuple[int, str | None]] = []
        self.at_once = self.most_at_once = 0
        self.runner: web.AppRunner | None = None

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.seen.append(
            (body["update_id"], request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        )
        self.at_once += 1
        self.most_at_once = max(self.most_at_once, self.at_once)
        await asyncio.sleep(self.hold)
        self.at_once -= 1
        return web.Response(status=self.statuses.pop(0) if self.statuses else 200)

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        return f"http://127.0.0.1:{self.runner.addresses[0][1]}"


async def test_webhook_posts_updates_with_the_secret_and_resends_until_200(
    emu: BotApiEmulator, bot: Bot
) -> None:
    hook = _Hook(statuses=[500, 403])
    emu.webhooks.proxy = await hook.start()
    try:
        with pytest.raises(TelegramBadRequest, match="HTTPS URL"):
            await bot.set_webhook("http://bot.example.com/hook")
        with pytest.raises(TelegramBadRequest, match="secret token"):
            await bot.set_webhook("https://bot.example.com/hook", secret_token="no spaces")
        await emu.user(USER_ID).send("before the webhook")
        assert await bot.set_webhook(
            "https://bot.example.com/hook", secret_token="s3cret_-X", max_connections=1
        )
        with pytest.raises(TelegramConflictError):
            await bot.get_updates()
        await emu.user(USER_ID).send("second")
        await emu.wait_taken(5)
        # The first was answered 500, then 403: sent again each time, before the second.
        assert [i for i, _ in hook.seen] == [1, 1, 1, 2]
        assert {secret for _, secret in hook.seen} == {"s3cret_-X"}
        assert [d.status for d in emu.webhooks.deliveries] == [500, 403, 200, 200]
        info = await bot.get_webhook_info()
        assert info.url == "https://bot.example.com/hook"
        assert info.pending_update_count == 0
        assert info.last_error_message == "Wrong response from the webhook: 403"
        assert await bot.delete_webhook()
        await emu.user(USER_ID).send("polled again")
        assert [u.update_id for u in await bot.get_updates()] == [3]
    finally:
        assert hook.runner is not None
        await hook.runner.cleanup()


async def test_webhook_sends_up_to_max_connections_at_once(emu: BotApiEmulator, bot: Bot) -> None:
    hook = _Hook(hold=0.2)
    emu.webhooks.proxy = await hook.start()
    try:
        await bot.set_webhook("https://bot.example.com/hook", max_connections=3)
        for n in range(6):
            await emu.user(USER_ID).send(f"line {n}")
        await emu.wait_taken(5)
        assert hook.most_at_once == 3
        assert sorted(i for i, _ in hook.seen) == [1, 2, 3, 4, 5, 6]
        assert hook.seen[0][1] is None  # no secret set, no header
    finally:
        assert hook.runner is not None
        await hook.runner.cleanup()
