"""Chromium for the pages' tests: Debian's package, skipped without it on a developer's
machine and failing under CI, where a silent skip would hide a broken page."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, async_playwright

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
