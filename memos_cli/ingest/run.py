"""Entry points of an import: `memos import` over files, and `memos add` / `memos process`
over add-message requests. Both open the same engine (engine.py) under the writer lock."""

from __future__ import annotations

import contextlib
import dataclasses
import secrets
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from memos_cli.config import Settings
from memos_cli.embedders.cached import RunEmbedder
from memos_cli.errors import ConfigError, InputError, Interrupted, MemosError
from memos_cli.ingest.engine import Importer
from memos_cli.ingest.failures import FailureWriter
from memos_cli.ingest.interrupts import interruptible
from memos_cli.ingest.options import ImportOptions
from memos_cli.ingest.progress import NoProgress, ProgressSink
from memos_cli.models import RawRecord, RunReport
from memos_cli.opening import Sample, open_for_writing
from memos_cli.readers import check_format, detect_format
from memos_cli.readers.sample import record_texts, sample_texts
from memos_cli.readers.source import is_stream, spool
from memos_cli.state import State, command_line, writer_lock
from memos_cli.store import MemoryStore
from memos_cli.store.pages import process_status_kb


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + secrets.token_hex(3)


@contextlib.contextmanager
def _engine(settings: Settings, wait_s: float, failures_file: Path | None, dry_run: bool,
            progress: ProgressSink | None, sample: Sample, *, use_checkpoints: bool = True,
            transient: Iterable[Path] = (), collect_written: bool = False
            ) -> Iterator[Importer]:
    """The writer lock, state, embedder and store of one run, closed and recorded at the end."""
    if settings.extractor == "llm" and not settings.llm_model and not dry_run:
        raise ConfigError("the llm extractor needs a model",
                          "set [llm] model in the config file, or MEMOS_LLM_MODEL")
    run_id = new_run_id()
    failures_path = failures_file or settings.failures_dir / f"{run_id}.jsonl"
    with writer_lock(settings.home, command_line(), wait_s):
        state = State(settings.state_db)
        state.start_run(run_id, command_line())
        try:
            embedder, store = open_for_writing(settings, dry_run=dry_run, sample=sample,
                                               state=state)
        except (MemosError, Interrupted) as exc:  # the run never began: recorded as it ended
            state.end_run(run_id, exc.exit_code, {"error": str(exc)})
            state.close()
            raise
        importer = Importer(settings, run_id, state, store, embedder,
                            FailureWriter(failures_path), progress or NoProgress(), dry_run,
                            use_checkpoints=use_checkpoints, transient=transient,
                            collect_written=collect_written)
        importer.report.ledger_reset = state.store_changed
        try:
            with _answering_reads(settings, embedder, store):
                yield importer
        except (MemosError, Interrupted) as exc:  # recorded as what the process exits with
            importer.report.error_exit_code = exc.exit_code
            importer.report.interrupted = isinstance(exc, Interrupted)
            raise
        finally:
            importer.finish()
            if embedder is not None:
                embedder.close()
            if store is not None:
                store.close()
            importer.report.peak_rss_mb = peak_rss_mb()
            state.end_run(run_id, importer.report.exit_code, importer.report.summary())
            state.close()


def _answering_reads(settings: Settings, embedder: RunEmbedder | None,
                     store: MemoryStore | None) -> contextlib.AbstractContextManager[None]:
    """Other commands' searches, answered by this run while it holds the embedded store."""
    if embedder is None or store is None or settings.qdrant_url is not None:
        return contextlib.nullcontext()
    from memos_cli.serve.reads import answering_reads

    return answering_reads(settings.home, embedder.embedder, store, settings)


def peak_rss_mb() -> float | None:
    """The peak resident memory of this process's own address space (VmHWM). Not getrusage:
    its maxrss carries over the parent's peak from before exec, so a child started by a big
    process (a test runner) would report the parent's size."""
    peak_kb = process_status_kb("VmHWM")
    return round(peak_kb / 1024, 1) if peak_kb is not None else None


