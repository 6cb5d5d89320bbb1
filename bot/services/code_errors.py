"""What a customer can be told about their one-time code."""

from __future__ import annotations


class CodeError(Exception):
    """Base of what a customer can be told about their code."""


class CodeWrong(CodeError):
    def __init__(self, attempts_left: int) -> None:
        super().__init__(attempts_left)
        self.attempts_left = attempts_left


class CodeExpired(CodeError):
    pass


class CodeBurned(CodeError):
    """Too many wrong tries, or a newer code replaced it."""


class NoCode(CodeError):
    pass


class NotACode(CodeError):
    """What was typed cannot be the code: no attempt is spent on it."""

    def __init__(self, length: int, *, has_digits: bool) -> None:
        super().__init__(length)
        self.length = length
        self.has_digits = has_digits


class TooSoon(CodeError):
    def __init__(self, seconds: int) -> None:
        super().__init__(seconds)
        self.seconds = seconds


class HourlyCapReached(CodeError):
    """The requester asked for too many codes: they, not the destination, wait."""

    def __init__(self, minutes: int) -> None:
        super().__init__(minutes)
        self.minutes = minutes


class RequesterLocked(HourlyCapReached):
    """Too many wrong tries in a row, across new codes: this requester waits."""


class DestinationCapped(HourlyCapReached):
    """A flood of codes to one phone or email: no more go there for a while.
    `tell_owner` until `owner_told`, then again a day later."""

    def __init__(self, minutes: int, *, tell_owner: bool) -> None:
        super().__init__(minutes)
        self.tell_owner = tell_owner
