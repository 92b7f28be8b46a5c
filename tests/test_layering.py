"""The layering rules, checked on the source: only store/ imports qdrant, only cli/ prints
or exits, llm/ knows nothing of the import engine, and no module imports itself back through
others (lazy imports inside functions count: they only hide a cycle)."""

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
    """Every module named by an import anywhere in the tree, `from a import b` as a and a.b."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def module_name(path: Path) -> str:
    parts = ("memos_cli", *path.with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    trees = {module_name(path): tree for path, tree in modules()}
    return {name: {other for other in imported(tree) if other in trees and other != name}
            for name, tree in trees.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_itself_back() -> None:
    assert cycles(import_graph()) == []


def test_the_cycle_check_sees_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_llm_does_not_import_the_import_engine() -> None:
    engine = ("memos_cli.ingest", "memos_cli.search", "memos_cli.admin", "memos_cli.serve",
              "memos_cli.cli")
    offenders = {str(path): sorted(name for name in imported(tree) if name.startswith(engine))
                 for path, tree in modules() if path.parts[0] == "llm"}
    assert {path: names for path, names in offenders.items() if names} == {}


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
