"""`memos migrate`: move a store between the embedded default and a Qdrant server."""

from __future__ import annotations

from typing import Annotated

import typer

from memos_cli.cli.options import ConfigOpt, HomeOpt, JsonOpt, QuietOpt, settings_from
from memos_cli.cli.output import handle_errors, print_json, stderr, stdout


def migrate_command(
    to_url: Annotated[str | None, typer.Option(
        "--to", help="Copy the embedded store of MEMOS_HOME to this Qdrant URL.",
        show_default=False)] = None,
    from_url: Annotated[str | None, typer.Option(
        "--from", help="Copy the store at this Qdrant URL into the embedded store.",
        show_default=False)] = None,
    page: Annotated[int, typer.Option("--page", min=1, help="Points per batch.")] = 256,
    wait: Annotated[float, typer.Option("--wait", help="Seconds to wait for a running "
                                        "import.")] = 0.0,
    home: HomeOpt = None,
    config: ConfigOpt = None,
    json_output: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Copy every memory (payload and vectors: nothing is embedded again) between the embedded
    store and a Qdrant server or cluster, in batches. Resumable: a killed migration continues
    where it stopped when run again. Verifies the number of memories per user at the end.
    The collection is [qdrant] collection in config (default: memos)."""
    from memos_cli.admin.migrate import migrate

    def show(copied: int) -> None:
        if not quiet and not json_output:
            stderr.print(f"memos migrate: {copied:,} memories copied", markup=False)

    with handle_errors():
        done = migrate(settings_from(home, config), to_url, from_url, page, show, wait)
    if json_output:
        print_json({"source": done.source, "target": done.target, "copied": done.copied,
                    "resumed": done.resumed, "users": done.users})
        return
    stdout.print(f"copied {done.copied:,} memories of {len(done.users):,} users from "
                 f"{done.source} to {done.target}; counts per user verified"
                 + (" (resumed)" if done.resumed else ""), markup=False, highlight=False)
