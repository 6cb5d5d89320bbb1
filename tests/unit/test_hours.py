from datetime import UTC, datetime

import pytest

from bot.services.hours import SupportHours


def _utc(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize("window", ["", "  "])
def test_empty_window_is_always_open(window: str) -> None:
    hours = SupportHours(window, "Europe/Moscow")
    assert hours.always
    for moment in (_utc(1, 0), _utc(1, 5, 59), _utc(1, 12), _utc(1, 23, 59)):
        assert hours.is_open(moment)
        assert hours.next_open(moment) == moment


@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        (_utc(1, 5, 59), False),  # 08:59 in Moscow
        (_utc(1, 6, 0), True),  # 09:00
        (_utc(1, 12, 0), True),  # 15:00
        (_utc(1, 17, 59), True),  # 20:59
        (_utc(1, 18, 0), False),  # 21:00: the end is not included
        (_utc(1, 18, 30), False),  # 21:30
        (_utc(1, 21, 0), False),  # 00:00 the next day
    ],
)
def test_day_window_in_moscow(moment: datetime, is_open: bool) -> None:
    hours = SupportHours("09:00-21:00", "Europe/Moscow")
    assert not hours.always
    assert hours.is_open(moment) is is_open


def test_before_opening_next_open_is_the_same_morning() -> None:
    hours = SupportHours("09:00-21:00", "Europe/Moscow")
    assert hours.next_open(_utc(1, 5, 59)) == _utc(1, 6, 0)


def test_after_closing_next_open_is_the_next_morning() -> None:
    hours = SupportHours("09:00-21:00", "Europe/Moscow")
    assert hours.next_open(_utc(1, 18, 30)) == _utc(2, 6, 0)
    assert hours.next_open(_utc(1, 21, 0)) == _utc(2, 6, 0)  # after local midnight


def test_next_open_at_work_is_now() -> None:
    hours = SupportHours("09:00-21:00", "Europe/Moscow")
    assert hours.next_open(_utc(1, 12, 0)) == _utc(1, 12, 0)


def test_window_tolerates_spaces() -> None:
    hours = SupportHours(" 09:00 - 21:00 ", "Europe/Moscow")
    assert hours.is_open(_utc(1, 6, 0))
    assert not hours.is_open(_utc(1, 5, 59))


@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        (_utc(1, 18, 59), False),  # 21:59 in Moscow
        (_utc(1, 19, 0), True),  # 22:00
        (_utc(1, 21, 0), True),  # 00:00
        (_utc(2, 2, 59), True),  # 05:59
        (_utc(2, 3, 0), False),  # 06:00: the end is not included
        (_utc(2, 9, 0), False),  # 12:00
    ],
)
def test_overnight_window(moment: datetime, is_open: bool) -> None:
    hours = SupportHours("22:00-06:00", "Europe/Moscow")
    assert hours.is_open(moment) is is_open


def test_overnight_window_next_open_is_the_same_evening() -> None:
    hours = SupportHours("22:00-06:00", "Europe/Moscow")
    assert hours.next_open(_utc(2, 3, 0)) == _utc(2, 19, 0)
    assert hours.next_open(_utc(2, 18, 59)) == _utc(2, 19, 0)
    assert hours.next_open(_utc(2, 1, 0)) == _utc(2, 1, 0)  # 04:00, at work


def test_next_open_follows_a_daylight_saving_change() -> None:
    # Berlin leaves summer time on 2026-10-25: 09:00 is 07:00 UTC before, 08:00 UTC after.
    hours = SupportHours("09:00-18:00", "Europe/Berlin")
    assert hours.is_open(_utc(24, 7, 0, month=10))
    assert not hours.is_open(_utc(25, 7, 30, month=10))
    assert hours.next_open(_utc(24, 20, 0, month=10)) == _utc(25, 8, 0, month=10)
