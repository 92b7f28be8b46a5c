"""`memos doctor`: check the home, store and state.db; `--repair` fixes what it can."""

from __future__ import annotations

from typing import Annotated

import typer

from memos_cli.cli.options import ConfigOpt, HomeOpt, JsonOpt, QdrantUrlOpt, settings_from
from memos_cli.cli.output import handle_errors, print_json, stdout
from memos_cli.errors import ExitCode


def doctor_command(
    repair: Annotated[bool, typer.Option(
        "--repair", help="Repair what can be: rebuild a damaged state.db from the store (the "
        "old file is kept beside it), apply what a killed run left to retract, make the home "
        "owner-only.")] = False,
    wait: Annotated[float, typer.Option(
        "--wait", min=0, help="Wait up to this many seconds for a running import.")] = 0.0,
    qdrant_url: QdrantUrlOpt = None,
    home: HomeOpt = None,
    config: ConfigOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Check the home, the store and state.db, and say what to do about each problem.

    Exit codes: 0 healthy (or everything repaired); 65 a problem remains (see each check's
    fix); 75 an import holds the store (--wait waits for it).
    """
    from memos_cli.admin.doctor import doctor

    with handle_errors():
        report = doctor(settings_from(home, config, qdrant_url=qdrant_url), repair, wait)
    if json_output:
        print_json(report.as_dict())
    else:
        stdout.print(f"home: {report.home}")
        for check in report.checks:
            mark = "ok" if check.ok else ("repaired" if check.repaired else "PROBLEM")
            stdout.print(f"{mark:>8}  {check.name}: {check.detail}")
            if not check.ok and not check.repaired and check.fix:
                stdout.print(f"          fix: {check.fix}")
    raise typer.Exit(0 if report.healthy else ExitCode.DAMAGED)
