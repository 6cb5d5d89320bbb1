"""Every setting of the bot, read from the environment or `.env`.

The names are a contract shared with deployment tooling (see README): keep them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.domain.forums import ForumLane, Forums
from bot.domain.values import Locale
from bot.services.hours import parse_window
from bot.speedups import NAMES as SPEEDUPS
from bot.speedups import parse as parse_speedups

_MINUTE = 60
_DAY = 24 * 60 * _MINUTE
_TEN_YEARS = 3653


def _span(default: float, low: float, high: float, *, zero: bool = False) -> Any:
    """A finite number above ``low`` (or equal to it, with ``zero``) up to ``high``: what
    the bot adds to dates stays far from where a timedelta or a datetime overflows,
    and what it sleeps or divides by is never inf, nan or 0."""
    if zero:
        return Field(default=default, ge=low, le=high, allow_inf_nan=False)
    return Field(default=default, gt=low, le=high, allow_inf_nan=False)


_POSTGRES_SCHEMES = ("postgresql://", "postgres://")
_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


# Listed in `.env.example` with empty values: empty is unset.
_OPTIONAL = ("telegram_api_url", "sms_gateway_url", "smtp_host", "smtp_user", "smtp_password",
             "smtp_from", "sms_gateway_token", "marketplace_data",
             "webhook_url", "webhook_secret")  # fmt: skip


class DatabaseSettings(BaseSettings):
    """Where the bot keeps everything: all `python -m bot migrate` needs."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    database_path: Path = Path("data/support.sqlite3")
    # sqlite:///path, or postgresql://user@host/db; unset: DATABASE_PATH.
    database_url: str | None = None

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        if value.startswith("sqlite:///") and len(value) > len("sqlite:///"):
            return value
        if value.startswith(_POSTGRES_SCHEMES) and urlsplit(value).hostname:
            return value
        raise ValueError("must be sqlite:///path or postgresql://user@host/database")

    @property
    def postgres_url(self) -> str | None:
        url = self.database_url
        return url if url is not None and url.startswith(_POSTGRES_SCHEMES) else None

    @property
    def sqlite_path(self) -> Path:
        url = self.database_url
        if url is not None and url.startswith("sqlite:///"):
            return Path(url.removeprefix("sqlite:///"))
        return self.database_path


