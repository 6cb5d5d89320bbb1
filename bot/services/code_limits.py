"""The limits on asking for codes: they hold the Telegram user who asks, never the
account (NIST SP 800-63B-4), and a destination only when it is flooded."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.phones import mask
from bot.domain.values import AuditEvent, CodePurpose
from bot.services.code_errors import (
    CodeError,
    DestinationCapped,
    HourlyCapReached,
    RequesterLocked,
    TooSoon,
)
from storage.codes import CodeRepo, CodeRow

_LONGEST_WAIT = 3600  # seconds between two codes, however many were asked for


@dataclass(frozen=True)
class CodePolicy:
    length: int
    ttl_seconds: int
    max_attempts: int
    cooldown_seconds: int
    hourly_cap: int  # per requester, as daily_cap
    daily_cap: int = 10
    # Per destination, from everyone: high, so that only a flood reaches it.
    destination_hourly_cap: int = 10
    destination_daily_cap: int = 20
    lock_minutes: int = 60


@dataclass(frozen=True)
class Request:
    """Someone asking for a code, as the limits see it."""

    telegram_id: int
    purpose: CodePurpose
    destination: str
    account_id: str | None


class CodeLimits:
    def __init__(self, repo: CodeRepo, policy: CodePolicy) -> None:
        self._repo, self.policy = repo, policy

    def carried_failures(self, last: CodeRow | None, now: datetime) -> int:
        """Wrong tries in a row that a new code inherits: a new code does not start the
        count again, until the lock's time has passed."""
        lock = timedelta(minutes=self.policy.lock_minutes)
        if last is None or last.used or last.created_at <= now - lock:
            return 0
        return last.failures

    async def cooldown_left(self, telegram_id: int, purpose: CodePurpose, now: datetime) -> int:
        """Seconds before another code may be asked for; 0 when it may be now. The wait
        doubles with each code the person asked for in the last hour."""
        last = await self._repo.latest(telegram_id, purpose)
        if last is None:
            return 0
        recent, _ = await self._repo.issued_by(telegram_id, now - timedelta(hours=1))
        wait = min(_LONGEST_WAIT, self.policy.cooldown_seconds * 2 ** max(0, recent - 1))
        ready = last.created_at + timedelta(seconds=wait)
        return max(0, math.ceil((ready - now).total_seconds()))

    async def refusal(self, asked: Request, failures: int, now: datetime) -> CodeError | None:
        """Limits on the requester first; the destination's own cap is for floods only,
        so that nobody's requests lock a customer out of their own number."""
        telegram_id = asked.telegram_id
        if failures >= self.policy.max_attempts:
            last = await self._repo.latest(telegram_id, asked.purpose)
            free_at = (last.created_at if last else now) + timedelta(
                minutes=self.policy.lock_minutes
            )
            await self._repo.audit(now, telegram_id, AuditEvent.CODE_LOCKED)
            return RequesterLocked(_minutes(free_at - now))
        for window, cap in (
            (timedelta(hours=1), self.policy.hourly_cap),
            (timedelta(days=1), self.policy.daily_cap),
        ):
            count, oldest = await self._repo.issued_by(telegram_id, now - window)
            if count >= cap:
                shown = mask(asked.destination)
                await self._repo.audit(
                    now, telegram_id, AuditEvent.CODE_CAPPED, destination_masked=shown
                )
                return HourlyCapReached(_minutes((oldest or now) + window - now))
        wait = await self.cooldown_left(telegram_id, asked.purpose, now)
        if wait:
            return TooSoon(wait)
        return await self._flood(asked, now)

    async def _flood(self, asked: Request, now: datetime) -> DestinationCapped | None:
        for window, cap in (
            (timedelta(hours=1), self.policy.destination_hourly_cap),
            (timedelta(days=1), self.policy.destination_daily_cap),
        ):
            count, oldest = await self._repo.issued_to(asked.destination, now - window)
            if count < cap:
                continue
            # The owner's own Telegram, known from an earlier login, is not held up.
            if asked.account_id and await self._repo.has_logged_in(
                asked.telegram_id, asked.account_id
            ):
                return None
            told = await self._repo.flood_told_at(asked.destination)
            tell = told is None or told <= now - timedelta(days=1)
            shown = mask(asked.destination)
            await self._repo.audit(
                now, asked.telegram_id, AuditEvent.CODE_FLOOD, destination_masked=shown
            )
            return DestinationCapped(_minutes((oldest or now) + window - now), tell_owner=tell)
        return None


def _minutes(left: timedelta) -> int:
    return max(1, math.ceil(left.total_seconds() / 60))
