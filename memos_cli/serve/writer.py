"""The server's one writing thread. Every add, feedback and knowledge-base file goes through
it, so the store, the ledger and state.db have one writer, as under the CLI.

Synchronous adds wait on a future; whatever arrived meanwhile is stored in the same run (one
embedding call, one flush), which is how eight clients get more adds a second than one.
Asynchronous adds are persisted as tasks before the client hears of them and worked off
oldest first; a task leaves `running` only after its messages are in the ledger, so a killed
server finishes it at the next start, and the ledger keeps a rerun from storing twice.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from memos_cli.config import Settings
from memos_cli.embedders.cached import RunEmbedder
from memos_cli.ingest.engine import Importer
from memos_cli.ingest.failures import FailureWriter
from memos_cli.ingest.options import ImportOptions
from memos_cli.ingest.progress import NoProgress, ProgressCounter, ProgressSnapshot
from memos_cli.ingest.run import checked_files as _checked_files
from memos_cli.ingest.run import run_on
from memos_cli.models import RawRecord, RunReport
from memos_cli.opening import open_for_writing
from memos_cli.readers.sample import record_texts, sample_texts
from memos_cli.serve.records import COMPLETED, FAILED, Records, now_ms
from memos_cli.state import State
from memos_cli.store import MemoryStore

log = logging.getLogger("memos.serve")

_BATCH = 64  # requests stored in one run at most


@dataclass(slots=True)
class Outcome:
    """What became of one request: stored (maybe partly failed), with the report of its run."""

    failed: list[str] = field(default_factory=list)  # one reason per failed message
    report: RunReport | None = None


@dataclass(slots=True)
class _Job:
    request: dict[str, Any]
    future: Future[Outcome]


@dataclass(slots=True)
class ImportJob:
    """A `memos import` handed to the server: its files, read by this process."""

    options: ImportOptions
    future: Future[RunReport] = field(default_factory=Future)
    progress: ProgressCounter = field(default_factory=lambda: ProgressCounter())


Opened = Callable[[RunEmbedder, MemoryStore], None]


class Writer(threading.Thread):
    def __init__(self, settings: Settings, on_open: Opened) -> None:
        super().__init__(name="memos-writer", daemon=True)
        self.settings = settings
        self._on_open = on_open
        self._jobs: queue.Queue[_Job | ImportJob | None] = queue.Queue()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self.embedder: RunEmbedder | None = None
        self.store: MemoryStore | None = None
        self.ready = threading.Event()
        self.error: BaseException | None = None

    # called from request threads
    def submit(self, request: dict[str, Any]) -> Future[Outcome]:
        future: Future[Outcome] = Future()
        self._jobs.put(_Job(request, future))
        return future

    def submit_import(self, options: ImportOptions) -> ImportJob:
        job = ImportJob(options)
        self._jobs.put(job)
        return job

    def wake(self) -> None:
        """A task was queued in state.db."""
        self._wake.set()
        self._jobs.put(None)

    def stop(self) -> None:
        self._stopping.set()
        self._jobs.put(None)

    # the thread
    def run(self) -> None:
        self._state = State(self.settings.state_db)
        self._records = Records(self.settings.state_db)
        try:
            if (self.settings.home / "store.json").exists() or self.settings.qdrant_url:
                self._open([])
            self.ready.set()
            self._loop()
        except BaseException as exc:
            self.error = exc
            self.ready.set()
            log.exception("the writer stopped")
            raise
        finally:
            if self.embedder is not None:
                self.embedder.close()
            self._state.close()
            self._records.close()

    def _open(self, texts: list[str]) -> None:
        embedder, store = open_for_writing(self.settings, sample=lambda: texts,
                                           state=self._state)
        assert embedder is not None and store is not None
        self.embedder, self.store = embedder, store
        self._on_open(embedder, store)

    def _loop(self) -> None:
        while not self._stopping.is_set():
            jobs, imports = self._take_jobs()
            if jobs:
                self._store_jobs(jobs)
            for job in imports:
                self._run_import(job)
            self._drain_tasks()

    def _take_jobs(self) -> tuple[list[_Job], list[ImportJob]]:
        jobs: list[_Job] = []
        imports: list[ImportJob] = []
        try:
            first = self._jobs.get(timeout=1.0)
        except queue.Empty:
            return jobs, imports
        pending: list[_Job | ImportJob | None] = [first]
        while len(jobs) < _BATCH and not imports:
            if pending:
                item = pending.pop()
            else:
                try:
                    item = self._jobs.get_nowait()
                except queue.Empty:
                    break
            if isinstance(item, ImportJob):
                imports.append(item)
            elif item is not None:
                jobs.append(item)
        return jobs, imports

    def _run_import(self, job: ImportJob) -> None:
        """The import as `memos import` runs it, in this thread, on the open store: searches
        go on meanwhile; adds wait for it (async ones are queued as usual)."""
        options = job.options
        try:
            if self.store is None:
                files = _checked_files(options)
                self._open(sample_texts(files, options.reader))
            report = run_on(self.settings, options, self._state, self.store, self.embedder,
                            _Interleaved(job.progress, self._serve_waiting_adds))
        except BaseException as exc:
            job.future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        job.future.set_result(report)

    def _store_jobs(self, jobs: list[_Job]) -> None:
        try:
            outcomes = self.store_requests([job.request for job in jobs])
        except BaseException as exc:
            for job in jobs:
                job.future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        for job, outcome in zip(jobs, outcomes, strict=True):
            job.future.set_result(outcome)

    def _drain_tasks(self) -> None:
        self._drain_cli_queue()
        while not self._stopping.is_set() and self._jobs.empty():
            pending = self._records.pending(_BATCH)
            if not pending:
                return
            try:
                outcomes = self.store_requests([request for _, request in pending])
            except Exception as exc:  # a bug or a broken store: the tasks stay queued
                log.exception("queued tasks could not be stored")
                for task_id, _ in pending:
                    self._records.finish_task(task_id, FAILED, f"internal error: {exc}")
                continue
            for (task_id, _), outcome in zip(pending, outcomes, strict=True):
                if outcome.failed:
                    self._records.finish_task(task_id, FAILED, "; ".join(outcome.failed)[:500])
                else:
                    self._records.finish_task(task_id, COMPLETED)

    def _serve_waiting_adds(self) -> None:
        """Synchronous adds that arrived during an import, stored between its flushes so that
        they wait a moment, not for the whole import."""
        jobs: list[_Job] = []
        later: list[ImportJob | None] = []
        while len(jobs) < _BATCH:
            try:
                item = self._jobs.get_nowait()
            except queue.Empty:
                break
            if isinstance(item, _Job):
                jobs.append(item)
            else:
                later.append(item)
        for item in later:
            self._jobs.put(item)
        if jobs:
            self._store_jobs(jobs)

    def _drain_cli_queue(self) -> None:
        """Requests `memos add --async` queued before the server started (`memos process`
        cannot run while the server holds the store)."""
        while not self._stopping.is_set() and self._jobs.empty():
            rows = self._state.queued(_BATCH)
            if not rows:
                return
            self.store_requests([request for _, request in rows])
            self._state.dequeue([row_id for row_id, _ in rows])

    def store_requests(self, requests: list[dict[str, Any]]) -> list[Outcome]:
        """Store requests in one run; each request's outcome."""
        if self.store is None:
            self._open([t for r in requests for t in record_texts(r)])
        records = [RawRecord("serve", index, orjson.dumps(request).decode(), request)
                   for index, request in enumerate(requests, start=1)]
        stamp = datetime.now(UTC).strftime("%Y%m%d")
        importer = Importer(self.settings, f"serve-{now_ms()}", self._state, self.store,
                            self.embedder,
                            FailureWriter(self.settings.failures_dir / f"serve-{stamp}.jsonl"),
                            NoProgress(), collect_written=True)
        try:
            importer.import_records(records)
        finally:
            importer.finish()
        outcomes = [Outcome(report=importer.report) for _ in requests]
        for failure in importer.report.failures:
            if 1 <= failure.line <= len(outcomes):
                outcomes[failure.line - 1].failed.append(failure.reason)
        self._records.keep_messages([row for request, outcome in zip(requests, outcomes,
                                                                      strict=True)
                                     if not outcome.failed for row in _message_rows(request)])
        return outcomes


