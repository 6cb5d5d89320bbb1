"""The ways out of the bot: the Bot with its session's middlewares, and the senders of
codes and notices by phone and by mail, as the settings configure them."""

from __future__ import annotations

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode

from bot import speedups
from bot.delivery.answers import Answers
from bot.delivery.pacing import Pacer, PacingMiddleware
from bot.delivery.retry import RetryPolicy
from bot.ports.senders import (
    LogSender,
    MailSender,
    PhoneSender,
    SmsGateway,
    SmtpMailer,
    Unconfigured,
)
from bot.settings import Settings


def senders(settings: Settings) -> tuple[PhoneSender, MailSender, list[SmsGateway]]:
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


def make_bot(settings: Settings, pacer: Pacer, retry: RetryPolicy, answers: Answers) -> Bot:
    session = speedups.session(settings.speedups, settings.telegram_api_url)
    bot = Bot(
        settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )
    # First: a handler's calls are held until its transaction commits, before any wait.
    answers.install(bot)
    # The one outbound path: every message the bot posts is paced here, and retried here
    # unless its sender keeps it to retry later (the relay, the outbox).
    session.middleware(PacingMiddleware(pacer, retry))
    return bot
