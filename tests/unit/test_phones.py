import logging
import sys

import pytest

from bot.domain.phones import InvalidEmail, InvalidPhone, mask, parse_email, parse_phone
from bot.logs import MaskingFormatter, mask_pii


@pytest.mark.parametrize(
    "typed",
    ["8 (912) 345-67-89", "+7 912 3456789", "89123456789", "+7(912)345-67-89", "9123456789"],
)
def test_usual_ways_of_typing_a_russian_number(typed: str) -> None:
    assert parse_phone(typed, "RU") == "+79123456789"


def test_international_numbers() -> None:
    assert parse_phone("+44 7911 123456", "RU") == "+447911123456"
    assert parse_phone("+1 650 253 0000", "RU") == "+16502530000"


@pytest.mark.parametrize("typed", ["12345", "hello", "+7 912", "8" * 60, ""])
def test_impossible_numbers_are_refused(typed: str) -> None:
    with pytest.raises(InvalidPhone):
        parse_phone(typed, "RU")


def test_masking() -> None:
    assert mask("+79123456789") == "+7 912 ***-**-89"
    assert mask("anna@example.com") == "a***@example.com"
    assert "345" not in mask("+447911123456")


def test_emails() -> None:
    assert parse_email(" Anna@Example.COM ") == "anna@example.com"
    with pytest.raises(InvalidEmail):
        parse_email("anna at example")


def test_logs_never_hold_a_full_phone_or_email() -> None:
    text = mask_pii("login by +7 912 345-67-89 and anna@example.com")
    assert "345-67" not in text
    assert "anna@" not in text
    try:
        raise ValueError("bad input +79123456789")
    except ValueError:
        record = logging.LogRecord(
            "x", logging.ERROR, "f", 1, "to %s", ("89123456789",), sys.exc_info()
        )
    line = MaskingFormatter("%(asctime)s %(message)s").format(record)
    assert "3456" not in line
    assert "ValueError" in line
    assert line[:4].isdigit()  # the timestamp is left alone
