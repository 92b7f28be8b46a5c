"""`memos status`: what the last runs did and what the store holds."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from memos_cli.cli.options import ConfigOpt, HomeOpt, JsonOpt, QdrantUrlOpt, settings_from
from memos_cli.cli.output import handle_errors, print_json, stdout

if TYPE_CHECKING:
    from memos_cli.admin.status import StatusReport


def status_command(
    runs: Annotated[int, typer.Option("--runs", min=1, help="How many recent runs to show.")] = 10,
    qdrant_url: QdrantUrlOpt = None,
    home: HomeOpt = None,
    config: ConfigOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Recent runs (start, end, exit code, counts, failures file), checkpoints per file, the
    async queue's depth, and the store's memories per type and number of users."""
    from memos_cli.admin.status import status

    with handle_errors():
        found = status(settings_from(home, config, qdrant_url=qdrant_url), runs)
    if json_output:
        print_json(found.as_json())
        return
    _print(found)


def _print(found: StatusReport) -> None:
    from rich.table import Table

    store = found.store
    stdout.print(f"home: {found.home}", markup=False, highlight=False)
    if not store.exists:
        stdout.print("store: empty (run `memos import FILE`)", markup=False)
    elif store.busy:
        stdout.print(f"store: {store.embedder} embedder; busy (an import is running)",
                     markup=False)
    else:
        kinds = ", ".join(f"{k} {v:,}" for k, v in sorted((store.memories_by_type or {}).items()))
        stdout.print(f"store: {store.memories or 0:,} memories ({kinds}) of {store.users or 0:,} "
                     f"users; {store.embedder} embedder", markup=False, highlight=False)
    stdout.print(f"queue: {found.queue_depth:,} requests waiting; ledger: "
                 f"{found.ledger_messages:,} messages", markup=False, highlight=False)
    runs = Table(title="recent runs")
    for column in ("started", "ended", "exit", "read", "stored", "already", "failed",
                   "memories", "failures file"):
        runs.add_column(column)
    for run in found.runs:
        runs.add_row(*(str(v if v is not None else "") for v in (
            run["started_at"], run["ended_at"] or "running or killed", run["exit_code"],
            run["records_read"], run["records_stored"], run["records_already_imported"],
            run["records_failed"], run["memories_written"], run["failures_file"])))
    stdout.print(runs)
    checkpoints = Table(title="checkpoints")
    for column in ("file", "offset / size", "records", "complete", "updated"):
        checkpoints.add_column(column)
    for c in found.checkpoints:
        checkpoints.add_row(c["path"], f"{c['offset']:,} / {c['size']:,}", f"{c['records']:,}",
                            "yes" if c["complete"] else "no", c["updated_at"])
    stdout.print(checkpoints)
