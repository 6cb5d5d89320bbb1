"""Telegram "HTML" parse mode: validation and conversion to plain text + entities.

This follows tdlib's ``parse_html`` closely (same tag set, same error texts,
byte offsets in error messages, semicolon-optional entities) because bots are
tested against those exact rules. One deliberate difference, on by default:
``strict_ampersand`` rejects a bare ``&`` that Telegram would keep literally,
so forgotten ``html.escape`` calls surface in tests instead of in production.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

from .entities import Entity, entity, entity_text, sort_entities, utf16_len

UserResolver = Callable[[int], dict[str, Any] | None]

_SIMPLE_TAGS: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
    "pre": "pre",
}
SUPPORTED_TAGS = frozenset({*_SIMPLE_TAGS, "a", "blockquote", "tg-emoji"})
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:#(\d+)|#[xX]([0-9a-fA-F]+)|([a-zA-Z0-9]+));?")
_TEXT_RUN_RE = re.compile(r"[^<&]+")
_MENTION_PREFIX = "tg://user?id="
_MAX_CODE_POINT = 0x10FFFF


class HtmlParseError(ValueError):
    """The text is not valid Telegram HTML; ``str(exc)`` is Telegram's wording."""


@dataclass
class _OpenTag:
    name: str
    argument: str
    offset: int


def _decode_entity(source: str, pos: int) -> tuple[str | None, int]:
    match = _ENTITY_RE.match(source, pos)
    if match is None:
        return None, pos
    decimal, hexadecimal, name = match.groups()
    if name is not None:
        char = _NAMED_ENTITIES.get(name)
        return (char, match.end()) if char is not None else (None, pos)
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    if code == 0 or code > _MAX_CODE_POINT or 0xD800 <= code <= 0xDFFF:  # noqa: PLR2004
        return None, pos
    return chr(code), match.end()


def _tag_argument(tag: str, attribute: str, value: str, current: str) -> str:
    if tag == "a" and attribute == "href":
        return value
    if tag == "code" and attribute == "class" and value.startswith("language-"):
        return value.removeprefix("language-")
    if tag == "span" and attribute == "class" and value.startswith("tg-"):
        return value.removeprefix("tg-")
    if tag == "tg-emoji" and attribute == "emoji-id":
        return value
    if tag == "blockquote" and attribute == "expandable":
        return "expandable"
    return current


