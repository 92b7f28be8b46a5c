"""The README's two commands: the main job works, and CI runs exactly the test command."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

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
