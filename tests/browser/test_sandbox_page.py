"""The sandbox page in a real headless Chromium: what a tester does with a mouse and keyboard.

Needs Debian's ``chromium`` (see the README). Without it the test is skipped on a
developer's machine and fails under CI, where a silent skip would hide a broken page.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Locator, Page, async_playwright, expect

from bot.sandbox import Sandbox

# Chromium dials Google at start-up unless told not to; offline that is only noise and delay.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 10_000


def _chromium() -> str:
    for candidate in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser"):
        if candidate and (found := shutil.which(candidate)):
            return found
    if os.environ.get("CI"):
        pytest.fail("Chromium is not installed: apt-get install chromium")
    pytest.skip("Chromium is not installed: apt-get install chromium")


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    executable = _chromium()
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_FLAGS
        )
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def page(browser: Browser, tmp_path: Path) -> AsyncIterator[Page]:
    async with Sandbox(tmp_path / "sandbox.sqlite3", port=0) as sandbox:
        context = await browser.new_context(viewport={"width": 1500, "height": 1000})
        opened = await context.new_page()
        problems: list[str] = []
        opened.on("pageerror", lambda error: problems.append(str(error)))
        await opened.goto(sandbox.url)
        await expect(opened.locator("#status")).to_have_text("live", timeout=WAIT_MS)
        yield opened
        await context.close()
        assert problems == [], problems


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
    card = page.locator("#topic .msg.bot", has_text="Где мой чайник?").first
    await expect(card).to_be_visible(timeout=WAIT_MS)

    await page.locator("#agent-pick").select_option(label="Иван · member")
    await card.locator("button", has_text="Взять").click()
    # The tap's answer shows over the page, as Telegram shows it over the chat.
    await expect(page.locator("#toast")).to_contain_text("Иван", timeout=WAIT_MS)
    await expect(topic).to_contain_text("👤", timeout=WAIT_MS)
    await page.locator("#agent-input").fill("Здравствуйте! Уже смотрю.")
    await page.locator("#agent-form button", has_text="Send").click()
    await expect(page.locator("#agent-input")).to_have_value("", timeout=WAIT_MS)
    # Answered: now the ticket waits for the customer.
    await expect(topic).to_contain_text("⏳", timeout=WAIT_MS)

    answer = _bot_bubble(page, "Здравствуйте! Уже смотрю.")
    await expect(answer).to_be_visible(timeout=WAIT_MS)
    await expect(answer).to_contain_text("💬")
