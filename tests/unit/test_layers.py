"""Imports go one way: handlers use services and bot/telegram, never the reverse; and the
values the storage SQL names are the domain's."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from bot.domain.values import Coded

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


def _module_file(name: str) -> Path | None:
    base = ROOT / name.replace(".", "/")
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _path_to_aiogram(start: Path) -> list[str] | None:
    """The chain of imports from `start` to aiogram, if there is one. The package `bot`
    itself is left out: it only prepares aiogram's types for whoever imports them."""
    seen, stack = {start}, [(start, [start.relative_to(ROOT).as_posix()])]
    while stack:
        path, chain = stack.pop()
        for module, _ in sorted(_imports(path)):
            if _under(module, "aiogram"):
                return [*chain, module]
            found = _module_file(module) if module != "bot" else None
            if found is not None and found not in seen:
                seen.add(found)
                stack.append((found, [*chain, module]))
    return None


@pytest.mark.parametrize("path", _modules("bot/services"), ids=lambda p: p.name)
def test_services_reach_aiogram_through_no_other_module_either(path: Path) -> None:
    assert _path_to_aiogram(path) is None


def test_every_value_the_storage_sql_names_is_a_domain_value() -> None:
    # Statements compare columns with literals ('closed', 'out'...): a value renamed in
    # bot/domain/values.py must be renamed there too, and in a migration for the rows.
    values = {member.value for kind in Coded.__subclasses__() for member in kind}
    for path in _modules("storage"):
        for node in ast.parse(path.read_text("utf-8")).body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                sql = node.value.value
                if isinstance(sql, str):
                    named = set(re.findall(r"'([a-z_-]+)'", sql))
                    assert named <= values, f"{path.name}: {sorted(named - values)}"


_MODULE_LINES, _FUNCTION_LINES = 300, 50


def _product_modules() -> list[Path]:
    return sorted(
        p for part in ("bot", "handlers", "storage") for p in (ROOT / part).rglob("*.py")
    )


@pytest.mark.parametrize("path", _product_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_modules_and_functions_fit_a_reading(path: Path) -> None:
    # Past these a module wants splitting by sub-flow, a function by step.
    source = path.read_text()
    assert source.count("\n") <= _MODULE_LINES
    long = [
        f"{node.name}: {node.end_lineno - node.lineno + 1} lines"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > _FUNCTION_LINES
    ]
    assert not long
