"""The benchmark's baseline: the least an aiogram bot can do per update.

Long polling, MemoryStorage, and for every message one FSM state write and one reply.
``bench/run.py`` starts it as a process with ``BOT_TOKEN`` and ``TELEGRAM_API_URL``
pointing at its emulator, exactly as it starts the support bot; SIGTERM stops it.
It logs at INFO, as aiogram's examples do, which includes aiogram's line for every
update handled; the support bot writes that line only at DEBUG (see bench/README.md).
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.types import Message


async def answer(message: Message, state: FSMContext) -> None:
    await state.set_data({"last": message.text or ""})  # the one state write
    await message.answer(f"Got it: {message.text or 'your message'}")


async def main() -> None:
    token = os.environ.get("BOT_TOKEN", "")
    api = os.environ.get("TELEGRAM_API_URL")
    session = AiohttpSession(api=TelegramAPIServer.from_base(api)) if api else AiohttpSession()
    bot = Bot(token, session=session)
    dp = Dispatcher(storage=MemoryStorage())
    dp.message.register(answer)
    await bot.delete_webhook(drop_pending_updates=False)
    await dp.start_polling(bot, handle_signals=True)


if __name__ == "__main__":
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if not os.environ.get("BOT_TOKEN"):
        sys.stderr.write("baseline_bot: BOT_TOKEN is not set\n")
        sys.exit(2)
    asyncio.run(main())
