"""aiogram's Telegram types are built on first use (lazy_types), and every one of them
can be; this file passes with SPEEDUPS=off too, where aiogram builds them at import."""

import os
import subprocess
import sys

import aiogram.methods
import aiogram.types
import pytest
from aiogram.methods import Response, TelegramMethod
from pydantic import BaseModel

_PROBE = (
    "import bot.app, aiogram.types as t;"
    "print(t.Sticker.__pydantic_complete__, t.Update.__pydantic_complete__,"
    " t.Message.__pydantic_complete__)"
)


@pytest.mark.parametrize(
    ("kept", "complete"),
    [
        ("on", ["False", "True", "True"]),
        ("gc,lazy_types", ["False", "True", "True"]),
        ("off", ["True", "True", "True"]),  # aiogram's own import builds them all
        ("gc", ["True", "True", "True"]),
    ],
)
def test_importing_the_bot_leaves_types_unbuilt_until_used_with_lazy_types(
    kept: str, complete: list[str]
) -> None:
    env = {**os.environ, "SPEEDUPS": kept}
    out = subprocess.run(  # noqa: S603 (our own interpreter and probe)
        [sys.executable, "-c", _PROBE],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env=env,
    )
    assert out.stdout.split() == complete


def _models() -> dict[str, type[BaseModel]]:
    found: dict[str, type[BaseModel]] = {}
    for module in (aiogram.types, aiogram.methods):
        for name in module.__all__:
            model = getattr(module, name)
            if isinstance(model, type) and issubclass(model, BaseModel):
                found[name] = model
                if issubclass(model, TelegramMethod) and model is not TelegramMethod:
                    # what the session validates each answer of this method with
                    found[f"Response of {name}"] = Response[model.__returning__]
    return found


def test_every_telegram_type_and_method_completes_on_first_use() -> None:
    incomplete = []
    models = _models()
    assert len(models) > 500
    for name, model in models.items():
        try:
            model.__pydantic_validator__.validate_python  # noqa: B018 (first use builds it)
        except Exception as error:
            incomplete.append(f"{name}: {error}")
        else:
            if not model.__pydantic_complete__:
                incomplete.append(name)
    assert incomplete == []