def checked_files(options: ImportOptions) -> list[tuple[Path, str]]:
    """The input files with the reader of each; an error for a missing or unreadable file,
    or one whose format cannot be told, before anything is imported."""
    files: list[Path] = []
    for path in options.paths:
        if path.is_dir():
            inside = _files_in(path)
            if not inside:
                raise InputError(f"{path} holds no files", "name the files to import")
            files.extend(inside)
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(f"no such file: {path}", "check the path (globs need quotes)")
    for path in files:
        try:
            path.open("rb").close()
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror or exc}",
                             "check its permissions, or leave it out") from exc
    formats = [detect_format(p) if options.fmt == "auto" else options.fmt for p in files]
    for fmt in formats:
        check_format(fmt)
    return list(zip(files, formats, strict=True))


def _files_in(directory: Path) -> list[Path]:
    """Every file under a directory, in name order, leaving out hidden ones."""
    return sorted(p for p in directory.rglob("*") if p.is_file()
                  and not any(part.startswith(".") for part in p.relative_to(directory).parts))


@contextlib.contextmanager
def spooled(options: ImportOptions, settings: Settings) -> Iterator[ImportOptions]:
    """The options with stdin (`-`), pipes and FIFOs copied to spool files, which are
    removed after the run."""
    copies: list[Path] = []
    paths: list[Path] = []
    try:
        for path in options.paths:
            if is_stream(path):
                copies.append(spool(path, settings.home / "spool"))
                paths.append(copies[-1])
            else:
                paths.append(path)
        yield dataclasses.replace(options, paths=paths, transient=copies)
    finally:
        for copy in copies:
            copy.unlink(missing_ok=True)


def run_import(settings: Settings, options: ImportOptions,
               progress: ProgressSink | None = None) -> RunReport:
    with spooled(options, settings) as readable:
        return _run_import(settings, readable, progress)


def _run_import(settings: Settings, options: ImportOptions,
                progress: ProgressSink | None) -> RunReport:
    files = checked_files(options)
    from memos_cli.serve.client import running_server

    server = running_server(settings, writes=True)
    if server is not None:  # it holds the store: it imports, and searches go on meanwhile
        return server.import_files(options, progress)
    report: RunReport | None = None
    try:
        with interruptible(), _engine(settings, options.wait_s, options.failures_file,
                                      options.dry_run, progress,
                                      lambda: sample_texts(files, options.reader),
                                      use_checkpoints=not options.from_start,
                                      transient=options.transient) as importer:
            report = importer.report
            importer.import_files(files, options.reader)
    except Interrupted:
        if report is None:  # before the run began: nothing to report
            raise
    except MemosError as exc:
        exc.report = report  # the summary of what was done before it stopped
        raise
    assert report is not None
    return report


def run_on(settings: Settings, options: ImportOptions, state: State, store: MemoryStore | None,
           embedder: RunEmbedder | None, progress: ProgressSink) -> RunReport:
    """An import on a state and store that are open already and whose writer lock is held
    (`memos serve`'s writing thread), recorded in state.db like any run."""
    files = checked_files(options)
    run_id = new_run_id()
    failures_path = options.failures_file or settings.failures_dir / f"{run_id}.jsonl"
    state.start_run(run_id, "memos import (through memos serve) "
                    + " ".join(str(p) for p in options.paths))
    if options.dry_run:
        store, embedder = None, None
    embedded = (embedder.texts_embedded, embedder.tokens_embedded) if embedder else (0, 0)
    importer = Importer(settings, run_id, state, store, embedder, FailureWriter(failures_path),
                        progress, options.dry_run, use_checkpoints=not options.from_start,
                        transient=options.transient)
    try:
        importer.import_files(files, options.reader)
    except MemosError as exc:
        importer.report.error_exit_code = exc.exit_code
        raise
    finally:
        importer.finish()
        importer.report.texts_embedded -= embedded[0]  # the server's embedder counts on
        importer.report.tokens_embedded -= embedded[1]
        state.end_run(run_id, importer.report.exit_code, importer.report.summary())
    return importer.report


def run_requests(settings: Settings, records: list[RawRecord], wait_s: float = 0.0,
                 on_committed: Callable[[], None] | None = None) -> RunReport:
    """Add-message requests (from `memos add` or the queue) through the same pipeline; the
    report lists every memory written."""
    with _engine(settings, wait_s, None, False, None,
                 lambda: [t for r in records for t in record_texts(r.data)],
                 collect_written=True) as importer:
        importer.import_records(records)
        if on_committed is not None:
            on_committed()
    return importer.report
