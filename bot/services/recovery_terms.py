"""What the recovery service speaks in: its policy, its refusals, and the notices it
leaves to the flows to word."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from storage.recovery import Recovery


class Notices(Protocol):
    """What people are told of a change. Each is queued in the caller's transaction and
    delivered by the outbox; a change is applied only once its warnings are settled."""

    async def old_chat(self, chat_id: int, recovery: Recovery, applied: bool) -> None:
        """A chat linked to the account: ahead of the change with the way to stop it, or
        that it is done."""

    async def contact(self, destination: str, recovery: Recovery, applied: bool) -> bool:
        """The account's email or phone, likewise; False when that channel is not set up."""

    async def applied(self, recovery: Recovery) -> None:
        """The customer who asked: the number is changed."""

    async def logged_out(self, chat_id: int, recovery: Recovery) -> None:
        """A chat logged in with the old number, logged out by the change."""

    async def lost(self, recovery: Recovery, whom: str, reason: str) -> None:
        """Agents: a warning could not be delivered (`whom` is masked)."""


class RecoveryError(Exception):
    pass


class TooManyRecoveries(RecoveryError):
    pass


class RecoveryNotOpen(RecoveryError):
    pass


class RecoveryCancelled(RecoveryNotOpen):
    pass


class RecoveryApplied(RecoveryNotOpen):
    pass


@dataclass(frozen=True)
class RecoveryPolicy:
    hold_days: int
    daily_cap: int
    approve_immediately: bool = False
