"""`memos export`: the store as JSON lines, a backup that `memos import` reads back."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from memos_cli.cli.options import ConfigOpt, HomeOpt, QdrantUrlOpt, settings_from
from memos_cli.cli.output import handle_errors, stderr


def export_command(
    out: Annotated[Path, typer.Option(
        "--out", "-o", help="Write the export here ('-': stdout).")] = Path("-"),
    user: Annotated[str | None, typer.Option(
        "--user", "-u", help="Only this user's memories.", show_default=False)] = None,
    vectors: Annotated[bool, typer.Option(
        "--vectors/--no-vectors", help="Include the vectors, so the store is restored point "
        "for point; without, the texts are embedded again on import (a smaller file).")] = True,
    qdrant_url: QdrantUrlOpt = None,
    home: HomeOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Write every memory (payload, and its vectors unless --no-vectors) as JSON lines, after
    one line naming the store's embedder. `memos import FILE` into an empty home reads it
    back into an equal store, and rebuilds the ledger from it."""
    from memos_cli.admin.backup import export_store

    with handle_errors():
        settings = settings_from(home, config, qdrant_url=qdrant_url)
        if str(out) == "-":
            done = export_store(settings, sys.stdout.buffer, vectors, user)
            sys.stdout.flush()
        else:
            with out.open("wb") as handle:
                done = export_store(settings, handle, vectors, user)
    if str(out) != "-" or not sys.stdout.isatty():
        stderr.print(f"exported {done.memories:,} memories"
                     + ("" if str(out) == "-" else f" to {out}"))
