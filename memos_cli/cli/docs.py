"""docs/cli.md from the commands' own --help, so the reference can't drift from the code.

    python -m memos_cli.cli.docs > docs/cli.md
"""

from __future__ import annotations

import os

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


if __name__ == "__main__":
    os.environ.setdefault("COLUMNS", "100")
    print(render(), end="")
