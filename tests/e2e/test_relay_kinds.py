"""Every kind of message crosses between a customer and the agents' forum as what it is,
and an agent's edit reaches the very message it changed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from emulator import BotApiEmulator, SimUser, StoredMessage
from tests.e2e.conftest import AGENT, FORUM, RunningBot
from tests.e2e.flows import open_ticket
from tests.e2e.settle import settled

Send = Callable[[SimUser], Awaitable[StoredMessage]]
# (what a person sends, the kind the other side gets, words it must show)
KINDS: dict[str, tuple[Send, str, str]] = {
    "photo": (lambda u: u.send_photo("коробка"), "photo", "коробка"),
    "document": (lambda u: u.send_document("чек.pdf", caption="чек"), "document", "чек"),
    "video": (lambda u: u.send_video("видео"), "video", "видео"),
    "voice": (lambda u: u.send_voice(), "voice", ""),
    "audio": (lambda u: u.send_audio("запись"), "audio", "запись"),
    "animation": (lambda u: u.send_animation("гифка"), "animation", "гифка"),
    "sticker": (lambda u: u.send_sticker("😢"), "sticker", ""),
    "video_note": (lambda u: u.send_video_note(), "video_note", ""),
    "location": (lambda u: u.send_location(55.7558, 37.6173), "location", ""),
    "venue": (lambda u: u.send_venue(55.75, 37.61, "ПВЗ", "ул. Ленина, 1"), "venue", ""),
    "contact": (lambda u: u.send_contact("+79990001122", user_id=0), "contact", ""),
    "poll": (lambda u: u.send_poll("Какой цвет?", ["синий", "красный"]), "poll", ""),
    "dice": (lambda u: u.send_dice("🎲", 5), "dice", ""),
}


def _shown(message: StoredMessage) -> bool:
    return bool(message.text or message.media)


@pytest.mark.parametrize("kind", list(KINDS))
async def test_every_kind_of_message_reaches_agents_as_what_it_is(
    emu: BotApiEmulator, running: RunningBot, kind: str
) -> None:
    send, arrives_as, words = KINDS[kind]
    anna = emu.add_user(1001, "Анна", language_code="ru")
    topic = await open_ticket(emu, anna, "вопрос по заказу")
    sent = await send(anna)
    copy = await emu.wait_message(FORUM, thread_id=topic, predicate=lambda m: m.kind == arrives_as)
    assert copy.media.keys() == sent.media.keys()
    if kind == "dice":
        assert copy.media["dice"]["value"] == 5
    if copy.text is not None and "👤 Анна" in copy.text:
        assert copy.text == f"👤 Анна:\n{words}".strip()
    else:  # no caption to carry who wrote it: said just before
        before = emu.messages(FORUM, thread_id=topic)[-2]
        assert before.text == "👤 Анна:"
    assert all(_shown(m) for m in emu.messages(FORUM, thread_id=topic))
    # The quiet receipt means the message went, and it did.
    await emu.wait_for(lambda: sent.reactions, 5)
    assert sent.reactions == [{"type": "emoji", "emoji": "👌"}]


AGENT_KINDS = [*KINDS, "quiz"]


@pytest.mark.parametrize("kind", AGENT_KINDS)
async def test_every_kind_of_agent_message_reaches_the_customer(
    emu: BotApiEmulator, running: RunningBot, kind: str
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    topic = await open_ticket(emu, anna, "вопрос по заказу")
    ivan = emu.user(AGENT).in_topic(FORUM, topic)
    if kind == "quiz":
        # Telegram lets a bot copy a quiz only when it knows the answer, which it does
        # not for a person's quiz in a group: the customer reads it in words.
        await ivan.send_poll("2+2?", ["3", "4"], quiz_answer=1)
        assert (await anna.next_message()).text == "💬 Поддержка · Ivan Agent"
        words = await anna.next_message()
        assert words.kind == "text"
        assert words.text.startswith("📊 Опрос\n2+2?\n— 3\n— 4\n")
        assert "словами" in words.text
        return
    send, arrives_as, caption = KINDS[kind]
    sent = await send(ivan)
    first = await anna.next_message()
    if first.kind == "text":  # no caption to carry who answers: said just before
        assert first.text == "💬 Поддержка · Ivan Agent"
        copy = await anna.next_message()
    else:
        copy = first
        assert copy.text == f"💬 Поддержка · Ivan Agent\n{caption}".strip()
    assert copy.kind == arrives_as
    assert copy.media.keys() == sent.media.keys()


async def test_a_kind_no_bot_can_pass_on_is_declined_politely(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    topic = await open_ticket(emu, anna, "вопрос по заказу")
    story = await anna.forward_story(1001, 7)
    answer = await anna.next_message()
    assert answer.text.startswith("Извините, такое сообщение я не могу передать специалисту")
    await settled(running)
    assert story.reactions == []
    ivan = emu.user(AGENT).in_topic(FORUM, topic)
    await ivan.forward_story(1001, 7)
    told = await emu.wait_message(
        FORUM, thread_id=topic, predicate=lambda m: "не передать" in m.text
    )
    assert told.reply_to_message_id is not None
    await ivan.send("а так дойдёт")
    assert (await anna.next_message()).text.endswith("а так дойдёт")  # nothing came before


async def test_an_edit_of_the_third_photo_of_an_album_edits_the_third(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    topic = await open_ticket(emu, anna, "товар разбит")
    ivan = emu.user(AGENT)
    album = await ivan.send_media_group_in_topic(FORUM, topic, 3, caption="три фото")
    copies = [await anna.next_message() for _ in range(3)]
    assert [c.kind for c in copies] == ["photo"] * 3
    await ivan.edit_in_topic(album[2], "а на третьем — трещина")
    edited = await emu.wait_edit(1001)
    assert edited.message_id == copies[2].message_id
    assert edited.text == "а на третьем — трещина"  # only the first item has the header
    assert copies[0].text == "💬 Поддержка · Ivan Agent\nтри фото"
    await settled(running)
    assert not copies[0].edited


async def test_an_edit_of_a_split_reply_edits_the_right_part(
    emu: BotApiEmulator, running: RunningBot
) -> None:
    anna = emu.add_user(1001, "Анна", language_code="ru")
    topic = await open_ticket(emu, anna, "вопрос")
    ivan = emu.user(AGENT)
    long = ("слово " * 682 + "конец").strip()  # 4096: with the header, two messages
    sent = await ivan.send_in_topic(FORUM, topic, long)
    head, tail = await anna.next_message(), await anna.next_message()
    assert tail.text.endswith("конец")
    await ivan.edit_in_topic(sent, long.replace("конец", "финал"))
    edited = await emu.wait_edit(1001)
    assert edited.message_id == tail.message_id and edited.text.endswith("финал")
    await settled(running)
    assert not head.edited
    # Short now, it would take one message of two: the agent hears it did not follow.
    await ivan.edit_in_topic(sent, "короче")
    told = await emu.wait_message(FORUM, thread_id=topic, predicate=lambda m: "2 частях" in m.text)
    assert "новым сообщением" in told.text
    assert tail.text.endswith("финал") and not head.edited
