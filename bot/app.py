"""The app factory: builds every part once and wires them; no globals."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aiogram import Bot, Dispatcher
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramNetworkError,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.strategy import FSMStrategy
from aiogram.types import BotCommand, BotCommandScopeAllPrivateChats

from bot import speedups
from bot.delivery.background import Background
from bot.delivery.intake import Incoming
from bot.delivery.queue import Claims
from bot.delivery.shared_pacing import build_pacer
from bot.domain.clock import Clock
from bot.domain.values import Locale
from bot.logs import mask_pii
from bot.ports import datafile
from bot.ports.senders import SmsGateway
from bot.settings import Settings
from bot.shared import connect_redis, fsm_for, one_worker_at_a_time
from bot.telegram.i18n import Translator
from bot.telegram.middlewares import CustomerMiddleware
from bot.telegram.text_keys import COMMANDS
from bot.wiring import Core, Services, build_core, build_services
from handlers import route
from storage.db import Database
from storage.incoming import IncomingRepo
from storage.marketplace import EmbeddedMarketplace, Imported
from storage.queue import QueueRepo

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger(__name__)

SHUTDOWN_GRACE_SECONDS = 30
START_TIMEOUT = 20  # seconds Telegram has to answer the first call

# The commands customers see in Telegram's menu, in the order shown.
CUSTOMER_COMMANDS = (
    "start",
    "orders",
    "login",
    "support",
    "language",
    "help",
    "cancel",
    "logout",
)


@dataclass
class App:
    settings: Settings
    bot: Bot
    dp: Dispatcher
    db: Database
    translator: Translator
    incoming: Incoming | Claims
    services: dict[str, object] = field(default_factory=dict)
    background: Background = field(default_factory=Background)
    closers: list[SmsGateway] = field(default_factory=list)
    redis: Redis | None = None

    async def close(self) -> None:
        # Updates in hand finish (aiogram stops polling without waiting for them) and
        # are written down as handled, then codes on their way out are delivered, and
        # only then do the connections go.
        try:
            await asyncio.wait_for(self.incoming.wait_idle(), SHUTDOWN_GRACE_SECONDS)
        except TimeoutError:
            log.warning("stopping with updates still in hand; the next start handles them")
        try:
            await self.incoming.flush()
        except Exception:
            log.exception("updates handled could not be written down; the next start repeats them")
        await self.background.drain()
        for closer in self.closers:
            await closer.close()
        await self.bot.session.close()
        if self.redis is not None:  # after the last send: pacing asks it
            await self.redis.aclose()
        await self.db.close()


async def create_app(
    settings: Settings, *, clock: Clock | None = None, webhook: bool = False
) -> App:
    """The bot with every part built; ``webhook``: its updates come by webhook into the
    queue its workers share (``bot.delivery.queue``) instead of by long polling."""
    db = await Database.open(settings.postgres_url or settings.sqlite_path)
    redis = None
    try:
        if settings.redis_url:
            redis = await connect_redis(settings.redis_url)
        return await _build(settings, clock or Clock(), db, redis, webhook=webhook)
    except BaseException:
        # An open database keeps a thread alive: left open, the process would hang.
        if redis is not None:
            await redis.aclose()
        await db.close()
        raise


async def _build(
    settings: Settings, clock: Clock, db: Database, redis: Redis | None, *, webhook: bool
) -> App:
    marketplace = await _marketplace(db, clock, settings)
    translator = Translator(settings.default_locale)
    pacer = build_pacer(settings, redis)
    core = build_core(settings, db, clock, translator, marketplace, pacer)
    background = Background()
    incoming: Incoming | Claims = (
        # SQLite has one process: every lease left in its queue is a dead worker's.
        Claims(QueueRepo(db), core.answers, background, exclusive=not settings.postgres_url)
        if webhook
        else Incoming(IncomingRepo(db), core.answers, background)
    )
    services = build_services(core)
    # Workflow data is aiogram's own injection: it reaches handlers, filters, the
    # error handler and startup hooks alike, whatever middleware ran or failed.
    data: dict[str, object] = {
        "settings": settings,
        "clock": clock,
        "translator": translator,
        "marketplace": marketplace,
        **services.by_name(),
    }
    dp = _dispatcher(core, services, incoming, fsm_for(db, redis, core.answers))
    dp.workflow_data.update(data)
    return App(
        settings, core.bot, dp, db, translator, incoming, data, background, core.closers, redis
    )


def _dispatcher(
    core: Core,
    services: Services,
    incoming: Incoming | Claims,
    fsm: tuple[BaseStorage, BaseEventIsolation],
) -> Dispatcher:
    dp = Dispatcher(
        storage=fsm[0],
        events_isolation=fsm[1],
        # An agent's updates are ordered per topic (one ticket), not across the whole
        # forum: answering in several tickets at once must not queue each answer behind
        # the others' calls to Telegram. Agents keep no FSM state; in a private chat
        # without topics (the usual kind) the key is the same as per chat.
        fsm_strategy=FSMStrategy.USER_IN_TOPIC,
    )
    incoming.install(dp, core.bot)
    dp.update.outer_middleware(
        CustomerMiddleware(services.customers, services.login, core.translator)
    )
    settings = core.settings
    forum_ids = tuple(f.chat_id for f in settings.forums)
    route(dp, forum_ids, core.translator(settings.default_locale), settings.speedups)
    # First: what the last run committed and did not send goes out before any worker
    # acts on what that commit says (a relay pass closing a topic before the last
    # message into it, say).
    if not isinstance(incoming, Claims) or incoming.exclusive:
        # Workers sharing a database leave this to their queue: another one alive may
        # be sending these answers right now (bot.delivery.queue).
        dp.startup.register(core.answers.send_left)
    dp.startup.register(_set_commands)
    parts = (core.outbox, services.relay, services.scheduler)
    shared, alone = bool(settings.postgres_url), not isinstance(incoming, Claims)
    for part in one_worker_at_a_time(core.db, parts, shared=shared, alone=alone):
        dp.startup.register(part.start)
        dp.shutdown.register(part.stop)
    # Last: what the last run left is handled by everything above, before new updates.
    dp.startup.register(incoming.replay)
    return dp


async def _marketplace(db: Database, clock: Clock, settings: Settings) -> EmbeddedMarketplace:
    marketplace = EmbeddedMarketplace(db, clock)
    if settings.marketplace_data:
        accounts, orders = datafile.load(settings.marketplace_data)
        imported = await marketplace.upsert(accounts, orders)
        log.info("marketplace data: %d accounts, %d orders", len(accounts), len(orders))
        if imported.statuses or imported.phones:
            log.info("marketplace data: %s", _kept_line(imported))
    return marketplace


def _kept_line(imported: Imported) -> str:
    statuses = ", ".join(f"{k.key} {k.ours} (file: {k.files})" for k in imported.statuses)
    phones = ", ".join(
        f"{k.key} {mask_pii(k.ours or '-')} (file: {mask_pii(k.files or '-')})"
        for k in imported.phones
    )
    return (
        f"kept {len(imported.statuses)} order statuses and {len(imported.phones)} phones "
        "the bot changed itself, because the file has no newer data for them"
        f"{f'; orders: {statuses}' if statuses else ''}{f'; accounts: {phones}' if phones else ''}"
    )


async def _set_commands(bot: Bot, translator: Translator) -> None:
    scope = BotCommandScopeAllPrivateChats()
    for locale in Locale:
        t = translator(locale)
        commands = [BotCommand(command=c, description=t(COMMANDS[c])) for c in CUSTOMER_COMMANDS]
        await bot.set_my_commands(commands, scope=scope, language_code=locale)
        if locale == translator.default:
            await bot.set_my_commands(commands, scope=scope)


class TelegramUnavailable(Exception):
    """Telegram cannot be reached or refuses the bot at start; one line that names the
    setting to check."""


async def reach_telegram(settings: Settings, first: Awaitable[object]) -> None:
    """The first call to Telegram: when it fails the bot cannot work at all, and the
    operator needs to know which setting to fix, not a traceback or endless retries."""
    where = settings.telegram_api_url or "https://api.telegram.org"
    try:
        await first
    except TelegramUnauthorizedError:
        raise TelegramUnavailable(
            "BOT_TOKEN is refused by Telegram: copy it again from @BotFather"
        ) from None
    except (TelegramNetworkError, TelegramServerError) as error:
        raise TelegramUnavailable(
            f"Telegram at {where} cannot be reached ({_first_line(error)}): check the network "
            "and TELEGRAM_API_URL"
        ) from None
    except (TelegramAPIError, ClientDecodeError) as error:
        raise TelegramUnavailable(
            f"TELEGRAM_API_URL {where} does not answer as a Bot API server does "
            f"({_first_line(error)})"
        ) from None


def used_updates(settings: Settings) -> list[str]:
    """The kinds of update the handlers take, as polling asks for them: what a webhook
    is set to receive."""
    dp = Dispatcher()
    translator = Translator(settings.default_locale)
    forum_ids = tuple(f.chat_id for f in settings.forums)
    route(dp, forum_ids, translator(settings.default_locale), settings.speedups)
    return dp.resolve_used_update_types()


def _first_line(error: Exception) -> str:
    # aiogram quotes a whole HTML page when the answer is not JSON.
    return next(iter(str(error).splitlines()), type(error).__name__)


async def run_polling(app: App) -> None:
    """Long polling until SIGINT/SIGTERM; aiogram finishes the updates in hand first."""
    try:
        # Telegram refuses getUpdates while a webhook is set: a bot that ran by webhook
        # comes back to polling with the updates Telegram holds for it.
        first = app.bot.delete_webhook(drop_pending_updates=False, request_timeout=START_TIMEOUT)
        await reach_telegram(app.settings, first)
        log.info(speedups.describe(app.settings.speedups))
        speedups.settle_gc(app.settings.speedups)
        await app.dp.start_polling(app.bot, handle_signals=True, close_bot_session=False)
    finally:
        await app.close()
