"""The sandbox page in a real headless Chromium: what a tester does with a mouse and keyboard.

Needs Debian's ``chromium`` (see the README). Without it the test is skipped on a
developer's machine and fails under CI, where a silent skip would hide a broken page.
Screenshots go to ``$BROWSER_ARTIFACTS/<test>/`` when that is set, else to the test's
pytest tmp path; any console error or uncaught exception on the page fails the test.
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.async_api import Browser, ConsoleMessage, Locator, Page, expect

from sandbox import Sandbox
from tests.browser.conftest import WAIT_MS

WIDE, LAPTOP, PHONE = (1500, 1000), (1024, 640), (420, 860)
# Whatever would be cut off or pushed out of reach if it overflowed the window sideways.
_OUT_OF_BOUNDS_JS = """() => {
  const width = document.documentElement.clientWidth;
  const bad = [];
  const page = document.documentElement.scrollWidth;
  if (page > width) bad.push(`page ${page}px`);
  const watched = "header *, h2, .col, .bar > *, .compose > *, #reply-kb button, #topics li, .msg";
  for (const node of document.querySelectorAll(watched)) {
    const box = node.getBoundingClientRect();
    if (!box.width) continue;
    const name = `${node.tagName}.${node.className} "${node.textContent.slice(0, 20)}"`;
    if (box.left < -0.5 || box.right > width + 0.5) bad.push(`${name} out`);
    const clipped = node.tagName === "BUTTON" && node.scrollWidth > node.clientWidth + 1;
    if (clipped) bad.push(`${name} clipped`);
  }
  return bad;
}"""


@pytest.fixture
def artefacts(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    root = os.environ.get("BROWSER_ARTIFACTS")
    folder = Path(root) / request.node.name if root else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass
class Console:
    """What the page complained about; a test that provokes an error names it as expected."""

    problems: list[str] = field(default_factory=list)
    expected: list[re.Pattern[str]] = field(default_factory=list)

    def on_message(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.problems.append(f"console: {message.text}")

    def unexpected(self) -> list[str]:
        return [p for p in self.problems if not any(e.search(p) for e in self.expected)]


Opener = Callable[[tuple[int, int]], Awaitable[Page]]


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    async with Sandbox(tmp_path / "sandbox.sqlite3", port=0) as running:
        yield running


@pytest.fixture
def console() -> Console:
    return Console()


@pytest.fixture
async def open_page(browser: Browser, sandbox: Sandbox, console: Console) -> AsyncIterator[Opener]:
    contexts = []

    async def opener(size: tuple[int, int]) -> Page:
        context = await browser.new_context(viewport={"width": size[0], "height": size[1]})
        contexts.append(context)
        opened = await context.new_page()
        opened.on("pageerror", lambda error: console.problems.append(f"page: {error}"))
        opened.on("console", console.on_message)
        await opened.goto(sandbox.url)
        await expect(opened.locator("#status")).to_have_text("live", timeout=WAIT_MS)
        return opened

    yield opener
    for context in contexts:
        await context.close()
    assert console.unexpected() == []


@pytest.fixture
async def page(open_page: Opener) -> Page:
    return await open_page(WIDE)


async def _shot(page: Page, folder: Path, name: str) -> None:
    await page.screenshot(path=folder / f"{name}.png", full_page=True)


async def _nothing_cut_off(page: Page) -> None:
    assert await page.evaluate(_OUT_OF_BOUNDS_JS) == []


async def _end_shown(item: Locator, box: Locator) -> bool:
    """Whether the end of ``item`` (a long message may not fit whole) is in sight."""
    inner, outer = await item.bounding_box(), await box.bounding_box()
    assert inner is not None and outer is not None
    return bool(inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 1)


async def _until_in_sight(page: Page, item: Locator, box: Locator, *, whole: bool = False) -> None:
    """Waits, frame by frame, until the end of ``item`` (or all of it) is in the visible
    part of the scrolling ``box``: the chat scrolls after the page has laid out the line."""
    await page.wait_for_function(
        """([item, box, whole]) => {
            const inner = item.getBoundingClientRect(), outer = box.getBoundingClientRect();
            return inner.bottom <= outer.bottom + 1 && (!whole || inner.top >= outer.top - 1);
        }""",
        arg=[await item.element_handle(), await box.element_handle(), whole],
        timeout=WAIT_MS,
    )


async def _customer_says(page: Page, text: str) -> None:
    await page.locator("#chat-input").fill(text)
    await page.locator("#chat-form button", has_text="Send").click()
    await expect(page.locator("#chat-input")).to_have_value("", timeout=WAIT_MS)


def _bot_bubble(page: Page, text: str) -> Locator:
    return page.locator("#chat .msg.bot", has_text=text).last


async def test_log_in_open_a_ticket_and_get_an_agents_answer(page: Page) -> None:
    chat = page.locator("#chat")
    await page.locator("#customer-pick").select_option(label="Анна (ru) · id 1001")

    await _customer_says(page, "/login")
    await expect(_bot_bubble(page, "Чтобы войти")).to_be_visible(timeout=WAIT_MS)
    await page.locator("#reply-kb button", has_text="Поделиться").click()
    await expect(_bot_bubble(page, "Отправили SMS с кодом")).to_be_visible(timeout=WAIT_MS)

    # The tester reads the code in the inbox panel and clicks it into the message box.
    code = page.locator("#inbox .inbox-item.sms mark.code").first
    await expect(code).to_have_text(re.compile(r"^\d{4,8}$"), timeout=WAIT_MS)
    await code.click()
    await expect(page.locator("#chat-input")).to_have_value(await code.inner_text())
    await page.locator("#chat-form button", has_text="Send").click()
    await expect(_bot_bubble(page, "вы вошли")).to_be_visible(timeout=WAIT_MS)

    await _customer_says(page, "/support")
    await expect(_bot_bubble(page, "Опишите, пожалуйста")).to_be_visible(timeout=WAIT_MS)
    await _customer_says(page, "Где мой чайник? <b>не жирный</b>")
    await expect(_bot_bubble(page, "Создал обращение №1")).to_be_visible(timeout=WAIT_MS)
    # The customer's text is shown as typed, never as markup.
    await expect(chat.locator(".msg.user", has_text="<b>не жирный</b>")).to_be_visible()

    topic = page.locator("#topics li", has_text="#1 · Анна")
    await expect(topic).to_be_visible(timeout=WAIT_MS)
    await topic.click()
    # The topic's "created" service message reads as one, never as a bubble saying "service".
    await expect(page.locator("#topic .msg.service")).to_contain_text("Topic created: ")
    await expect(page.locator("#topic .msg", has_text=re.compile(r"^\s*service"))).to_have_count(0)
    card = page.locator("#topic .msg.bot", has_text="Где мой чайник?").first
    await expect(card).to_be_visible(timeout=WAIT_MS)

    await page.locator("#agent-pick").select_option(label="Иван · member")
    await card.locator("button", has_text="Взять").click()
    # The tap's answer shows over the page, as Telegram shows it over the chat.
    await expect(page.locator("#toast")).to_contain_text("Иван", timeout=WAIT_MS)
    await expect(page.locator("#toast")).to_have_class("info")
    await expect(topic).to_contain_text("👤", timeout=WAIT_MS)
    await page.locator("#agent-input").fill("Здравствуйте! Уже смотрю.")
    await page.locator("#agent-form button", has_text="Send").click()
    await expect(page.locator("#agent-input")).to_have_value("", timeout=WAIT_MS)
    # Answered: now the ticket waits for the customer.
    await expect(topic).to_contain_text("⏳", timeout=WAIT_MS)

    answer = _bot_bubble(page, "Здравствуйте! Уже смотрю.")
    await expect(answer).to_be_visible(timeout=WAIT_MS)
    await expect(answer).to_contain_text("💬")


async def test_the_chat_follows_new_messages_even_with_a_reply_keyboard(
    open_page: Opener, artefacts: Path
) -> None:
    page = await open_page(LAPTOP)
    chat = page.locator("#chat")
    await _customer_says(page, "/help")
    await expect(_bot_bubble(page, "8-800")).to_be_visible(timeout=WAIT_MS)
    await _customer_says(page, "/start")
    await expect(_bot_bubble(page, "Здравствуйте")).to_be_visible(timeout=WAIT_MS)
    await _customer_says(page, "/login")
    await expect(page.locator("#reply-kb button").first).to_be_visible(timeout=WAIT_MS)
    assert await chat.evaluate("(box) => box.scrollHeight > box.clientHeight")
    # The keyboard took room from the chat, and the chat still shows its newest line.
    assert await _end_shown(_bot_bubble(page, "Чтобы войти"), chat)

    await _customer_says(page, "не помню номер")
    mine = chat.locator(".msg.user", has_text="не помню номер")
    await expect(mine).to_be_visible()
    await _until_in_sight(page, mine, chat, whole=True)
    await expect(chat.locator(".msg").last).to_have_class(re.compile(r"\bbot\b"), timeout=WAIT_MS)
    await _until_in_sight(page, chat.locator(".msg").last, chat)
    await _shot(page, artefacts, "chat-with-reply-keyboard")


async def test_the_add_customer_toggle_shows_and_hides_its_form(page: Page) -> None:
    toggle, form = page.locator("#add-toggle"), page.locator("#add-form")
    await expect(form).to_be_hidden()
    await toggle.click()
    await expect(form).to_be_visible()
    await toggle.click()
    await expect(form).to_be_hidden()
    await toggle.click()
    await page.locator("#add-name").fill("Пётр")
    await form.locator("button", has_text="Add").click()
    await expect(form).to_be_hidden()
    await expect(page.locator("#customer-pick")).to_have_value("1003")


async def test_an_empty_chat_says_to_press_start(page: Page) -> None:
    empty = page.locator("#chat .empty")
    await expect(empty).to_contain_text("Press /start")
    await empty.locator("button", has_text="/start").click()
    await expect(_bot_bubble(page, "Здравствуйте, Анна!")).to_be_visible(timeout=WAIT_MS)
    await expect(empty).to_have_count(0)


async def test_an_error_is_shown_as_an_error(page: Page, console: Console) -> None:
    # The refused request is the point here: the browser logs its 400 by itself.
    console.expected.append(re.compile(r"status of 400"))
    await page.locator("#add-toggle").click()
    await page.locator("#add-name").fill("   ")
    await page.locator("#add-form button", has_text="Add").click()
    await expect(page.locator("#toast")).to_contain_text("'name'", timeout=WAIT_MS)
    await expect(page.locator("#toast")).to_have_class("error")


async def test_stickers_documents_voice_and_albums_can_be_sent_from_the_page(
    page: Page, artefacts: Path
) -> None:
    chat = page.locator("#chat")
    await page.locator("#customer-pick").select_option(label="John (en) · id 1002")
    for kind, shown in (
        ("Sticker", "Sticker 👍"),
        ("File", "📄 receipt.pdf"),
        ("Voice", "🎤 Voice message 3 s"),
    ):
        await page.locator("#attach button", has_text=kind).click()
        await expect(chat.locator(".msg.user .media", has_text=shown)).to_be_visible(
            timeout=WAIT_MS
        )
    await page.locator("#chat-input").fill("the box")
    await page.locator("#attach button", has_text="Album").click()
    album = chat.locator(".msg.user", has_text="Album:")
    await expect(album).to_have_count(3, timeout=WAIT_MS)
    await expect(album.first).to_contain_text("the box")
    await expect(page.locator("#chat-input")).to_have_value("")
    await expect(chat.locator(".msg.bot").last).to_be_visible(timeout=WAIT_MS)
    await _shot(page, artefacts, "media-sent")


async def _open_a_ticket(page: Page) -> None:
    await page.locator("#customer-pick").select_option(label="John (en) · id 1002")
    await _customer_says(page, "/support")
    await expect(_bot_bubble(page, "describe")).to_be_visible(timeout=WAIT_MS)
    await _customer_says(page, "Where is my kettle? " * 8)
    await expect(page.locator("#topics li", has_text="#1")).to_be_visible(timeout=WAIT_MS)
    await page.locator("#topics li", has_text="#1").click()
    await expect(page.locator("#topic .msg.bot").first).to_be_visible(timeout=WAIT_MS)


async def test_the_page_works_at_1024_px(open_page: Opener, artefacts: Path) -> None:
    page = await open_page(LAPTOP)
    await _open_a_ticket(page)
    await _nothing_cut_off(page)
    for column in ("#customer-col", "#forum-col", "#inbox-col"):
        await expect(page.locator(column)).to_be_in_viewport()
    await _shot(page, artefacts, "width-1024")


async def test_the_page_works_at_phone_width(open_page: Opener, artefacts: Path) -> None:
    page = await open_page(PHONE)
    await _open_a_ticket(page)
    await page.locator("#add-toggle").click()
    await _nothing_cut_off(page)
    await _shot(page, artefacts, "width-420")
    await page.locator("#jump a", has_text="Inbox").click()
    await expect(page.locator("#inbox")).to_be_in_viewport()
    await page.locator("#jump a", has_text="Forum").click()
    await expect(page.locator("#agent-input")).to_be_in_viewport()
    await page.locator("#jump a", has_text="Chat").click()
    await expect(page.locator("#chat-input")).to_be_in_viewport()
