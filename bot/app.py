"""The app factory: builds every part once and wires them; no globals."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass, field
from functools import partial

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramNetworkError,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.fsm.storage.base import BaseEventIsolation
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.fsm.strategy import FSMStrategy
from aiogram.types import BotCommand, BotCommandScopeAllPrivateChats

from bot import speedups
from bot.delivery.answers import Answers
from bot.delivery.background import Background
from bot.delivery.intake import Incoming
from bot.delivery.outbox import Outbox
from bot.delivery.pacing import Pacer, PacingMiddleware
from bot.delivery.relay import Relay
from bot.delivery.scheduler import Scheduler
from bot.domain.clock import Clock
from bot.domain.phones import mask
from bot.logs import mask_pii
from bot.ports import datafile
from bot.ports.senders import (
    LogSender,
    MailSender,
    PhoneSender,
    SmsGateway,
    SmtpMailer,
    Unconfigured,
)
from bot.services.codes import CodePolicy, CodeService
from bot.services.courier import Courier
from bot.services.customers import CustomerService
from bot.services.hours import SupportHours
from bot.services.login import LoginService
from bot.services.orders import OrderService
from bot.services.recovery import RecoveryPolicy, RecoveryService
from bot.services.tickets import TicketPolicy, TicketService
from bot.settings import LOCALES, Settings
from bot.telegram.i18n import Translator
from bot.telegram.membership import AgentDirectory
from bot.telegram.middlewares import CustomerMiddleware
from handlers import route
from handlers.login import tell_flood
from handlers.recovery import RecoveryNotices
from storage.answers import AnswerRepo
from storage.codes import CodeRepo
from storage.customers import CustomerRepo
from storage.db import Database
from storage.fsm import SQLiteStorage
from storage.incoming import IncomingRepo
from storage.marketplace import EmbeddedMarketplace, Imported
from storage.outbox import Notice, OutboxRepo
from storage.recovery import RecoveryRepo
from storage.tickets import TicketRepo

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
    incoming: Incoming
    services: dict[str, object] = field(default_factory=dict)
    background: Background = field(default_factory=Background)
    closers: list[SmsGateway] = field(default_factory=list)

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
        await self.db.close()


async def create_app(settings: Settings, *, clock: Clock | None = None) -> App:
    db = await Database.open(settings.database_path)
    try:
        return await _build(settings, clock or Clock(), db)
    except BaseException:
        # An open database keeps a thread alive: left open, the process would hang.
        await db.close()
        raise


async def _build(settings: Settings, clock: Clock, db: Database) -> App:
    marketplace = await _marketplace(db, clock, settings)
    translator = Translator(settings.default_locale)
    pacer = Pacer(
        settings.outbound_chat_per_second,
        settings.outbound_group_per_minute,
        settings.outbound_global_per_second,
    )
    answers = Answers(db, AnswerRepo(db))
    bot = _bot(settings, pacer, answers)
    phone_sender, mail_sender, closers = _senders(settings)
    outbox = Outbox(
        bot,
        db,
        OutboxRepo(db),
        pacer,
        clock,
        phone=phone_sender,
        mail=mail_sender,
        retry_seconds=settings.notice_retry_seconds,
        attempts=settings.notice_attempts,
    )
    background = Background()
    incoming = Incoming(IncomingRepo(db), answers, background)
    courier = Courier(outbox, translator, settings.code_ttl_seconds)
    base = Wiring(settings, db, clock, bot, translator, marketplace, courier, pacer, outbox)
    queue = _queue_services(base)
    services: dict[str, object] = {
        "settings": settings,
        "clock": clock,
        "translator": translator,
        "marketplace": marketplace,
        "orders": OrderService(
            marketplace,
            clock,
            settings.return_window_days,
            pickup_days=settings.pickup_storage_days,
        ),
        **_account_services(base, queue["tickets"]),  # type: ignore[arg-type]
        **queue,
    }
    # Workflow data is aiogram's own injection: it reaches handlers, filters, the
    # error handler and startup hooks alike, whatever middleware ran or failed.
    dp = Dispatcher(
        storage=SQLiteStorage(db),
        events_isolation=_isolation(),
        # An agent's updates are ordered per topic (one ticket), not across the whole
        # forum: answering in several tickets at once must not queue each answer behind
        # the others' calls to Telegram. Agents keep no FSM state; in a private chat
        # without topics (the usual kind) the key is the same as per chat.
        fsm_strategy=FSMStrategy.USER_IN_TOPIC,
        **services,
    )
    incoming.install(dp, bot)
    dp.update.outer_middleware(
        CustomerMiddleware(services["customers"], services["login"], translator)  # type: ignore[arg-type]
    )
    route(dp, settings.support_chat_id, translator(settings.default_locale), settings.speedups)
    # First: what the last run committed and did not send goes out before any worker
    # acts on what that commit says (a relay pass closing a topic before the last
    # message into it, say).
    dp.startup.register(answers.send_left)
    dp.startup.register(_set_commands)
    for part in (outbox, services["relay"], services["scheduler"]):
        dp.startup.register(part.start)  # type: ignore[attr-defined]
        dp.shutdown.register(part.stop)  # type: ignore[attr-defined]
    # Last: what the last run left is handled by everything above, before new updates.
    dp.startup.register(incoming.replay)
    return App(settings, bot, dp, db, translator, incoming, services, background, closers)


@dataclass(frozen=True)
class Wiring:
    """What every service group is built from."""

    settings: Settings
    db: Database
    clock: Clock
    bot: Bot
    translator: Translator
    marketplace: EmbeddedMarketplace
    courier: Courier
    pacer: Pacer
    outbox: Outbox


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


def _account_services(w: Wiring, tickets: TicketService) -> dict[str, object]:
    """Who the customer is: profile and language, login, access recovery."""
    s = w.settings
    customer_repo, code_repo = CustomerRepo(w.db), CodeRepo(w.db)
    codes = CodeService(w.db, code_repo, w.clock, _policy(s), key=_code_key(s))
    login = LoginService(
        db=w.db,
        codes=codes,
        audit=code_repo,
        customers=customer_repo,
        marketplace=w.marketplace,
        courier=w.courier,
        clock=w.clock,
        ttl_days=s.login_ttl_days,
        tell_flood=partial(tell_flood, w.outbox, w.translator),
    )
    recovery = RecoveryService(
        db=w.db,
        repo=RecoveryRepo(w.db),
        codes=codes,
        audit=code_repo,
        customers=customer_repo,
        marketplace=w.marketplace,
        courier=w.courier,
        clock=w.clock,
        policy=RecoveryPolicy(
            hold_days=s.recovery_hold_days,
            daily_cap=s.recovery_daily_cap,
            approve_immediately=s.recovery_approve_immediately,
        ),
        login_ttl_days=s.login_ttl_days,
        notices=RecoveryNotices(w.outbox, w.translator, s.support_chat_id),
        tickets=tickets,
    )
    scheduler = Scheduler(recovery, s.recovery_check_seconds)

    async def notice_lost(notice: Notice, reason: str) -> None:
        whom = mask(notice.destination) if notice.destination else f"chat {notice.chat_id}"
        await recovery.notice_given_up(notice.recovery_id or 0, whom, reason)

    # A change waits for its warnings: it hears when one is settled, and agents hear
    # of one given up on.
    w.outbox.given_up, w.outbox.settled = notice_lost, scheduler.poke
    return {
        "customers": CustomerService(customer_repo, w.translator, w.clock),
        "login": login,
        "recovery": recovery,
        "scheduler": scheduler,
    }


def _queue_services(w: Wiring) -> dict[str, object]:
    """The human queue: tickets, the relay to the agents' forum, who the agents are."""
    s = w.settings
    wake = asyncio.Event()
    tickets = TicketService(
        w.db,
        TicketRepo(w.db),
        w.clock,
        SupportHours(s.support_hours, s.support_timezone),
        TicketPolicy(
            first_response_minutes=s.first_response_minutes,
            reopen_hours=s.ticket_reopen_hours,
            customer_messages_per_minute=s.customer_messages_per_minute,
        ),
        on_new_work=lambda *_: wake.set(),
    )
    relay = Relay(
        w.bot, TicketRepo(w.db), tickets, w.marketplace, w.translator, s, wake, w.pacer, w.outbox
    )
    # Each needs the other: the relay reads tickets, and the service tells the relay
    # which queue has new work.
    tickets.on_new_work = relay.poke
    return {
        "tickets": tickets,
        "relay": relay,
        "agents": AgentDirectory(w.bot, s.support_chat_id, s.admin_ids),
    }


