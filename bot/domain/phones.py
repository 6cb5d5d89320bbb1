"""Phone numbers and emails as customers type them, and as we may show them."""

from __future__ import annotations

import re

import phonenumbers

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_KEEP_TAIL = 2


class InvalidPhone(ValueError):
    pass


class InvalidEmail(ValueError):
    pass


def parse_phone(text: str, region: str) -> str:
    """Any usual way of typing a number -> E.164, or InvalidPhone."""
    cleaned = text.strip()
    if len(cleaned) > 40:  # noqa: PLR2004 - longer than any real number with its spacing
        raise InvalidPhone(text)
    try:
        number = phonenumbers.parse(cleaned, region)
    except phonenumbers.NumberParseException:
        raise InvalidPhone(text) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(text)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_email(text: str) -> str:
    email = text.strip()
    if len(email) > 254 or not _EMAIL.match(email):  # noqa: PLR2004 - RFC 5321 limit
        raise InvalidEmail(text)
    return email.lower()


def mask(destination: str) -> str:
    """+79123456789 -> +7 912 ***-**-89; anna@example.com -> a***@example.com."""
    if "@" in destination:
        local, _, domain = destination.partition("@")
        return f"{local[:1]}***@{domain}"
    try:
        number = phonenumbers.parse(destination, None)
    except phonenumbers.NumberParseException:
        return "***"
    shown = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    keep_head = len(str(number.country_code)) + 3
    total = sum(ch.isdigit() for ch in shown)
    out, seen = [], 0
    for ch in shown:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen <= keep_head or seen > total - _KEEP_TAIL else "*")
        else:
            out.append(ch)
    return "".join(out)
