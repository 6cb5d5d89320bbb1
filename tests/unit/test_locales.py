import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from aiogram.fsm.state import StatesGroup

from bot.app import CUSTOMER_COMMANDS
from bot.domain.values import Locale
from bot.ports.marketplace import OrderStatus
from bot.services.orders import Answer, Problem
from bot.services.tickets import RELAYED_KINDS
from bot.telegram import states, text_keys
from bot.telegram.i18n import Html, Translator

ROOT = Path(__file__).parents[2]
KEY_SHAPE = re.compile(r"[a-z]+(-[a-z0-9]+)+")
# Strings shaped like text keys that are not texts: the purposes stored with a code.
NOT_TEXT_KEYS = {"recover-email", "recover-phone"}
FAMILIES = {
    name: family
    for name, family in vars(text_keys).items()
    if name.isupper() and isinstance(family, dict)
}


def _catalog() -> frozenset[str]:
    return Translator("ru")("ru").keys


def _keys_in(family: dict[str, Any]) -> set[str]:
    """The keys a family lists, however deep: values of its values, parts of pairs."""
    found: set[str] = set()
    for value in family.values():
        if isinstance(value, dict):
            found |= _keys_in(value)
        elif isinstance(value, tuple):
            found |= {part for part in value if part}
        else:
            found.add(value)
    return found


def _source_nodes() -> Iterator[tuple[Path, ast.AST]]:
    for folder in ("bot", "handlers"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                yield path, node


def test_every_locale_has_the_same_keys() -> None:
    translator = Translator("ru")
    assert translator("ru").keys == translator("en").keys


def test_keys_are_kebab_case_with_a_flow_prefix() -> None:
    for key in Translator("ru")("ru").keys:
        assert re.fullmatch(r"[a-z]+(-[a-z0-9]+)+", key), key


def test_every_key_used_in_code_exists() -> None:
    # Any literal shaped like a key of a known flow, wherever it stands: in t("..."), a
    # filter's word list, a keyboard's labels, a key chosen by a condition.
    keys = _catalog()
    flows = {key.split("-")[0] for key in keys}
    picked_by = {value for family in FAMILIES.values() for value in family}
    used = {
        (node.value, f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}")
        for path, node in _source_nodes()
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and KEY_SHAPE.fullmatch(node.value)
        and node.value.split("-")[0] in flows
    }
    assert len(used) > 100, "the scan found too few text keys"
    known = keys | picked_by | NOT_TEXT_KEYS
    missing = sorted(f"{where}: {key}" for key, where in used if key not in known)
    assert missing == []


def test_no_key_is_put_together_at_run_time() -> None:
    # A key built from a value is found by no search and checked by no test: families
    # of keys are written out in bot/telegram/text_keys.py instead.
    flows = {key.split("-")[0] for key in _catalog()}
    built = sorted(
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path, node in _source_nodes()
        if isinstance(node, ast.JoinedStr)
        and isinstance(head := node.values[0], ast.Constant)
        and re.fullmatch(r"[a-z]+(-[a-z0-9]+)*-", str(head.value))
        and str(head.value).split("-")[0] in flows
    )
    assert built == []


def test_every_key_picked_at_run_time_exists_in_every_locale() -> None:
    translator = Translator("ru")
    for name, family in FAMILIES.items():
        listed = _keys_in(family)
        assert listed, name
        for locale in Locale:
            assert listed - translator(locale).keys == set(), (name, locale)


def test_each_family_of_keys_covers_the_values_it_is_picked_by() -> None:
    assert list(text_keys.COMMANDS) == list(CUSTOMER_COMMANDS)
    assert set(text_keys.LANGUAGE_BUTTONS) == set(Locale)
    assert set(text_keys.ORDER_STATUSES) == {status.value for status in OrderStatus}
    # Tickets the bot opens itself carry a problem no button offers.
    assert set(text_keys.ORDER_PROBLEMS) == {p.value for p in Problem} | {"late", "recovery"}
    assert set(text_keys.ORDER_ANSWERS) == {answer.value for answer in Answer}
    assert set(text_keys.RELAY_KINDS) == (RELAYED_KINDS - {"text"}) | {"other"}
    channels = {"sms", "call", "email"}
    assert set(text_keys.CODE_SENT) == channels
    assert {flow: set(texts) for flow, texts in text_keys.CODE_MESSAGES.items()} == {
        "login": channels,
        "recover": channels,
    }
    for name, texts in text_keys.NOTICES.items():
        assert set(texts) == {"email", "sms"}, name
    # Whether to an email (a subject) or to a phone (none).
    for texts in (*text_keys.CODE_MESSAGES.values(), *text_keys.NOTICES.values()):
        assert {channel: bool(subject) for channel, (subject, _) in texts.items()} == {
            channel: channel == "email" for channel in texts
        }


def test_each_left_step_names_a_state_or_a_flow() -> None:
    groups = [
        group
        for group in vars(states).values()
        if isinstance(group, type) and issubclass(group, StatesGroup) and group is not StatesGroup
    ]
    names = {group.__full_group_name__ for group in groups}
    names |= {state for group in groups for state in group.__all_states_names__}
    # A group may keep the stored name of an older class name (Recovery keeps "Recover").
    names |= {name.partition(":")[0] for name in names}
    assert set(text_keys.LEFT_STEPS) <= names


def test_arguments_are_escaped_for_html() -> None:
    t = Translator("en")("en")
    assert t("start-greeting", name="<b>Eve</b> & co").startswith(
        "Hello, &lt;b&gt;Eve&lt;/b&gt; &amp; co!"
    )


def test_a_remembered_text_still_follows_its_arguments() -> None:
    t = Translator("en")("en")
    first = t("orders-money", amount=1234)
    assert t("orders-money", amount=1234) == first
    assert t("orders-money", amount=99) != first
    assert t("start-greeting", name="<i>") != t("start-greeting", name="<b>")
    # Already-rendered text and the same characters typed by a person are not one text.
    assert "<b>Eve</b>" in t("start-greeting", name=Html("<b>Eve</b>"))
    assert "&lt;b&gt;Eve" in t("start-greeting", name="<b>Eve</b>")


def test_locale_choice_falls_back_sensibly() -> None:
    translator = Translator("ru")
    assert translator.pick(None, "en-GB") == "en"
    assert translator.pick(None, "de") == "ru"
    assert translator.pick("en", "ru") == "en"
    assert translator.pick(None, None) == "ru"
    assert set(Locale) == {"ru", "en"}


def test_no_cyrillic_literals_outside_locales() -> None:
    # A user-facing text in code would skip translation; Russian ones are the usual slip.
    for folder in ("bot", "handlers", "storage"):
        for path in (ROOT / folder).rglob("*.py"):
            tree = ast.parse(path.read_text("utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    assert not re.search("[\u0400-\u04ff]", node.value), f"{path}: {node.value!r}"


def test_a_long_argument_never_turns_into_question_marks() -> None:
    t = Translator("en")("en")
    for typed in ("a" * 2_500, "<" * 2_500, "b" * 10_000):
        escaped = typed.replace("<", "&lt;")
        assert t("agents-commented", text=typed) == f"The customer's comment: {escaped}"
        assert t.plain("agents-commented", text=typed) == f"The customer's comment: {typed}"
    marks = "\ue000\ue0010:\ue001"  # what a slot for a long text looks like, typed
    text = t("orders-summary", number=marks, problem="x", text="c" * 3000)
    assert text == f"Order {marks}: x. {'c' * 3000}"
