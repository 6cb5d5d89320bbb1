"""Import aiogram without building a validator for every Telegram type up front.

aiogram's ``types/__init__`` calls ``model_rebuild`` on each of its ~400 types to resolve
their forward references, and each rebuild builds a full validator that inlines every
type it reaches. On a small VM that is 4-6 s and about 150 MB, most of the bot's start-up
and memory, for types the bot never receives (aiogram issues #1513 and #1876).

While aiogram is imported here those rebuilds are skipped. Afterwards each type's module
gets the names its annotations need that it imports only for type checkers, and pydantic
completes a type on its first use, as it does for any model that is not complete yet.

``Update`` and ``SendMessage``, needed at once anyway, are completed right away as a
check: if a newer pydantic no longer completes types this way, every type is built as
aiogram would have built it. ``Message`` is completed too (about 0.1 s): the answers to
sends and edits are messages, and while it is incomplete the first of each builds the
whole tree of types it reaches again, 0.15 s each, which the first customers after a
restart waited for. ``tests/unit/test_lazy_types.py`` completes every type and
method.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

from pydantic import BaseModel

log = logging.getLogger(__name__)
_NAME = re.compile(r"[A-Za-z_]\w*")


def import_aiogram() -> bool:
    """Import aiogram; True when its types are left to be built on first use."""
    if "aiogram" in sys.modules:  # imported already: its types are built
        return False
    original = BaseModel.__dict__["model_rebuild"]
    build = original.__func__
    left: list[tuple[type[BaseModel], dict[str, Any]]] = []

    def deferred(cls: type[BaseModel], /, **options: Any) -> bool | None:
        if options.get("_types_namespace") is None or not cls.__module__.startswith("aiogram."):
            built: bool | None = build(cls, **options)
            return built
        left.append((cls, options))
        return None

    BaseModel.model_rebuild = classmethod(deferred)  # type: ignore[assignment, method-assign]
    try:
        from aiogram.methods import SendMessage  # noqa: PLC0415
        from aiogram.types import Message, Update  # noqa: PLC0415
    finally:
        BaseModel.model_rebuild = original  # type: ignore[method-assign]
    # Lent only now: lent during the import, they would let pydantic build each method's
    # generic base, and every type it reaches, as aiogram defines its methods.
    for cls, options in left:
        _lend_names(cls, options["_types_namespace"])
    try:
        Update.model_rebuild()
        SendMessage.model_rebuild()
        Message.model_rebuild()
    except Exception:
        log.warning("Telegram types are built up front: pydantic did not complete them lazily")
        for cls, options in left:
            build(cls, **options)
        return False
    return True


def _lend_names(cls: type[BaseModel], namespace: dict[str, Any]) -> None:
    """Give the type's module the names its annotations use that the module imports only
    for type checkers: pydantic resolves a type's forward references in its module, also
    when it builds the type nested in another."""
    module = vars(sys.modules[cls.__module__])
    for base in cls.__mro__:  # inherited fields are resolved in the subclass's module
        for annotation in vars(base).get("__annotations__", {}).values():
            for name in _NAME.findall(str(annotation)):
                if name in namespace and name not in module:
                    module[name] = namespace[name]
