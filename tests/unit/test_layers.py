"""Imports go one way: handlers use services and bot/telegram, never the reverse."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """Each absolute import of a module: the module and the names taken from it."""
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.module, [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
    return found


def _modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def _under(module: str, package: str) -> bool:
    return module == package or module.startswith(f"{package}.")


@pytest.mark.parametrize("path", _modules("bot/services"), ids=lambda p: p.name)
def test_services_import_neither_aiogram_nor_handlers(path: Path) -> None:
    wrong = [m for m, _ in _imports(path) if _under(m, "aiogram") or _under(m, "handlers")]
    assert wrong == []


def test_nothing_under_bot_imports_handlers_but_the_app_building_the_router_tree() -> None:
    taken = {
        (str(path.relative_to(ROOT)), module, name)
        for path in _modules("bot")
        for module, names in _imports(path)
        if _under(module, "handlers")
        for name in names or [""]
    }
    assert taken == {("bot/app.py", "handlers", "route")}