class _Interleaved:
    """An import's progress sink that also lets waiting adds through at each update."""

    def __init__(self, counter: ProgressCounter, between: Callable[[], None]) -> None:
        self._counter = counter
        self._between = between

    def start(self, bytes_total: int) -> None:
        self._counter.start(bytes_total)

    def update(self, snapshot: ProgressSnapshot) -> None:
        self._counter.update(snapshot)
        self._between()

    def finish(self) -> None:
        self._counter.finish()


def _message_rows(request: dict[str, Any]) -> list[tuple[str, str, str, str, str, int]]:
    """The raw messages of a stored request, for get/message."""
    from memos_cli.timeparse import parse_chat_time

    rows = []
    user, conversation = str(request.get("user_id")), str(request.get("conversation_id"))
    for index, message in enumerate(request.get("messages") or []):
        if not isinstance(message, dict):
            continue
        content = message.get("content")
        text = content if isinstance(content, str) else " ".join(
            str(p.get("text", "")) for p in content or [] if isinstance(p, dict))
        try:
            when = parse_chat_time(message.get("chat_time"))
        except (ValueError, TypeError):
            when = None
        chat_ms = int(when.timestamp() * 1000) if when else now_ms()
        key = str(message.get("message_id") or
                  f"{index}:{message.get('role')}:{message.get('chat_time')}:{text}")
        rows.append((user, conversation, key, str(message.get("role", "user")), text, chat_ms))
    return rows
