"""Shared fixtures: an isolated MEMOS_HOME, the real CLI, and one default-embedder store."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from memos_cli.cli import app

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_data"
HISTORY_ZH = ROOT / "tests" / "data" / "history_zh.jsonl"  # five short Chinese conversations


# Variables that steer the tests themselves, not memos.
_TEST_CONTROLS = frozenset({"MEMOS_SDK_PYTHON"})


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own MEMOS_HOME and no user config file."""
    for name in list(os.environ):  # a developer's own settings must not reach the tests
        if name.startswith("MEMOS_") and name not in _TEST_CONTROLS:
            monkeypatch.delenv(name)
    home = tmp_path / "memos-home"
    monkeypatch.setenv("MEMOS_HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    return home


@pytest.fixture
def home(isolated_env: Path) -> Path:
    return isolated_env


class Cli:
    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, env: dict[str, str] | None = None) -> Any:
        return self.runner.invoke(app, list(args), env=env, catch_exceptions=False)

    def json(self, *args: str) -> Any:
        result = self(*args, "--json")
        assert result.exit_code in (0, 3), result.output
        return json.loads(result.stdout)


@pytest.fixture
def cli() -> Cli:
    return Cli()


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def default_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The sample history imported once with the real default embedder (loads the model)."""
    home = tmp_path_factory.mktemp("default-home")
    result = CliRunner().invoke(app, ["import", str(SAMPLES / "history.jsonl"), "--json",
                                      "--home", str(home)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    yield home
