"""Logging that never carries a customer's phone number or email in full."""

from __future__ import annotations

import logging
import re
from typing import Any

_PHONE = re.compile(r"\+?\d[\d\s().-]{8,}\d")
_EMAIL = re.compile(r"([\w.+-])[\w.+-]*@([\w-]+(?:\.[\w-]+)+)")


def mask_pii(text: str) -> str:
    text = _EMAIL.sub(r"\1***@\2", text)
    return _PHONE.sub(_mask_phone, text)


def _mask_phone(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group())
    return f"{'+' if match.group().startswith('+') else ''}{digits[:2]}***{digits[-2:]}"


class MaskingFormatter(logging.Formatter):
    """Masks the message and the traceback (exception texts quote input too), not the
    timestamp, which looks like a phone number to a pattern."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = mask_pii(record.message)
        return super().formatMessage(record)

    def formatException(self, ei: Any) -> str:
        return mask_pii(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:
        return mask_pii(super().formatStack(stack_info))


def setup_logging(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    # aiogram writes a line for every update handled and every tap answered: noise at a
    # support desk's volume, and formatting it was 3 % of the bot's CPU. Its warnings and
    # errors still show.
    for name in ("aiogram.event", "aiogram.middlewares"):
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
