"""Every message of both locales renders with sample arguments, the plural forms 1, 2, 5
and 21 included, and numbers, participles and dates agree in Russian and English."""

from __future__ import annotations

from importlib import resources

import pytest
from fluent.runtime import FluentBundle, FluentResource
from fluent.syntax import ast, parse, visitor

from bot.domain.values import Locale
from bot.telegram.i18n import Translator

SAMPLES = (1, 2, 5, 21)


class _Variables(visitor.Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def visit_VariableReference(self, node: ast.VariableReference) -> None:
        self.names.add(node.id.name)


def _messages(locale: str) -> tuple[FluentBundle, dict[str, set[str]]]:
    bundle = FluentBundle([locale], use_isolating=False)
    found: dict[str, set[str]] = {}
    for entry in resources.files("locales").joinpath(locale).iterdir():
        if not entry.name.endswith(".ftl"):
            continue
        text = entry.read_text("utf-8")
        bundle.add_resource(FluentResource(text))
        for message in parse(text).body:
            if isinstance(message, ast.Message):
                names = _Variables()
                names.visit(message)
                found[message.id.name] = names.names
    return bundle, found


@pytest.mark.parametrize("locale", list(Locale))
@pytest.mark.parametrize("n", SAMPLES)
def test_every_message_renders_with_sample_arguments(locale: str, n: int) -> None:
    bundle, messages = _messages(locale)
    broken = {}
    for key, names in messages.items():
        value, errors = bundle.format_pattern(
            bundle.get_message(key).value, dict.fromkeys(names, n)
        )
        if errors or "{???}" in value or "{ $" in value:
            broken[key] = (value, errors)
    assert not broken


@pytest.mark.parametrize(
    ("n", "said"),
    [(1, "1 цифра"), (2, "2 цифры"), (4, "4 цифры"), (5, "5 цифр"), (21, "21 цифра")],
)
def test_russian_numbers_agree_with_their_nouns(n: int, said: str) -> None:
    t = Translator("ru")("ru")
    assert f"В коде {said}." in t("login-code-length", length=n)


@pytest.mark.parametrize(
    ("n", "said"), [(1, "1 день"), (3, "3 дня"), (14, "14 дней"), (21, "21 день")]
)
def test_russian_days_agree(n: int, said: str) -> None:
    t = Translator("ru")("ru")
    assert f"через {said};" in t("recover-intro", days=n)
    assert f"({said} после получения)" in t("orders-answer-return-expired", days=n)


@pytest.mark.parametrize(("n", "said"), [(1, "1 digit"), (6, "6 digits")])
def test_english_numbers_agree_with_their_nouns(n: int, said: str) -> None:
    t = Translator("en")("en")
    assert f"The code has {said}." in t("login-code-length", length=n)


def test_a_date_carries_its_preposition() -> None:
    t = Translator("ru")("ru")
    scheduled = t("recover-scheduled", phone="+7 999 ***-**-33", date="20.12.2026")
    assert "сменится на +7 999 ***-**-33 с 20.12.2026." in scheduled
    approved = t("recover-approved", phone="+7 999 ***-**-33", date="20.12.2026")
    assert "с 20.12.2026;" in approved


@pytest.mark.parametrize(
    ("state", "said"), [("cancelled", "отменённый"), ("returned", "возвращённый")]
)
def test_a_participle_agrees_with_its_noun(state: str, said: str) -> None:
    t = Translator("ru")("ru")
    assert f"Деньги за {said} заказ" in t("orders-answer-refund-status", state=state, status="x")
