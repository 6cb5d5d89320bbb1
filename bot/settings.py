"""Every setting of the bot, read from the environment or `.env`.

The names are a contract shared with deployment tooling (see README): keep them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

Locale = Literal["ru", "en"]
LOCALES: tuple[Locale, ...] = ("ru", "en")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    bot_token: SecretStr
    telegram_api_url: str | None = None
    database_path: Path = Path("data/support.sqlite3")
    support_chat_id: int | None = None
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    default_locale: Locale = "ru"

    sms_gateway_url: str | None = None
    sms_gateway_token: SecretStr | None = None
    sms_gateway_timeout_seconds: float = Field(default=10, gt=0)
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, gt=0, lt=65536)
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str | None = None
    smtp_starttls: bool = True

    marketplace_data: Path | None = None
    phone_region: str = Field(default="RU", min_length=2, max_length=2)

    code_length: int = Field(default=6, ge=4, le=10)
    code_ttl_seconds: int = Field(default=300, gt=0)
    code_max_attempts: int = Field(default=5, gt=0)
    code_resend_cooldown_seconds: int = Field(default=60, ge=0)
    code_hourly_cap: int = Field(default=5, gt=0)
    code_daily_cap: int = Field(default=10, gt=0)
    code_destination_hourly_cap: int = Field(default=10, gt=0)
    code_destination_daily_cap: int = Field(default=20, gt=0)
    code_lock_minutes: int = Field(default=60, gt=0)
    login_ttl_days: int = Field(default=30, gt=0)
    recovery_hold_days: int = Field(default=14, ge=0)
    recovery_daily_cap: int = Field(default=3, gt=0)
    recovery_approve_immediately: bool = False
    recovery_check_seconds: float = Field(default=60, gt=0)

    return_window_days: int = Field(default=14, ge=0)
    first_response_minutes: int = Field(default=15, gt=0)
    support_hours: str = Field(default="09:00-21:00", pattern=r"^(\s*|\d\d:\d\d-\d\d:\d\d)$")
    support_timezone: str = "Europe/Moscow"
    ticket_reopen_hours: int = Field(default=24, ge=0)
    customer_messages_per_minute: int = Field(default=20, gt=0)
    sign_agent_replies: bool = True

    outbound_chat_per_second: float = Field(default=1, gt=0)
    outbound_group_per_minute: float = Field(default=20, gt=0)
    outbound_global_per_second: float = Field(default=30, gt=0)

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

    @field_validator(
        "telegram_api_url",
        "sms_gateway_url",
        "smtp_host",
        "smtp_user",
        "smtp_password",
        "smtp_from",
        "sms_gateway_token",
        "support_chat_id",
        "marketplace_data",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # `.env.example` lists optional settings with empty values.
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("support_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("must be a time zone name, like Europe/Moscow") from None
        return value

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        token = value.get_secret_value()
        bot_id, _, secret = token.partition(":")
        if not bot_id.isdigit() or not secret:
            raise ValueError("expected the form 123456789:ABC... given by @BotFather")
        return value


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