class _Parser:
    def __init__(self, source: str, strict_ampersand: bool, resolve_user: UserResolver) -> None:
        self.src = source
        self.size = len(source)
        self.pos = 0
        self.out: list[str] = []
        self.offset = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[Entity] = []
        self.code_languages: dict[int, str] = {}
        self.strict_ampersand = strict_ampersand
        self.resolve_user = resolve_user

    def fail(self, message: str) -> NoReturn:
        raise HtmlParseError(message)

    def byte_offset(self, index: int) -> int:
        return len(self.src[:index].encode())

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.offset += utf16_len(text)

    def run(self) -> tuple[str, list[Entity]]:
        while self.pos < self.size:
            char = self.src[self.pos]
            if char == "&":
                decoded, end = _decode_entity(self.src, self.pos)
                if decoded is None:
                    if self.strict_ampersand:
                        self.fail(
                            f'Character "&" must be escaped as "&amp;" at byte offset '
                            f"{self.byte_offset(self.pos)}"
                        )
                    decoded, end = "&", self.pos + 1
                self.emit(decoded)
                self.pos = end
            elif char == "<":
                if self.src.startswith("</", self.pos):
                    self.end_tag()
                else:
                    self.start_tag()
            else:
                run = _TEXT_RUN_RE.match(self.src, self.pos)
                assert run is not None  # noqa: S101 - the current char is neither < nor &
                self.emit(run.group())
                self.pos = run.end()
        if self.stack:
            self.fail(f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"')
        return "".join(self.out), sort_entities(self.entities)

    def skip_spaces(self, index: int) -> int:
        while index < self.size and self.src[index].isspace():
            index += 1
        return index

    def start_tag(self) -> None:
        begin = self.pos
        unclosed = f"Unclosed start tag at byte offset {self.byte_offset(begin)}"
        index = begin + 1
        while index < self.size and not self.src[index].isspace() and self.src[index] != ">":
            index += 1
        if index >= self.size:
            self.fail(unclosed)
        tag = self.src[begin + 1 : index].lower()
        if tag not in SUPPORTED_TAGS:
            self.fail(f'Unsupported start tag "{tag}" at byte offset {self.byte_offset(begin)}')
        argument = ""
        while True:
            index = self.skip_spaces(index)
            if index >= self.size:
                self.fail(unclosed)
            if self.src[index] == ">":
                break
            name_begin = index
            while (
                index < self.size and self.src[index] not in "=>" and not self.src[index].isspace()
            ):
                index += 1
            attribute = self.src[name_begin:index].lower()
            if not attribute:
                self.fail(
                    f'Empty attribute name in the tag "{tag}" at byte offset '
                    f"{self.byte_offset(begin)}"
                )
            index = self.skip_spaces(index)
            value = ""
            if index < self.size and self.src[index] == "=":
                index = self.skip_spaces(index + 1)
                if index >= self.size:
                    self.fail(unclosed)
                value, index = self.attribute_value(index, unclosed)
            argument = _tag_argument(tag, attribute, value, argument)
        if tag == "span" and argument != "spoiler":
            self.fail(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self.byte_offset(begin)}'
            )
        self.stack.append(_OpenTag(tag, argument, self.offset))
        self.pos = index + 1

    def attribute_value(self, index: int, unclosed: str) -> tuple[str, int]:
        quote = self.src[index]
        if quote not in "'\"":
            begin = index
            while index < self.size and (self.src[index].isalnum() or self.src[index] in ".-"):
                index += 1
            if index >= self.size or not (self.src[index].isspace() or self.src[index] == ">"):
                self.fail(f"Unexpected end of name token at byte offset {self.byte_offset(begin)}")
            return self.src[begin:index].lower(), index
        index += 1
        chars: list[str] = []
        while index < self.size and self.src[index] != quote:
            decoded, end = _decode_entity(self.src, index) if self.src[index] == "&" else (None, 0)
            if decoded is not None:
                chars.append(decoded)
                index = end
            else:
                chars.append(self.src[index])
                index += 1
        if index >= self.size:
            self.fail(unclosed)
        return "".join(chars), index + 1

    def end_tag(self) -> None:
        begin = self.pos
        if not self.stack:
            self.fail(f"Unexpected end tag at byte offset {self.byte_offset(begin)}")
        index = begin + 2
        while index < self.size and not self.src[index].isspace() and self.src[index] != ">":
            index += 1
        name = self.src[begin + 2 : index].lower()
        index = self.skip_spaces(index)
        if index >= self.size or self.src[index] != ">":
            self.fail(f"Unclosed end tag at byte offset {self.byte_offset(begin)}")
        opened = self.stack[-1]
        if name and name != opened.name:
            self.fail(
                f"Unmatched end tag at byte offset {self.byte_offset(begin)}, "
                f'expected "</{opened.name}>", found "</{name}>"'
            )
        self.stack.pop()
        self.close(opened)
        self.pos = index + 1

    def close(self, opened: _OpenTag) -> None:
        if opened.name == "tg-emoji" and not opened.argument.isdigit():
            self.fail("Invalid custom emoji identifier specified")
        length = self.offset - opened.offset
        if length == 0:
            return
        if opened.name == "a":
            self.entities.append(self.link(opened, length))
        elif opened.name == "blockquote":
            kind = "expandable_blockquote" if opened.argument else "blockquote"
            self.entities.append(entity(kind, opened.offset, length))
        elif opened.name == "tg-emoji":
            self.entities.append(
                entity("custom_emoji", opened.offset, length, custom_emoji_id=opened.argument)
            )
        elif opened.name == "pre":
            language = None
            last = self.entities[-1] if self.entities else None
            if (
                last
                and last["type"] == "code"
                and (last["offset"], last["length"])
                == (
                    opened.offset,
                    length,
                )
            ):
                # <pre><code class="language-x"> collapses into one pre entity.
                language = self.code_languages.pop(len(self.entities) - 1, None)
                self.entities.pop()
            self.entities.append(entity("pre", opened.offset, length, language=language))
        else:
            if opened.name == "code" and opened.argument:
                self.code_languages[len(self.entities)] = opened.argument
            self.entities.append(entity(_SIMPLE_TAGS[opened.name], opened.offset, length))

    def link(self, opened: _OpenTag, length: int) -> Entity:
        url = opened.argument or entity_text(
            "".join(self.out), {"offset": opened.offset, "length": length}
        )
        if url.startswith(_MENTION_PREFIX) and url.removeprefix(_MENTION_PREFIX).isdigit():
            user_id = int(url.removeprefix(_MENTION_PREFIX))
            user = self.resolve_user(user_id) or {
                "id": user_id,
                "is_bot": False,
                "first_name": str(user_id),
            }
            return entity("text_mention", opened.offset, length, user=user)
        if "://" not in url and not url.startswith(("mailto:", "tg:")):
            url = f"http://{url}"
        return entity("text_link", opened.offset, length, url=url)


def parse_html(
    source: str, *, strict_ampersand: bool = True, resolve_user: UserResolver | None = None
) -> tuple[str, list[Entity]]:
    """Return ``(plain_text, entities)`` or raise :class:`HtmlParseError`."""
    return _Parser(source, strict_ampersand, resolve_user or (lambda _user_id: None)).run()