def _code_key(settings: Settings) -> bytes:
    # Derived from the token, which never enters the database the hashes live in.
    token = settings.bot_token.get_secret_value().encode()
    return hashlib.sha256(b"one-time-codes:" + token).digest()


def _policy(settings: Settings) -> CodePolicy:
    return CodePolicy(
        length=settings.code_length,
        ttl_seconds=settings.code_ttl_seconds,
        max_attempts=settings.code_max_attempts,
        cooldown_seconds=settings.code_resend_cooldown_seconds,
        hourly_cap=settings.code_hourly_cap,
        daily_cap=settings.code_daily_cap,
        destination_hourly_cap=settings.code_destination_hourly_cap,
        destination_daily_cap=settings.code_destination_daily_cap,
        lock_minutes=settings.code_lock_minutes,
    )


def _senders(settings: Settings) -> tuple[PhoneSender, MailSender, list[SmsGateway]]:
    phone: PhoneSender | None = None
    mail: MailSender | None = None
    closers: list[SmsGateway] = []
    if settings.sms_gateway_url:
        token = settings.sms_gateway_token
        gateway = SmsGateway(
            settings.sms_gateway_url,
            token.get_secret_value() if token else None,
            timeout=settings.sms_gateway_timeout_seconds,
        )
        phone = gateway
        closers.append(gateway)
    if settings.smtp_host:
        password = settings.smtp_password
        mail = SmtpMailer(
            settings.smtp_host,
            settings.smtp_port,
            sender=settings.smtp_from or settings.smtp_user or "support@localhost",
            user=settings.smtp_user,
            password=password.get_secret_value() if password else None,
            starttls=settings.smtp_starttls,
        )
    if phone is None and mail is None:
        development = LogSender()
        return development, development, closers
    # One channel configured means production: the other one is off, never the log.
    return phone or Unconfigured(), mail or Unconfigured(), closers


