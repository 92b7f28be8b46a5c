"""The official MemOS SDK against `memos serve`. The SDK (PyPI MemoryOS) installs a package
and a script both named `memos` and pulls in dozens of packages, so it lives in a venv of its
own, named by MEMOS_SDK_PYTHON; without it this test is skipped:

    python3 -m venv /tmp/sdk && /tmp/sdk/bin/pip install MemoryOS
    MEMOS_SDK_PYTHON=/tmp/sdk/bin/python .venv/bin/pytest tests/test_sdk.py
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT
from serving import Server

SDK_PYTHON = os.environ.get("MEMOS_SDK_PYTHON")


@pytest.mark.skipif(not SDK_PYTHON, reason="MEMOS_SDK_PYTHON names no venv with MemoryOS")
def test_the_official_sdk_runs_every_call(home: Path, tmp_path: Path) -> None:
    server = Server(home)
    try:
        done = subprocess.run([str(SDK_PYTHON), str(ROOT / "tests" / "sdk" / "conformance.py"),
                               server.base], capture_output=True, text=True, timeout=300,
                              cwd=tmp_path)  # not the repo: its `memos` is the SDK's
    finally:
        server.stop()
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert "the SDK ran every call against memos serve" in done.stdout
