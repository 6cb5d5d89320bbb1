"""Which waiting customer messages travel together when the forum is behind."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.delivery.relay import merge, mergeable_run
from storage.messages import TicketMessage

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
MOSCOW = ZoneInfo("Europe/Moscow")


def _text(number: int, text: str, minutes: int = 0, **extra: object) -> TicketMessage:
    message = TicketMessage(1, "in", "text", T0 + timedelta(minutes=minutes), text=text, id=number)
    return replace(message, **extra)  # type: ignore[arg-type]


def test_plain_texts_in_a_row_merge_with_their_times() -> None:
    waiting = [_text(1, "где заказ?"), _text(2, "<b>алло</b>", minutes=2), _text(3, "ау", 5)]
    run = mergeable_run(waiting)
    assert [m.id for m in run] == [1, 2, 3]
    merged = merge(run, MOSCOW)
    assert merged.id == 1
    assert merged.text == "[12:00] где заказ?\n[12:02] <b>алло</b>\n[12:05] ау"


def test_media_an_album_an_edit_or_an_agents_line_end_the_run() -> None:
    photo = _text(3, "фото", kind="photo", file_id="F")
    assert [m.id for m in mergeable_run([_text(1, "a"), _text(2, "b"), photo])] == [1, 2]
    album = _text(2, "x", media_group_id="G")
    assert [m.id for m in mergeable_run([_text(1, "a"), album])] == [1]
    edit = _text(2, "правка", kind="edit", edit_of=1)
    assert [m.id for m in mergeable_run([_text(1, "a"), edit])] == [1]
    event = _text(2, "взял", direction="event")
    assert [m.id for m in mergeable_run([_text(1, "a"), event])] == [1]
    assert mergeable_run([photo, _text(4, "b")]) == []


def test_a_run_fits_one_telegram_message() -> None:
    waiting = [_text(n, "слово " * 200) for n in range(1, 10)]  # 1200 characters each
    run = mergeable_run(waiting)
    assert 1 < len(run) < len(waiting)
    assert len(merge(run, MOSCOW).text or "") < 4096 - 100
    assert [m.id for m in mergeable_run([_text(1, "x" * 5000), _text(2, "y")])] == [1]
