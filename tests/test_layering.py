"""The layering rules, checked on the source: only store/ imports qdrant, only cli/ prints
or exits."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "memos_cli"


def modules() -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(PACKAGE), ast.parse(path.read_text(encoding="utf-8"))


def imported(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_only_the_store_imports_qdrant() -> None:
    offenders = [str(path) for path, tree in modules() if path.parts[0] != "store"
                 and any(name.split(".")[0] in ("qdrant_edge", "qdrant_client")
                         for name in imported(tree))]
    assert offenders == []


def test_only_the_cli_prints_or_exits() -> None:
    def prints_or_exits(node: ast.AST) -> bool:
        if not isinstance(node, ast.Call):
            return False
        func = node.func
        if isinstance(func, ast.Name):
            return func.id in ("print", "exit")
        if isinstance(func, ast.Attribute):
            owner = func.value.id if isinstance(func.value, ast.Name) else ""
            return (owner, func.attr) in {("sys", "exit"), ("typer", "Exit"), ("os", "_exit")}
        return False

    offenders = [str(path) for path, tree in modules() if path.parts[0] != "cli"
                 and any(prints_or_exits(node) for node in ast.walk(tree))]
    assert offenders == []
