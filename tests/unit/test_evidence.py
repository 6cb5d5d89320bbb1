"""Evidence for a review (bot/services/evidence.py): names compared as wholes."""

import pytest

from bot.services.evidence import same_name


@pytest.mark.parametrize(
    ("typed", "matches"),
    [
        ("Анна Петрова", True),
        ("петрова анна", True),
        ("Анна  Петрова.", True),
        ("Anna Petrova", False),
        ("Анна", False),  # one shared word is not the name
        ("Мария Петрова", False),
        ("Анна Петрова Иванова", False),
        ("", False),
    ],
)
def test_name_matches_means_the_whole_name_matches(typed: str, matches: bool) -> None:
    assert same_name("Анна Петрова", typed) is matches
    assert same_name("Пётр Семёнов", "петр семенов")
