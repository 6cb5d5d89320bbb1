"""What the app is made of: the way out to Telegram, phones and mail, and the services,
each built once from the settings."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, fields
from datetime import timedelta
from functools import partial

from aiogram import Bot

from bot.delivery.answers import Answers
from bot.delivery.leader import SHARED_TICK
from bot.delivery.outbox import Outbox
from bot.delivery.pacing import Pacer
from bot.delivery.relay import Relay
from bot.delivery.retry import RetryPolicy
from bot.delivery.scheduler import Scheduler
from bot.domain.clock import Clock
from bot.domain.forums import Category
from bot.domain.phones import mask
from bot.ports.senders import (
    SmsGateway,
)
from bot.services.codes import CodePolicy, CodeService
from bot.services.courier import Courier
from bot.services.customers import CustomerService
from bot.services.hours import SupportHours
from bot.services.login import LoginService
from bot.services.orders import OrderService
from bot.services.recovery import RecoveryPolicy, RecoveryService
from bot.services.routing import Lanes, forum_for
from bot.services.stats import StatsService
from bot.services.tickets import TicketPolicy, TicketRepos, TicketService
from bot.settings import Settings
from bot.telegram.i18n import Translator
from bot.telegram.membership import AgentDirectory
from bot.telegram.notices import FloodNotice, RecoveryNotices
from bot.ways_out import make_bot, senders
from storage.answers import AnswerRepo
from storage.codes import CodeRepo
from storage.customers import CustomerRepo
from storage.db import Database
from storage.marketplace import EmbeddedMarketplace
from storage.messages import MessageRepo
from storage.outbox import Notice, OutboxRepo
from storage.recovery import RecoveryRepo
from storage.stats import StatsRepo
from storage.tickets import TicketRepo


@dataclass(frozen=True)
class Core:
    """What every service is built from."""

    settings: Settings
    db: Database
    clock: Clock
    bot: Bot
    translator: Translator
    marketplace: EmbeddedMarketplace
    answers: Answers
    pacer: Pacer
    outbox: Outbox
    courier: Courier
    closers: list[SmsGateway]
    retry: RetryPolicy


@dataclass(frozen=True)
class Services:
    """What handlers ask for by name; each field's name is the name they ask by."""

    orders: OrderService
    customers: CustomerService
    login: LoginService
    recovery: RecoveryService
    scheduler: Scheduler
    tickets: TicketService
    relay: Relay
    agents: AgentDirectory
    stats: StatsService

    def by_name(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def build_core(
    settings: Settings,
    db: Database,
    clock: Clock,
    translator: Translator,
    marketplace: EmbeddedMarketplace,
    pacer: Pacer,  # bot.delivery.shared_pacing.build_pacer: in the process, or shared
) -> Core:
    s = settings
    retry = RetryPolicy()  # one for every call to Telegram: see bot/delivery/retry.py
    answers = Answers(db, AnswerRepo(db))
    bot = make_bot(settings, pacer, retry, answers)
    phone, mail, closers = senders(settings)
    outbox = Outbox(
        bot,
        db,
        OutboxRepo(db),
        pacer,
        clock,
        policy=retry,
        phone=phone,
        mail=mail,
        retry_seconds=s.notice_retry_seconds,
        attempts=s.notice_attempts,
        tick=SHARED_TICK if s.postgres_url else 5.0,
    )
    courier = Courier(outbox, translator, s.code_ttl_seconds)
    return Core(
        settings,
        db,
        clock,
        bot,
        translator,
        marketplace,
        answers,
        pacer,
        outbox,
        courier,
        closers,
        retry,
    )


def build_services(core: Core) -> Services:
    s = core.settings
    tickets, relay = _queue(core)
    customer_repo, code_repo = CustomerRepo(core.db), CodeRepo(core.db)
    codes = CodeService(core.db, code_repo, core.clock, _policy(s), key=_code_key(s))
    login = LoginService(
        db=core.db,
        codes=codes,
        audit=code_repo,
        customers=customer_repo,
        marketplace=core.marketplace,
        courier=core.courier,
        clock=core.clock,
        ttl_days=s.login_ttl_days,
        tell_flood=FloodNotice(core.outbox, core.translator),
    )
    recovery = _recovery(core, codes, code_repo, customer_repo, tickets)
    scheduler = Scheduler(recovery, s.recovery_check_seconds)

    async def notice_lost(notice: Notice, reason: str) -> None:
        whom = mask(notice.destination) if notice.destination else f"chat {notice.chat_id}"
        await recovery.notice_given_up(notice.recovery_id or 0, whom, reason)

    # A change waits for its warnings: it hears when one is settled, and agents hear
    # of one given up on.
    core.outbox.given_up, core.outbox.settled = notice_lost, scheduler.poke
    return Services(
        orders=OrderService(
            core.marketplace, core.clock, s.return_window_days, pickup_days=s.pickup_storage_days
        ),
        customers=CustomerService(customer_repo, core.translator, core.clock),
        login=login,
        recovery=recovery,
        scheduler=scheduler,
        tickets=tickets,
        relay=relay,
        agents=AgentDirectory(core.bot, (f.chat_id for f in s.forums), s.admin_ids),
        stats=StatsService(StatsRepo(core.db), core.clock, s.support_timezone),
    )


def _recovery(
    core: Core,
    codes: CodeService,
    code_repo: CodeRepo,
    customer_repo: CustomerRepo,
    tickets: TicketService,
) -> RecoveryService:
    s = core.settings
    return RecoveryService(
        db=core.db,
        repo=RecoveryRepo(core.db),
        codes=codes,
        audit=code_repo,
        customers=customer_repo,
        marketplace=core.marketplace,
        courier=core.courier,
        clock=core.clock,
        policy=RecoveryPolicy(
            hold_days=s.recovery_hold_days,
            daily_cap=s.recovery_daily_cap,
            approve_immediately=s.recovery_approve_immediately,
        ),
        login_ttl_days=s.login_ttl_days,
        notices=RecoveryNotices(
            core.outbox, core.translator, forum_for(s.forums, Category.RECOVERY)
        ),
        tickets=tickets,
    )


def _queue(core: Core) -> tuple[TicketService, Relay]:
    """The human queue: tickets and the relay to the agents' forum."""
    s = core.settings
    wake = asyncio.Event()
    tickets = TicketService(
        core.db,
        TicketRepos.over(core.db),
        core.clock,
        SupportHours(s.support_hours, s.support_timezone),
        TicketPolicy(
            first_response_minutes=s.first_response_minutes,
            reopen_hours=s.ticket_reopen_hours,
            customer_messages_per_minute=s.customer_messages_per_minute,
            lanes=Lanes(
                s.forums,
                int(s.outbound_group_per_minute),
                timedelta(seconds=s.outbound_group_window_seconds),
            ),
            auto_assign=s.auto_assign,
        ),
        on_new_work=lambda *_: wake.set(),
    )
    relay = Relay(
        core.bot,
        TicketRepo(core.db),
        MessageRepo(core.db),
        tickets,
        core.marketplace,
        core.translator,
        s,
        wake,
        core.pacer,
        core.outbox,
        core.retry,
        tick=SHARED_TICK if s.postgres_url else 5.0,
    )
    # Each needs the other: the relay reads tickets, and the service tells the relay
    # which queue has new work and which ticket's topic must follow a change.
    tickets.on_new_work, tickets.on_changed = relay.poke, relay.ticket_changed
    tickets.assigned_line = partial(core.translator(s.default_locale).plain, "agents-assigned")
    return tickets, relay


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
