"""The app factory: builds every part once and wires them; no globals."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseEventIsolation
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.types import BotCommand, BotCommandScopeAllPrivateChats

from bot.clock import Clock
from bot.i18n import Translator
from bot.marketplace import datafile
from bot.middlewares import LocaleMiddleware
from bot.services.customers import CustomerService
from bot.settings import LOCALES, Settings
from handlers import build_root
from storage.customers import CustomerRepo
from storage.db import Database
from storage.fsm import SQLiteStorage
from storage.marketplace import EmbeddedMarketplace

log = logging.getLogger(__name__)

# The commands customers see in Telegram's menu, in the order shown.
CUSTOMER_COMMANDS = ("start", "help", "language", "cancel")


@dataclass
class App:
    settings: Settings
    bot: Bot
    dp: Dispatcher
    db: Database
    translator: Translator
    services: dict[str, object] = field(default_factory=dict)

    async def close(self) -> None:
        await self.bot.session.close()
        await self.db.close()


async def create_app(settings: Settings, *, clock: Clock | None = None) -> App:
    clock = clock or Clock()
    db = await Database.open(settings.database_path)
    try:
        marketplace = EmbeddedMarketplace(db, clock)
        if settings.marketplace_data:
            accounts, orders = datafile.load(settings.marketplace_data)
            await marketplace.upsert(accounts, orders)
            log.info("marketplace data: %d accounts, %d orders", len(accounts), len(orders))
    except BaseException:
        await db.close()
        raise
    translator = Translator(settings.default_locale)
    customers = CustomerService(CustomerRepo(db), translator, clock)
    services: dict[str, object] = {
        "settings": settings,
        "clock": clock,
        "translator": translator,
        "customers": customers,
        "marketplace": marketplace,
    }

    # Workflow data is aiogram's own injection: it reaches handlers, filters, the
    # error handler and startup hooks alike, whatever middleware ran or failed.
    dp = Dispatcher(storage=SQLiteStorage(db), events_isolation=_isolation(), **services)
    dp.update.outer_middleware(LocaleMiddleware(customers, translator))
    dp.include_router(build_root(settings.support_chat_id))
    dp.startup.register(_set_commands)
    return App(settings, _bot(settings), dp, db, translator, services)


def _bot(settings: Settings) -> Bot:
    api = settings.telegram_api_url
    session = AiohttpSession(api=TelegramAPIServer.from_base(api)) if api else AiohttpSession()
    return Bot(
        settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


def _isolation() -> BaseEventIsolation:
    # One update at a time per chat: FSM reads and writes of one person never interleave.
    return SimpleEventIsolation()


async def _set_commands(bot: Bot, translator: Translator) -> None:
    scope = BotCommandScopeAllPrivateChats()
    for locale in LOCALES:
        t = translator(locale)
        commands = [BotCommand(command=c, description=t(f"cmd-{c}")) for c in CUSTOMER_COMMANDS]
        await bot.set_my_commands(commands, scope=scope, language_code=locale)
        if locale == translator.default:
            await bot.set_my_commands(commands, scope=scope)


async def run_polling(app: App) -> None:
    """Long polling until SIGINT/SIGTERM; aiogram finishes the updates in hand first."""
    try:
        await app.bot.delete_webhook(drop_pending_updates=False)
        await app.dp.start_polling(app.bot, handle_signals=True, close_bot_session=False)
    finally:
        await app.close()
