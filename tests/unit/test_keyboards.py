import importlib
import pkgutil
import re

from aiogram.filters.callback_data import CallbackData

import bot.keyboards
from bot.ports.datafile import CALLBACK_SEPARATOR, KEY_MAX_BYTES


def _callback_classes() -> list[type[CallbackData]]:
    for module in pkgutil.iter_modules(bot.keyboards.__path__):
        importlib.import_module(f"bot.keyboards.{module.name}")
    return [cls for cls in _subclasses(CallbackData) if cls.__module__.startswith("bot.")]


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def test_callback_prefixes_are_short_lowercase_and_unique() -> None:
    prefixes = [cls.__prefix__ for cls in _callback_classes()]
    assert len(prefixes) >= 10
    assert all(re.fullmatch(r"[a-z]{1,4}", p) for p in prefixes), prefixes
    assert len(prefixes) == len(set(prefixes)), prefixes


def test_the_longest_callback_data_fits_telegrams_64_bytes() -> None:
    from bot.keyboards.orders import ItemCb, ProblemCb  # noqa: PLC0415
    from bot.services.orders import Problem  # noqa: PLC0415

    number = "9" * KEY_MAX_BYTES  # the longest the data file lets in
    longest = [
        *(ProblemCb(number=number, problem=problem).pack() for problem in Problem),
        ItemCb(number=number, index=99).pack(),
    ]
    assert all(len(data.encode()) <= 64 for data in longest)


def test_the_data_file_refuses_the_separator_every_callback_uses() -> None:
    assert {cls.__separator__ for cls in _callback_classes()} == {CALLBACK_SEPARATOR}


def test_rows_lay_out_lines_pack_callbacks_and_leave_out_empty_lines() -> None:
    from bot.keyboards import column, rows  # noqa: PLC0415
    from bot.keyboards.orders import OrderCb, OrdersPageCb  # noqa: PLC0415

    markup = rows([("A", OrderCb(number="1")), ("B", OrdersPageCb(page=2))], [])
    assert [[(b.text, b.callback_data) for b in line] for line in markup.inline_keyboard] == [
        [("A", "or:1"), ("B", "ol:2")]
    ]
    assert [len(line) for line in column([("A", OrderCb(number="1"))] * 3).inline_keyboard] == [
        1,
        1,
        1,
    ]


def test_buttons_already_sent_keep_working_whatever_the_classes_are_called() -> None:
    from bot.keyboards.menu import MenuAction, MenuCb  # noqa: PLC0415
    from bot.keyboards.recovery import RecoveryCancelCb  # noqa: PLC0415

    # Renaming a class or a member is free; its data is what Telegram hands back.
    assert {cls.__prefix__ for cls in _callback_classes()} == {
        *("lg", "m", "l", "ol", "or", "op", "oc", "oi", "od", "oh"),
        *("rc", "rd", "tk", "cl", "rt"),
    }
    assert MenuCb(action=MenuAction.RECOVERY).pack() == "m:recover"
    assert RecoveryCancelCb.unpack("rc:7").recovery_id == 7
