"""docs/cli.md from the commands' own --help, so the reference can't drift from the code.

    python -m memos_cli.cli.docs > docs/cli.md
    python -m memos_cli.cli.docs --exit-codes    # the README's table of exit codes
"""

from __future__ import annotations

import os
import sys

from typer.testing import CliRunner

COMMANDS = [[], ["import"], ["add"], ["search"], ["process"], ["memories", "list"],
            ["memories", "show"], ["memories", "history"], ["memories", "delete"], ["forget"],
            ["status"], ["doctor"], ["export"], ["migrate"], ["serve"]]


def render() -> str:
    from memos_cli.cli import app

    env = {"COLUMNS": "100", "TERM": "dumb", "NO_COLOR": "1", "_TYPER_FORCE_DISABLE_TERMINAL": "1"}
    runner = CliRunner()
    sections = ["# memos command reference", "",
                "Generated from `--help` by `python -m memos_cli.cli.docs > docs/cli.md`; a test "
                "fails when it drifts.", ""]
    for command in COMMANDS:
        result = runner.invoke(app, [*command, "--help"], env=env, terminal_width=100)
        title = " ".join(["memos", *command])
        sections += [f"## {title}", "", "```text", result.output.rstrip(), "```", ""]
    return "\n".join(sections)


def exit_code_table() -> str:
    """The README's table of exit codes, from memos_cli.errors.ExitCode."""
    from memos_cli.errors import ExitCode

    rows = ["| exit code | meaning |", "|---|---|"]
    rows += [f"| {code.value} | {code.meaning} |" for code in ExitCode]
    return "\n".join(rows)


if __name__ == "__main__":
    os.environ.setdefault("COLUMNS", "100")
    print(exit_code_table() if "--exit-codes" in sys.argv else render(), end="\n" if
          "--exit-codes" in sys.argv else "")
