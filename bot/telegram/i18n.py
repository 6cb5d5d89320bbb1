"""Texts from `locales/<locale>/*.ftl` (Project Fluent), bound to one person's locale.

Every string argument is HTML-escaped here, once, because every message goes out
in HTML parse mode: a customer's "<b>" or "&" can never break a message.
"""

from __future__ import annotations

import functools
import html
import logging
import re
import secrets
from importlib import resources

from fluent.runtime import FluentBundle, FluentResource
from fluent.syntax import ast

from bot.domain.values import Locale

log = logging.getLogger(__name__)

_CACHED_TEXTS = 512  # per language; the hot ones are a few dozen
# Fluent refuses an argument over 2,500 characters and renders the whole text as
# "{???}" (fluent.runtime's MAX_PART_LENGTH); longer ones are put in after it.
_SPLICE_OVER = 1000


class Html(str):
    """Text already rendered for HTML parse mode: passed into another text as it is."""

    __slots__ = ()


class Texts:
    def __init__(self, locale: Locale) -> None:
        self.locale = locale
        self._bundle, self.keys = _load(locale)
        # A text is a pure function of its key and arguments, and the same few (menu
        # labels, prices, statuses) come back with nearly every answer; Fluent with
        # Babel's number formatting was a tenth of an order card's CPU.
        self._cached = functools.lru_cache(maxsize=_CACHED_TEXTS)(self._render)

    def __call__(self, key: str, /, **args: object) -> Html:
        # The type is part of the key: Html("<b>") equals "<b>" but is not escaped.
        typed = tuple((k, type(v), v) for k, v in args.items())
        try:
            return self._cached(key, *typed)
        except TypeError:  # unhashable: Fluent reports it when rendering
            return self._render(key, *typed)

    def _render(self, key: str, *args: tuple[str, type, object]) -> Html:
        return Html(self._format(key, {k: _escape(v) for k, _, v in args}))

    def plain(self, key: str, /, **args: object) -> str:
        """For text that is stored and escaped later (a ticket's description): no HTML."""
        return self._format(key, args)

    def _format(self, key: str, args: dict[str, object]) -> str:
        if not self._bundle.has_message(key):
            log.error("text %s is missing in locale %s", key, self.locale)
            return key
        pattern = self._bundle.get_message(key).value
        spliced = [v for v in args.values() if isinstance(v, str) and len(v) > _SPLICE_OVER]
        if spliced:
            # A mark no one can type: a fresh token in private-use characters.
            mark = f"\ue000{secrets.token_hex(8)}:"
            slots = {id(v): f"{mark}{n}\ue001" for n, v in enumerate(spliced)}
            args = {k: slots.get(id(v), v) for k, v in args.items()}
        rendered, errors = self._bundle.format_pattern(pattern, args)  # type: ignore[arg-type]
        for error in errors:
            log.error("text %s in %s: %s", key, self.locale, error)
        # Fluent's "no value" comes out as the key, as a missing text does.
        text = rendered if isinstance(rendered, str) else key
        if spliced:
            # One pass: a spliced text is not searched again.
            slot = re.compile(re.escape(mark) + "(\\d+)\ue001")
            text = slot.sub(lambda m: spliced[int(m[1])], text)
        return text


class Translator:
    """All catalogs, loaded once at start."""

    def __init__(self, default: Locale) -> None:
        self.default = default
        self._texts = {locale: Texts(locale) for locale in Locale}

    def __call__(self, locale: Locale) -> Texts:
        return self._texts[locale]

    def pick(self, chosen: str | None, telegram_language: str | None) -> Locale:
        """The customer's own choice first, then their Telegram language, then the default."""
        for candidate in (chosen, (telegram_language or "")[:2].lower()):
            if (locale := Locale.of(candidate)) is not None:
                return locale
        return self.default


def _load(locale: Locale) -> tuple[FluentBundle, frozenset[str]]:
    # Unicode isolation marks around arguments would show up in Telegram as junk.
    bundle = FluentBundle([locale], use_isolating=False)
    keys: set[str] = set()
    folder = resources.files("locales").joinpath(locale)
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".ftl"):
            resource = FluentResource(entry.read_text("utf-8"))
            keys.update(m.id.name for m in resource.body if isinstance(m, ast.Message))
            bundle.add_resource(resource)
    return bundle, frozenset(keys)


def _escape(value: object) -> object:
    if isinstance(value, str) and not isinstance(value, Html):
        return html.escape(value, quote=False)
    return value
