"""`memos import`: bulk-import chat history files."""

from __future__ import annotations

import dataclasses
import glob
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from memos_cli.cli.options import (
    ConfigOpt,
    EmbedderOpt,
    ExtractorOpt,
    HomeOpt,
    JsonOpt,
    QdrantUrlOpt,
    QuietOpt,
    settings_from,
)
from memos_cli.cli.output import handle_errors, print_json, stderr, stdout
from memos_cli.errors import MemosError, UsageError
from memos_cli.formats import FORMATS

if TYPE_CHECKING:
    from memos_cli.config import Settings
    from memos_cli.models import RunReport

_FAILURES_SHOWN = 100


def import_command(
    paths: Annotated[list[Path] | None, typer.Argument(
        help="Files to import: memos JSONL (add-message requests or one message per line), "
        "CSV/TSV, OpenAI chat JSONL, ShareGPT JSON, a ChatGPT export (conversations.json or "
        "the .zip), a Claude, Telegram or WhatsApp export, or a failures file of an earlier "
        "run once fixed. Also - (stdin), a directory (every file in it), and .gz/.bz2/.xz/.zst "
        "files.",
        show_default=False)] = None,
    globs: Annotated[list[str] | None, typer.Option(
        "--glob", help="Import every file matching this pattern, e.g. 'exports/*.jsonl' "
        "(repeatable; quote it).", show_default=False)] = None,
    fmt: Annotated[str, typer.Option(
        "--format", "-f", help=f"auto, or one of: {', '.join(sorted(FORMATS))}.")] = "auto",
    user: Annotated[str | None, typer.Option(
        "--user", help="User id for formats that carry none (ChatGPT, ShareGPT, OpenAI chat; "
        "Claude exports default to the account's uuid).", show_default=False)] = None,
    column_map: Annotated[str | None, typer.Option(
        "--map", help="CSV column renames, e.g. content=text,user_id=customer.",
        show_default=False)] = None,
    failures: Annotated[Path | None, typer.Option(
        "--failures", help="Write failed records here [default: MEMOS_HOME/failures/RUN.jsonl].",
        show_default=False)] = None,
    batch_turns: Annotated[int | None, typer.Option(
        "--batch-turns", help="Dialogue turns per batch (one episode each) [default: 4].",
        show_default=False)] = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", min=1, max=64, help="Embedding processes (the store keeps one writer) "
        "[default: 1].", show_default=False)] = None,
    wait: Annotated[float, typer.Option(
        "--wait", help="Seconds to wait for another run holding the store.")] = 0.0,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Read, validate, group and extract; store nothing. With --extractor "
        "llm: no request is made; the summary estimates requests, tokens and cost.")] = False,
    all_branches: Annotated[bool, typer.Option(
        "--all-branches", help="ChatGPT exports: also keep abandoned branches (regenerated "
        "answers, edited messages), tagged abandoned-branch.")] = False,
    delimiter: Annotated[str | None, typer.Option(
        "--delimiter", help="CSV: the cell delimiter, e.g. ';' or '\\t' (default: told from "
        "the header: comma, semicolon, tab or |).", show_default=False)] = None,
    from_start: Annotated[bool, typer.Option(
        "--from-start", help="Ignore checkpoints: read every file from its start (records "
        "already imported are still skipped).")] = False,
    log_file: Annotated[Path | None, typer.Option(
        "--log-file", help="Also append progress, failures and the summary to this file.",
        show_default=False)] = None,
    embedder: EmbedderOpt = None,
    extractor: ExtractorOpt = None,
    qdrant_url: QdrantUrlOpt = None,
    home: HomeOpt = None,
    config: ConfigOpt = None,
    json_output: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Import chat history: group by user and conversation, extract memories, store them.

    Every record ends stored, skipped as already imported, or in the failures file with its
    file, line and reason. Safe to re-run: a checkpoint per file skips what an earlier run
    finished (a file that grew is read from its old end) and a ledger of message ids skips
    anything stored already. Exit codes: 0 all stored or already imported; 2 usage or config
    error; 3 finished but some records failed; 74 the store cannot be written (disk full);
    75 the store is busy (another run holds it); 130 / 143 stopped by SIGINT / SIGTERM (rerun
    to resume).
    """
    from memos_cli.cli.progress import choose_progress, stamp
    from memos_cli.ingest.options import ImportOptions
    from memos_cli.ingest.run import run_import
    from memos_cli.readers import ReaderOptions

    log = log_file.open("a", encoding="utf-8") if log_file else None
    try:
        with handle_errors():
            settings = settings_from(home, config, embedder=embedder, batch_turns=batch_turns,
                                     qdrant_url=qdrant_url, workers=workers,
                                     extractor=extractor)
            options = ImportOptions(
                paths=_inputs(paths or [], globs or []), fmt=fmt,
                reader=ReaderOptions(user=user, column_map=_parse_map(column_map),
                                     all_branches=all_branches,
                                     delimiter=_delimiter(delimiter)),
                failures_file=failures, dry_run=dry_run, wait_s=wait, from_start=from_start)
            if _restored(settings, options.paths, wait, json_output):
                return
            progress = choose_progress(stderr, quiet, settings.progress_interval_s, log)
            stopped: MemosError | None = None
            try:
                report = run_import(settings, options, progress)
            except MemosError as exc:
                if exc.report is None:  # it stopped before it began
                    raise
                stopped, report = exc, exc.report
        _print_failures(report, log)
        for file in report.files:
            if file.records_read == 0 and not file.skipped:
                stderr.print(f"note: {file.path} holds no records (is it empty?)")
        if report.ledger_reset:
            stderr.print("note: the store is not the one state.db's ledger described (new, "
                         "moved or emptied): every record was imported again")
        if report.interrupted:
            stderr.print(f"interrupted: {report.records_stored:,} records stored before the "
                         "signal are kept; run the same command again to resume")
        if json_output:
            print_json(report.summary())
            if not (quiet or stderr.is_terminal):
                print(summary_line(report), file=sys.stderr, flush=True)
        elif stdout.is_terminal:
            _print_summary(report)
        else:
            for line in file_lines(report):
                print(line, file=sys.stderr, flush=True)
            print(summary_line(report), flush=True)
        if log:
            log.write(f"{stamp()} {summary_line(report)}\n")
        if stopped is not None:  # after the summary: the last lines say what to do
            with handle_errors():
                raise stopped
    finally:
        if log:
            log.close()
    raise typer.Exit(report.exit_code)


def _restored(settings: Settings, paths: list[Path], wait: float, json_output: bool) -> bool:
    """Read `memos export` files back (a restore); False when the inputs are chat history."""
    from memos_cli.admin.backup import is_export, restore

    exports = [p for p in paths if p.is_file() and is_export(p)]
    if not exports:
        return False
    if len(exports) != len(paths):
        raise UsageError("a memos export is read back on its own, not with chat history",
                         "import the export in a command of its own")
    done = [restore(settings, path, wait) for path in exports]
    if json_output:
        print_json({"restored": [dataclasses.asdict(r) for r in done]})
    else:
        for r in done:
            stderr.print(f"restored {r.memories:,} memories from {r.path} ({r.embedded:,} "
                         f"embedded again; ledger: {r.ledger_rows:,} messages)")
    return True


def _inputs(paths: list[Path], globs: list[str]) -> list[Path]:
    found = list(paths)
    for pattern in globs:
        matches = sorted(Path(p) for p in glob.glob(pattern, recursive=True))
        found.extend(m for m in matches if m.is_file())
    if not found:
        what = f"no file matches {', '.join(globs)}" if globs else "no input files given"
        raise UsageError(what, "name files to import, or --glob 'DIR/*.jsonl'")
    return list(dict.fromkeys(found))


def summary_line(report: RunReport) -> str:
    skipped = ""
    if report.checkpoint_skipped_records:
        skipped = (f" ({report.checkpoint_skipped_records:,} records, "
                   f"{report.checkpoint_skipped_bytes:,} bytes skipped by checkpoints)")
    failures = f"; failures: {report.failures_file}" if report.failures_file else ""
    dry = " (dry run: nothing stored)" if report.dry_run else ""
    return (f"memos import {report.run_id}{dry}: {report.records_read:,} records read, "
            f"{report.records_stored:,} stored, {report.records_already_imported:,} already "
            f"imported{skipped}, {report.records_failed:,} failed; {report.memories_written:,} "
            f"memories written in {report.elapsed_s:,.1f} s{failures}")


def _delimiter(text: str | None) -> str | None:
    if text is None:
        return None
    value = {"\\t": "\t", "tab": "\t"}.get(text, text)
    if len(value) != 1:
        raise UsageError(f"--delimiter takes one character, got {text!r}",
                         "e.g. --delimiter ';' or --delimiter '\\t'")
    return value


def _parse_map(text: str | None) -> dict[str, str]:
    if not text:
        return {}
    mapping: dict[str, str] = {}
    for pair in text.split(","):
        field, sep, column = pair.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise UsageError(f"--map expects field=column pairs, got {pair!r}",
                             "e.g. --map content=text,user_id=customer")
        mapping[field.strip()] = column.strip()
    return mapping


def _print_failures(report: RunReport, log: TextIO | None) -> None:
    from memos_cli.cli.progress import stamp

    for failure in report.failures[:_FAILURES_SHOWN]:
        line = f"failed: {failure.file}:{failure.line} [{failure.stage}] {failure.reason}"
        stderr.print(line, markup=False, highlight=False)
        if log:
            log.write(f"{stamp()} {line}\n")
    hidden = report.records_failed - min(len(report.failures), _FAILURES_SHOWN)
    if hidden > 0:
        stderr.print(f"failed: … and {hidden:,} more", markup=False, highlight=False)
    if report.failures_file:
        stderr.print(f"failures file: {report.failures_file} (fix the records and "
                     f"`memos import` it again)", markup=False, highlight=False)


def _print_summary(report: RunReport) -> None:
    from rich.table import Table

    table = Table(title=f"memos import {report.run_id}" + (" (dry run)" if report.dry_run else ""),
                  show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    rows = [
        ("records read", report.records_read),
        ("  stored", report.records_stored),
        ("  already imported", report.records_already_imported),
        ("    of which skipped by checkpoints", report.checkpoint_skipped_records),
        ("  failed", report.records_failed),
        ("memories written", report.memories_written),
    ]
    rows += [(f"  {kind}", n) for kind, n in sorted(report.memories_by_type.items())]
    for what, count in rows:
        table.add_row(what, f"{count:,}")
    table.add_row("seconds", f"{report.elapsed_s:,.1f}")
    stdout.print(table)
    for line in file_lines(report):
        stdout.print(line, markup=False, highlight=False)


def llm_line(report: RunReport) -> list[str]:
    """The LLM extractor's requests and tokens (a dry run's estimate), when it ran."""
    llm = report.llm
    if llm is None:
        return []
    what = "would make" if llm.estimated else "made"
    usage = llm.usage
    line = (f"llm {llm.model}: {what} {usage.requests:,} requests, "
            f"{usage.prompt_tokens:,} prompt + {usage.completion_tokens:,} completion tokens")
    if llm.cost is not None:
        line += f", cost {'~' if llm.estimated else ''}{llm.cost:,.4f}"
    if not llm.estimated:
        line += (f"; {usage.retries:,} retries ({usage.rate_limited:,} rate limited, "
                 f"{usage.server_errors:,} server errors, {usage.timeouts:,} timeouts, "
                 f"{usage.connection_errors:,} connection errors), "
                 f"{usage.failed_requests:,} failed")
    return [line]


def file_lines(report: RunReport) -> list[str]:
    """Per file: the format read (as detected), conversations, records and what was skipped,
    then the LLM's requests."""
    lines = []
    for f in report.files:
        conversations = f" {f.conversations:,} conversations," if f.conversations else ""
        skipped = "; skipped: " + ", ".join(f"{n:,} {why}" for why, n in sorted(
            f.skipped.items())) if f.skipped else ""
        lines.append(f"{f.path}: read as {f.format},{conversations} {f.records_read:,} records, "
                     f"{f.records_failed:,} failed{skipped}")
    return lines + llm_line(report)
