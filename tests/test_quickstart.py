"""The README's two commands: the main job works, and CI runs exactly the test command."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT


def readme_commands() -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    return [block.strip() for block in blocks]


def test_ci_runs_exactly_the_readme_test_command() -> None:
    test_command = readme_commands()[1]
    assert "pytest" in test_command
    ci_lines = [line for line in (ROOT / ".ci" / "run").read_text().splitlines()
                if line and not line.startswith("#")]
    assert test_command in ci_lines


@pytest.mark.model
def test_quickstart_imports_the_sample_with_the_default_embedder(tmp_path: Path) -> None:
    first = readme_commands()[0]
    main_job = first.split("&&")[-1].strip()
    assert main_job.endswith("memos import sample_data/history.jsonl")
    args = main_job.split()[1:]  # what follows `.venv/bin/memos`
    env = {**os.environ, "MEMOS_HOME": str(tmp_path / "home")}
    env.pop("MEMOS_EMBEDDER", None)
    shown = subprocess.run([sys.executable, "-m", "memos_cli", *args], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=600)
    assert shown.returncode == 0, shown.stderr
    assert "records read" in shown.stdout and "memories written" in shown.stdout
    again = subprocess.run([sys.executable, "-m", "memos_cli", *args, "--json"], cwd=ROOT,
                           env=env, capture_output=True, text=True, timeout=600)
    summary = json.loads(again.stdout)
    assert summary["embedder"] == "default"
    assert summary["records_read"] == summary["records_already_imported"] >= 300


def test_the_cli_reference_matches_the_help() -> None:
    from memos_cli.cli.docs import render

    assert (ROOT / "docs" / "cli.md").read_text() == render(), (
        "docs/cli.md is stale: python -m memos_cli.cli.docs > docs/cli.md")


def test_no_help_text_loses_its_brackets() -> None:
    """Every "[...]" written in a command's or option's help is shown, on every command."""
    import typer.main
    from typer.testing import CliRunner

    from memos_cli.cli import app

    def walk(command: Any, path: list[str]) -> Iterator[tuple[list[str], Any]]:
        yield path, command
        if hasattr(command, "commands"):  # a group
            for name, sub in command.commands.items():
                yield from walk(sub, [*path, name])

    runner = CliRunner()
    checked = 0
    for path, command in walk(typer.main.get_command(app), []):
        shown = " ".join(runner.invoke(app, [*path, "--help"], terminal_width=100).output.split())
        texts = [command.help or ""] + [getattr(p, "help", None) or "" for p in command.params]
        for text in texts:
            for bracket in re.findall(r"\[[^\]]+\]", text):
                assert " ".join(bracket.split()) in shown, (path, bracket)
                checked += 1
        if any(p.name == "home" for p in command.params):
            assert "[env: MEMOS_HOME" in shown, path
    assert checked >= 5


def test_config_example_documents_every_setting_and_loads() -> None:
    import tomllib

    from memos_cli.config import Settings, load_settings

    text = (ROOT / "config.example.toml").read_text()
    section = ""
    documented: set[str] = set()
    for line in text.splitlines():
        heading = re.match(r"^\[(\w+)\]", line)
        if heading:
            section = heading.group(1) + "_"
        key = re.match(r"^#?\s*(\w+)\s*=", line)
        if key:
            documented.add(section + key.group(1))
    wanted = {name for name in Settings.model_fields if name != "explicit"}
    assert wanted - documented == set()
    tomllib.loads(text)  # and it parses
    assert load_settings({}, ROOT / "config.example.toml").batch_turns == 4


def test_the_readme_exit_code_table_is_made_from_the_enum() -> None:
    from memos_cli.cli.docs import exit_code_table

    assert exit_code_table() in (ROOT / "README.md").read_text(), (
        "README's exit codes are stale: python -m memos_cli.cli.docs --exit-codes")