class DeskSettings(DatabaseSettings):
    """Where the agents work, their language and time zone: the stats page's settings."""

    support_chat_id: int | None = None
    # Several agents' forums, as JSON (see .env.example); unset: SUPPORT_CHAT_ID alone.
    support_chats: Annotated[Forums, NoDecode] = ()
    default_locale: Locale = Locale.RU
    support_timezone: str = "Europe/Moscow"

    @field_validator("support_chat_id", mode="before")
    @classmethod
    def _no_forum(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("support_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("must be a time zone name, like Europe/Moscow") from None
        return value

    @property
    def forums(self) -> tuple[ForumLane, ...]:
        """The agents' forums: SUPPORT_CHATS, else SUPPORT_CHAT_ID taking everything."""
        if self.support_chats or self.support_chat_id is None:
            return self.support_chats
        return (ForumLane(chat_id=self.support_chat_id),)


class Settings(DeskSettings):
    bot_token: SecretStr
    telegram_api_url: str | None = None
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()

    sms_gateway_url: str | None = None
    sms_gateway_token: SecretStr | None = None
    sms_gateway_timeout_seconds: float = _span(10, 0, _MINUTE * 10)
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, gt=0, lt=65536)
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str | None = None
    smtp_starttls: bool = True

    marketplace_data: Path | None = None
    phone_region: str = "RU"

    code_length: int = Field(default=6, ge=4, le=10)
    code_ttl_seconds: int = _span(300, 0, _DAY)
    code_max_attempts: int = _span(5, 0, 100)
    code_resend_cooldown_seconds: int = _span(60, 0, _DAY, zero=True)
    code_hourly_cap: int = _span(5, 0, 1000)
    code_daily_cap: int = _span(10, 0, 10_000)
    code_destination_hourly_cap: int = _span(10, 0, 10_000)
    code_destination_daily_cap: int = _span(20, 0, 100_000)
    code_lock_minutes: int = _span(60, 0, 60 * 24 * 30)
    login_ttl_days: int = _span(30, 0, _TEN_YEARS)
    recovery_hold_days: int = _span(14, 0, 366, zero=True)
    recovery_daily_cap: int = _span(3, 0, 100)
    recovery_approve_immediately: bool = False
    recovery_check_seconds: float = _span(60, 1, _DAY, zero=True)
    notice_retry_seconds: float = _span(60, 0, _DAY)
    notice_attempts: int = _span(10, 0, 100)

    return_window_days: int = _span(14, 0, _TEN_YEARS, zero=True)
    pickup_storage_days: int = _span(7, 0, 366)
    first_response_minutes: int = _span(15, 0, 7 * 24 * 60)
    support_hours: str = Field(default="09:00-21:00", pattern=r"^(\s*|\d\d:\d\d-\d\d:\d\d)$")
    ticket_reopen_hours: int = _span(24, 0, 366 * 24, zero=True)
    customer_messages_per_minute: int = _span(20, 0, 1_000_000)
    sign_agent_replies: bool = True
    auto_assign: bool = False  # a new ticket goes to an agent online (/online) in its forum

    outbound_chat_per_second: float = _span(1, 0.01, 1_000_000, zero=True)
    outbound_group_per_minute: float = _span(20, 1, 100_000_000, zero=True)
    # Telegram's group window is a minute; a test (or a Bot API server with other limits)
    # may shorten it, OUTBOUND_GROUP_PER_MINUTE then counting posts in that window.
    outbound_group_window_seconds: float = _span(60, 1, 3600, zero=True)
    outbound_global_per_second: float = _span(30, 0.1, 1_000_000, zero=True)

    speedups: Annotated[frozenset[str], NoDecode] = frozenset(SPEEDUPS)
    # Several workers of one bot: FSM state, per-chat isolation and pacing budgets there.
    redis_url: str | None = None

    # python -m bot webhook: the public https URL Telegram posts to, the secret it sends
    # with each update, and where the workers listen behind the TLS proxy.
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "127.0.0.1"
    webhook_port: int = Field(default=8081, gt=0, lt=65536)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        # The contract is a comma-separated list, which pydantic would read as JSON.
        if not isinstance(value, str):
            return value
        try:
            return frozenset(int(part) for part in value.replace(" ", "").split(",") if part)
        except ValueError:
            raise ValueError("must be user ids separated by commas, like 123,456") from None

    @field_validator("speedups", mode="before")
    @classmethod
    def _speedups(cls, value: object) -> object:
        return parse_speedups(value) if isinstance(value, str) else value

    @field_validator(*_OPTIONAL, mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        try:
            parts = urlsplit(value)
            where = parts.path if parts.scheme == "unix" else parts.hostname
        except ValueError:
            where = None
        if value.startswith(_REDIS_SCHEMES) and where:
            return value
        raise ValueError("must be redis://host:port/db, rediss://... or unix:///path")

    @field_validator("support_hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        try:
            parse_window(value)
        except ValueError:
            raise ValueError(
                "must be two times of day, like 09:00-21:00, or empty for around the clock"
            ) from None
        return value

    @field_validator("phone_region")
    @classmethod
    def _region(cls, value: str) -> str:
        region = value.strip().upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError("must be a two-letter country code, like RU or KZ")
        return region

    @field_validator("telegram_api_url", "sms_gateway_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        return _url(value, {"http", "https"}, "an http(s) address, like http://localhost:8081")

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        return _url(value, {"https"}, "the public https address, like https://bot.example.com/tg")

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        # What the Bot API takes as secret_token.
        if value is not None and not _SECRET.fullmatch(value.get_secret_value()):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    def webhook_refusal(self) -> str | None:
        """Why ``python -m bot webhook`` cannot start with these settings, if it cannot."""
        for name in ("webhook_url", "webhook_secret"):
            if getattr(self, name) is None:
                return (
                    f"{name.upper()} is not set: python -m bot webhook needs it (see .env.example)"
                )
        return None

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        token = value.get_secret_value()
        bot_id, _, secret = token.partition(":")
        if not bot_id.isdigit() or not secret:
            raise ValueError("expected the form 123456789:ABC... given by @BotFather")
        return value


def _url(value: str | None, schemes: set[str], shape: str) -> str | None:
    if value is None:
        return value
    try:
        parts = urlsplit(value.strip())
        valid = parts.scheme in schemes and bool(parts.hostname) and not parts.fragment
        parts.port  # noqa: B018 - raises for a port out of range
    except ValueError:
        valid = False
    if not valid:
        raise ValueError(f"must be {shape}")
    return value.strip()


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it for the operator."""


def describe_error(error: ValidationError) -> str:
    first = error.errors()[0]
    name = str(first["loc"][0]).upper() if first["loc"] else "settings"
    if first["type"] == "missing" or first.get("input") == "":
        return f"{name} is not set: put it in the environment or in .env (see .env.example)"
    return f"{name} is malformed: {first['msg'].removeprefix('Value error, ')}"


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise SettingsError(describe_error(error)) from None
