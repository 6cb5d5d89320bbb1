"""Bot API error responses as a Python exception.

Method handlers raise :class:`ApiError`; the HTTP layer turns it into the exact
JSON body Telegram returns, so aiogram maps it to its own exception classes.
"""

from __future__ import annotations

from typing import Any

_DEFAULT_DESCRIPTIONS: dict[int, str] = {
    400: "Bad Request: injected failure",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request",
    413: "Request Entity Too Large",
    429: "Too Many Requests: retry after {retry_after}",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class ApiError(Exception):
    """A failed Bot API call: ``status`` is both the HTTP status and ``error_code``."""

    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body

    @classmethod
    def injected(
        cls, status: int, *, retry_after: int | None = None, description: str | None = None
    ) -> ApiError:
        """Build a fault-injection error with Telegram's usual wording for ``status``."""
        if status == 429 and retry_after is None:  # noqa: PLR2004
            # aiogram only raises TelegramRetryAfter when the parameter is present.
            retry_after = 1
        text = description or _DEFAULT_DESCRIPTIONS.get(status, f"Error {status}")
        return cls(status, text.format(retry_after=retry_after), retry_after=retry_after)


class SimulationError(AssertionError):
    """A simulated person tried something Telegram's UI would not allow.

    Subclasses AssertionError so a failing step reads as a failed test in pytest.
    """


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


def forbidden(reason: str) -> ApiError:
    return ApiError(403, f"Forbidden: {reason}")


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)
