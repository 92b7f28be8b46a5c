"""The `memos` command: a typer app whose commands are thin wrappers over the pipeline."""

from __future__ import annotations

import os
import sqlite3
import sys

import typer

from memos_cli import __version__
from memos_cli.cli.add import add_command
from memos_cli.cli.doctor import doctor_command
from memos_cli.cli.export import export_command
from memos_cli.cli.import_ import import_command
from memos_cli.cli.memories import forget_command, memories_app
from memos_cli.cli.migrate import migrate_command
from memos_cli.cli.process import process_command
from memos_cli.cli.search import search_command
from memos_cli.cli.serve import serve_command
from memos_cli.cli.status import status_command
from memos_cli.errors import ExitCode, Interrupted

app = typer.Typer(
    name="memos",
    help="Turn chat history into a personal memory store, and search it.\n\n"
    "memos import history.jsonl · memos search --user u1 \"what do I like\"",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,  # help text is plain: "[default: ...]" must not be read as markup
)
app.command("import")(import_command)
app.command("add")(add_command)
app.command("search")(search_command)
app.command("process")(process_command)
app.add_typer(memories_app, name="memories")
app.command("forget")(forget_command)
app.command("status")(status_command)
app.command("doctor")(doctor_command)
app.command("export")(export_command)
app.command("migrate")(migrate_command)
app.command("serve")(serve_command)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"memos {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    """memos: chat history in, searchable memories out."""
    # Chat memories and the raw records in failures/ are private: everything memos creates
    # (the home, the store, state.db, failures files, logs) is readable by its owner only.
    os.umask(0o077)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("memos: interrupted; rerun the same command to resume\n")
        sys.exit(ExitCode.INTERRUPTED)
    except Interrupted as exc:
        sys.stderr.write(f"memos: stopped by {exc.signal_name}; rerun the same command to "
                         "resume\n")
        sys.exit(exc.exit_code)
    except sqlite3.DatabaseError as exc:  # a damaged SQLite file met after it was opened
        if "disk is full" in str(exc):
            sys.stderr.write(f"memos: {exc}\nhint: free some space, then run the same command "
                             "again: nothing stored is lost\n")
            sys.exit(ExitCode.STORE_IO)
        if type(exc) is not sqlite3.DatabaseError:
            raise
        sys.stderr.write(f"memos: a database is damaged ({exc})\n"
                         "hint: run `memos doctor`; `memos doctor --repair` rebuilds state.db\n")
        sys.exit(ExitCode.DAMAGED)
    except Exception as exc:  # a bug: one line, and the traceback only when asked for
        if os.environ.get("MEMOS_DEBUG"):
            raise
        sys.stderr.write(f"memos: unexpected error (a bug): {exc!r}\n"
                         "hint: rerun with MEMOS_DEBUG=1 for the traceback and report it\n")
        sys.exit(ExitCode.BUG)
