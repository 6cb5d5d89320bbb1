"""Logging that never carries a customer's phone number or email in full."""

from __future__ import annotations

import logging
import re

_PHONE = re.compile(r"\+?\d[\d\s().-]{8,}\d")
_EMAIL = re.compile(r"([\w.+-])[\w.+-]*@([\w-]+(?:\.[\w-]+)+)")


def mask_pii(text: str) -> str:
    text = _EMAIL.sub(r"\1***@\2", text)
    return _PHONE.sub(_mask_phone, text)


def _mask_phone(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group())
    return f"{'+' if match.group().startswith('+') else ''}{digits[:2]}***{digits[-2:]}"


class MaskingFormatter(logging.Formatter):
    """Masks the whole line, tracebacks included: exception texts quote input too."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_pii(super().format(record))


def setup_logging(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)
