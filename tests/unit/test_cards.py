from datetime import UTC, datetime

from bot.services.tickets import shorten
from bot.telegram.cards import TITLE_LIMIT, topic_title
from storage.tickets import Ticket


def _ticket(subject: str, assignee: str | None = None) -> Ticket:
    return Ticket(
        id=12,
        customer_id=1,
        customer_name="Анна",
        customer_username=None,
        account_id=None,
        locale="ru",
        status="taken" if assignee else "new",
        subject=subject,
        order_number=None,
        problem=None,
        context={},
        assignee_id=9 if assignee else None,
        assignee_name=assignee,
        topic_id=None,
        topic_closed=False,
        created_at=datetime(2026, 11, 1, tzinfo=UTC),
        first_response_at=None,
        closed_at=None,
        unreachable=False,
        rating=None,
    )


def test_topic_titles_are_cut_at_a_word_with_an_ellipsis() -> None:
    subject = "Посылка не пришла в пункт выдачи " * 6
    title = topic_title(_ticket(subject, assignee="Иван"))
    assert len(title) <= TITLE_LIMIT
    assert title.startswith("👤 #12 · Анна → Иван · Посылка не пришла")
    assert title.endswith("…")
    # the last word before the ellipsis is whole
    assert title[:-1].split()[-1] in subject.split()


def test_a_short_title_is_left_whole() -> None:
    assert topic_title(_ticket("Где заказ?")) == "🆕 #12 · Анна · Где заказ?"


def test_one_long_word_is_cut_inside_it() -> None:
    assert shorten("x" * 200, TITLE_LIMIT) == "x" * (TITLE_LIMIT - 1) + "…"


def test_a_cut_after_a_separator_drops_it() -> None:
    assert shorten("#1 · Анна · " + "слово" * 30, 20) == "#1 · Анна…"