def _bot(settings: Settings, pacer: Pacer, answers: Answers) -> Bot:
    session = speedups.session(settings.speedups, settings.telegram_api_url)
    bot = Bot(
        settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )
    # First: a handler's calls are held until its transaction commits, before any wait.
    answers.install(bot)
    # The one outbound path: every message the bot posts is paced and retried here.
    session.middleware(PacingMiddleware(pacer))
    return bot


def _isolation() -> BaseEventIsolation:
    # One update at a time per person and chat (per topic in the forum): FSM reads and
    # writes of one person never interleave.
    return SimpleEventIsolation()


async def _set_commands(bot: Bot, translator: Translator) -> None:
    scope = BotCommandScopeAllPrivateChats()
    for locale in LOCALES:
        t = translator(locale)
        commands = [BotCommand(command=c, description=t(f"cmd-{c}")) for c in CUSTOMER_COMMANDS]
        await bot.set_my_commands(commands, scope=scope, language_code=locale)
        if locale == translator.default:
            await bot.set_my_commands(commands, scope=scope)


class TelegramUnavailable(Exception):
    """Telegram cannot be reached or refuses the bot at start; one line that names the
    setting to check."""


async def _reach_telegram(app: App) -> None:
    # The first call to Telegram: when it fails the bot cannot work at all, and the
    # operator needs to know which setting to fix, not a traceback or endless retries.
    where = app.settings.telegram_api_url or "https://api.telegram.org"
    try:
        await app.bot.delete_webhook(drop_pending_updates=False, request_timeout=START_TIMEOUT)
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


def _first_line(error: Exception) -> str:
    # aiogram quotes a whole HTML page when the answer is not JSON.
    return next(iter(str(error).splitlines()), type(error).__name__)


async def run_polling(app: App) -> None:
    """Long polling until SIGINT/SIGTERM; aiogram finishes the updates in hand first."""
    try:
        await _reach_telegram(app)
        log.info(speedups.describe(app.settings.speedups))
        speedups.settle_gc(app.settings.speedups)
        await app.dp.start_polling(app.bot, handle_signals=True, close_bot_session=False)
    finally:
        await app.close()
