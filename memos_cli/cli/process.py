"""`memos process`: store the requests that `memos add --async` queued."""

from __future__ import annotations

from typing import Annotated

import typer

from memos_cli.cli.options import (
    ConfigOpt,
    EmbedderOpt,
    HomeOpt,
    JsonOpt,
    QdrantUrlOpt,
    settings_from,
)
from memos_cli.cli.output import handle_errors, print_json, stderr, stdout
from memos_cli.errors import ExitCode


def process_command(
    limit: Annotated[int | None, typer.Option(
        "--limit", min=1, help="Store at most this many requests [default: all].",
        show_default=False)] = None,
    wait: Annotated[float, typer.Option(
        "--wait", help="Seconds to wait for another run holding the store.")] = 0.0,
    embedder: EmbedderOpt = None,
    qdrant_url: QdrantUrlOpt = None,
    home: HomeOpt = None,
    config: ConfigOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Drain the async queue through the import pipeline, oldest request first.

    Cron-friendly: exits 0 when the queue is empty or drained, 3 if some records failed
    (see the failures file), 75 if another run holds the store.
    """
    from memos_cli.ingest.requests import process_queue

    with handle_errors():
        settings = settings_from(home, config, embedder=embedder, qdrant_url=qdrant_url)
        drained = process_queue(settings, wait, limit)
    failed = drained.total("records_failed")
    written = [memory for report in drained.reports for memory in report.written]
    failures_files = [r.failures_file for r in drained.reports if r.failures_file]
    if json_output:
        print_json({"requests": drained.requests,
                    "records_stored": drained.total("records_stored"),
                    "records_already_imported": drained.total("records_already_imported"),
                    "records_failed": failed, "memories_written": len(written),
                    "stored": written, "failures_files": failures_files})
    elif drained.requests == 0:
        stderr.print("queue empty: nothing to process", markup=False)
    else:
        stdout.print(f"processed {drained.requests:,} queued requests: "
                     f"{drained.total('records_stored'):,} records stored, "
                     f"{drained.total('records_already_imported'):,} already imported, "
                     f"{failed:,} failed; {len(written):,} memories written", markup=False,
                     highlight=False)
        for path in failures_files:
            stderr.print(f"failures file: {path}", markup=False, highlight=False)
    raise typer.Exit(ExitCode.RECORDS_FAILED if failed else ExitCode.OK)
