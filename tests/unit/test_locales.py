import ast
import re
from pathlib import Path

from bot.settings import LOCALES
from bot.telegram.i18n import Html, Translator

ROOT = Path(__file__).parents[2]
KEY = re.compile(r"""\bt\(\s*["']([a-z][a-z0-9-]*)["']""")


def test_every_locale_has_the_same_keys() -> None:
    translator = Translator("ru")
    assert translator("ru").keys == translator("en").keys


def test_keys_are_kebab_case_with_a_flow_prefix() -> None:
    for key in Translator("ru")("ru").keys:
        assert re.fullmatch(r"[a-z]+(-[a-z0-9]+)+", key), key


def test_every_key_used_in_code_exists() -> None:
    keys = Translator("ru")("ru").keys
    used = set()
    for folder in ("bot", "handlers"):
        for path in (ROOT / folder).rglob("*.py"):
            used |= set(KEY.findall(path.read_text("utf-8")))
    assert used, "the scan found no text keys at all"
    assert used - keys == set()


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
    assert set(LOCALES) == {"ru", "en"}


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
