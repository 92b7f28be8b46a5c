"""The import engine: records in, memories in the store, counted in a RunReport.

read -> validate -> ledger check -> group -> extract -> (flush: embed -> merge -> upsert ->
ledger + checkpoint in one transaction). A flush happens every `flush_memories` memories and
at the end of each source; the ledger records a message only after its memories are upserted,
so a killed run loses nothing and a re-run adds nothing twice. A record that fails at any stage
becomes a Failure and the run goes on. Files, `memos add` requests and the async queue all
come through here.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from datetime import UTC, datetime
from pathlib import Path

from memos_cli.config import Settings
from memos_cli.embedders.cached import RunEmbedder
from memos_cli.errors import ExtractionFailed, MemosError
from memos_cli.ingest.build import build_memory, link_carried, merge_into
from memos_cli.ingest.checkpoint import FileProgress, Resume, plan_resume
from memos_cli.ingest.extract import (
    EXTRACTORS,
    ConcurrentExtractor,
    Extractor,
)
from memos_cli.ingest.failures import FailureWriter
from memos_cli.ingest.group import TurnGrouper
from memos_cli.ingest.progress import ProgressSink, ProgressSnapshot
from memos_cli.ingest.settle import Settled, finish_retractions, settle
from memos_cli.ingest.validate import record_count, validate
from memos_cli.models import (
    Failure,
    FileReport,
    Memory,
    MemoryCandidate,
    Message,
    RawRecord,
    RunReport,
    Stage,
    Tail,
    TurnBatch,
)
from memos_cli.readers import SEEKABLE, ReaderOptions, ReadStats, read
from memos_cli.readers.source import compression
from memos_cli.state import Checkpoint, State, TailChanges
from memos_cli.store import MemoryStore
from memos_cli.store.space import MB, ensure_free

# state.db (SQLite) fails cleanly on a full disk, but a commit should not even start there.
STATE_MARGIN_BYTES = 16 * MB

_PROGRESS_EVERY = 256


@dataclasses.dataclass(slots=True)
class Stored:
    """What writing a unit did: resolution's outcome (None when no store was written: a dry
    run, an empty unit) and the shorter episodes of grown tails that the commit retracts."""

    settled: Settled | None = None
    retract: dict[str, set[str]] = dataclasses.field(default_factory=dict)


class Importer:
    """The state of one run: the open batches, the pending flush, the counters."""

    def __init__(self, settings: Settings, run_id: str, state: State, store: MemoryStore | None,
                 embedder: RunEmbedder | None, failures: FailureWriter,
                 progress: ProgressSink, dry_run: bool = False, *,
                 use_checkpoints: bool = True, transient: Iterable[Path] = (),
                 collect_written: bool = False) -> None:
        """`use_checkpoints`: resume files where they were left and save where they end
        (off for --from-start); `transient`: inputs that can be read only once (a copy of
        stdin), skipped by the ledger alone; `collect_written`: list every memory written
        in the report (`memos add`, the server)."""
        self.settings = settings
        self.state = state
        self.store = store
        self.embedder = embedder
        self.failures = failures
        self.progress = progress
        extractor = EXTRACTORS[settings.extractor](settings, dry_run)
        self.extractor_name = extractor.name
        # Exactly one of these: an extractor that answers at once, or one that works on many
        # batches concurrently (decided once, not per batch).
        self.immediate: Extractor | None = None
        self.concurrent: ConcurrentExtractor | None = None
        if isinstance(extractor, ConcurrentExtractor):
            self.concurrent = extractor
        else:
            self.immediate = extractor
        # Batches submitted to a concurrent extractor, oldest first, results not yet taken.
        self.in_flight: deque[tuple[TurnBatch, Future[list[MemoryCandidate]]]] = deque()
        self.grouper = TurnGrouper(settings.batch_turns, settings.max_open_conversations,
                                   settings.idle_messages, seed=self._stored_tail)
        # Conversations whose stored tail this run has looked up (and maybe grown).
        self.tails_looked_up: set[tuple[str, str]] = set()
        self.report = RunReport(run_id=run_id, embedder=embedder.embedder.name if embedder else "",
                                dry_run=dry_run)
        self.times = self.report.stage_seconds
        # Accepted but not yet in the ledger: a duplicate of one of these is already imported.
        self.pending: set[tuple[str, str, str]] = set()
        self.unit: list[tuple[TurnBatch, list[Memory]]] = []
        self.unit_memories = 0
        self._bytes_before_file = 0
        self.use_checkpoints = use_checkpoints and not dry_run
        self.transient = set(transient)
        self.file: FileProgress | None = None
        self.seekable = False
        self.collect_written = collect_written
        self._started = time.perf_counter()

    def import_files(self, files: list[tuple[Path, str]], reader_options: ReaderOptions) -> None:
        total = sum(path.stat().st_size for path, _ in files)
        self._finish_retractions()
        self.progress.start(total)
        try:
            for path, fmt in files:
                self._import_file(path, fmt, reader_options, total)
        finally:
            self.progress.finish()

    def import_records(self, records: Iterable[RawRecord]) -> None:
        """Records that come from no file (requests): no checkpoint, one flush at the end."""
        self.seekable = False
        for record in records:
            file_report = self._file_report(record.file, "request")
            self._take(record, file_report)
        for batch in self.grouper.flush():
            self._add_batch(batch)
        self._flush()

    def finish(self) -> None:
        if self.concurrent is not None:
            self.concurrent.close()
            self.report.llm = self.concurrent.summary()
        self.failures.close()
        self.report.texts_embedded = self.embedder.texts_embedded if self.embedder else 0
        self.report.tokens_embedded = self.embedder.tokens_embedded if self.embedder else 0
        self.report.elapsed_s = time.perf_counter() - self._started
        if self.failures.count:
            self.report.failures_file = str(self.failures.path)

    def _file_report(self, name: str, fmt: str) -> FileReport:
        for file_report in self.report.files:
            if file_report.path == name:
                return file_report
        file_report = FileReport(path=name, format=fmt)
        self.report.files.append(file_report)
        return file_report

    def _import_file(self, path: Path, fmt: str, reader_options: ReaderOptions,
                     total: int) -> None:
        file_report = FileReport(path=str(path), format=fmt)
        self.report.files.append(file_report)
        size = path.stat().st_size
        self.seekable = fmt in SEEKABLE and compression(path) is None
        checkpoints = self.use_checkpoints and path not in self.transient
        known = self.state.checkpoint(str(path.resolve())) if checkpoints else None
        resume = plan_resume(path, known, self.seekable)
        self.file = FileProgress(path, resume)
        self._skip(resume, file_report)
        since_progress = 0
        reader_options = dataclasses.replace(reader_options, stats=ReadStats())
        done = resume.start.offset >= size > 0  # finished by an earlier run: nothing to read
        items = iter(()) if done else read(path, fmt, reader_options, resume.start)
        for item in self._timed(items):
            if isinstance(item, Failure):
                self.file.saw(item.offset, item.offset, item.line, 1)
                self._fail(item, file_report)
            else:
                self.file.saw(item.start_offset, item.end_offset, item.line, record_count(item))
                self._take(item, file_report)
                file_report.bytes_read = item.end_offset
            since_progress += 1
            if since_progress >= _PROGRESS_EVERY:
                since_progress = 0
                self._show(path, size, file_report.bytes_read, total)
        for batch in self.grouper.flush(tails=True):
            self._add_batch(batch)
            if self.unit_memories >= self.settings.flush_memories:
                self._flush()
        self._flush()
        if checkpoints:
            self.state.save_checkpoint(self.report.run_id, self.file.finish())
        file_report.conversations = reader_options.stats.conversations
        file_report.skipped = dict(reader_options.stats.skipped)
        file_report.bytes_read = size - resume.skipped_bytes
        self._show(path, size, size, total)
        self._bytes_before_file += size
        self.report.bytes_read += size - resume.skipped_bytes

    def _skip(self, resume: Resume, file_report: FileReport) -> None:
        """Records before the checkpoint: finished by an earlier run, counted as imported."""
        skipped = resume.skipped_records
        file_report.checkpoint_skipped_records = skipped
        file_report.checkpoint_skipped_bytes = resume.skipped_bytes
        file_report.records_read += skipped
        self.report.checkpoint_skipped_records += skipped
        self.report.checkpoint_skipped_bytes += resume.skipped_bytes
        self.report.records_read += skipped
        self.report.records_already_imported += skipped

    def _timed(self, items: Iterator[Failure | RawRecord]) -> Iterator[Failure | RawRecord]:
        while True:
            with self.times.timing("read"):
                item = next(items, None)
            if item is None:
                return
            yield item

    def _take(self, record: RawRecord, file_report: FileReport) -> None:
        with self.times.timing("validate"):
            results = list(validate(record))
        for result in results:
            if isinstance(result, Failure):
                self._fail(result, file_report)
                continue
            file_report.records_read += 1
            self.report.records_read += 1
            if self._already_imported(result):
                self.report.records_already_imported += 1
                continue
            with self.times.timing("group"):
                completed = list(self.grouper.add(result))
            for batch in completed:
                self._add_batch(batch)
            if self.unit_memories >= self.settings.flush_memories:
                self._flush()

    def _stored_tail(self, key: tuple[str, str]) -> Tail | None:
        """The tail an earlier run left open for a conversation, to start its first batch of
        this run from; files only (a request's message makes a batch of its own)."""
        if self.file is None or self.report.dry_run or self.store is None \
                or key in self.tails_looked_up:
            return None
        self.tails_looked_up.add(key)
        tail = self.state.tail(*key)
        if tail is None or len(self.store.retrieve(tail.memory_ids)) < len(set(tail.memory_ids)):
            return None  # memories deleted since (forgotten, moved store): start afresh
        return tail

    def _finish_retractions(self) -> None:
        """Apply what a run that died after its commit left to retract."""
        if self.store is not None:
            finish_retractions(self.store, self.state)

    def _already_imported(self, message: Message) -> bool:
        with self.times.timing("ledger"):
            key = _ledger_key(message)
            seen = key in self.pending or self.state.is_imported(*key)
            if not seen:
                self.pending.add(key)
        return seen

    def _add_batch(self, batch: TurnBatch) -> None:
        if self.concurrent is not None:
            self.in_flight.append((batch, self.concurrent.submit(batch)))
            self._collect(self.concurrent.window)
            return
        assert self.immediate is not None
        try:
            with self.times.timing("extract"):
                candidates = self.immediate.extract(batch)
        except Exception as exc:  # an extractor bug must not stop the run: the batch fails
            self._fail_batch(batch, "extract", f"extractor error: {exc!r}")
            return
        self._extracted(batch, candidates)

    def _collect(self, keep: int) -> None:
        """Take finished results in submission order, waiting for the oldest while more than
        `keep` batches are in flight (0: wait for all)."""
        while self.in_flight and (len(self.in_flight) > keep or self.in_flight[0][1].done()):
            batch, future = self.in_flight.popleft()
            try:
                with self.times.timing("extract"):
                    candidates = future.result()
            except MemosError:
                raise  # the endpoint refused us (key, model): no batch can succeed
            except ExtractionFailed as exc:
                self._fail_batch(batch, "extract", exc.reason, exc.answer)
                continue
            except Exception as exc:  # an extractor bug must not stop the run: the batch fails
                self._fail_batch(batch, "extract", f"extractor error: {exc!r}")
                continue
            self._extracted(batch, candidates)

    def _extracted(self, batch: TurnBatch, candidates: list[MemoryCandidate]) -> None:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        memories = [build_memory(c, batch, self.extractor_name, now, self.settings.resolution)
                    for c in candidates]
        link_carried(memories)
        self.unit.append((batch, memories))
        self.unit_memories += len(memories)
        self.report.batches += 1

    def _flush(self) -> None:
        """Embed and store the pending unit, then commit its ledger rows and the checkpoint."""
        self._collect(0)  # batches in flight left the grouper: the checkpoint must cover them
        unit, self.unit, self.unit_memories = self.unit, [], 0
        candidates = [m for _, batch_memories in unit for m in batch_memories]
        memories = _dedupe(candidates)
        merged_in_unit = len(candidates) - len(memories)
        stored: Stored | None = Stored()  # nothing to store (a dry run, an empty unit)
        if unit and self.embedder is not None and self.store is not None:
            stored = self._store(unit, memories) if self._embed(unit, memories) else None
        keys = [_ledger_key(m) for batch, _ in unit for m in batch.new_messages]
        rows = [(*_ledger_key(m), _source_key(m.source_file))
                for batch, _ in unit for m in batch.new_messages]
        if self.report.dry_run:
            self._checkpoint()  # nothing to commit, but the file's progress must not pile up
        elif stored or self.use_checkpoints:
            with self.times.timing("ledger"):
                ensure_free(self.settings.home, STATE_MARGIN_BYTES)
                history = stored.settled.history if stored and stored.settled else []
                tails = (self._tail_changes(unit, stored.retract)
                         if stored and self.file is not None else None)
                self.state.commit(self.report.run_id, rows if stored else [],
                                  self._checkpoint(), history, tails)
                if tails is not None:
                    self._after_tails_commit(tails)
        if stored is None:
            return
        self.pending.difference_update(keys)
        self.report.records_stored += len(keys)
        self.report.memories_written += len(memories)
        if stored.settled is not None:
            self.report.memories_added += stored.settled.added
            self.report.memories_merged += stored.settled.merged + merged_in_unit
            self.report.memories_superseded += stored.settled.superseded
        if self.collect_written:
            self.report.written.extend(
                {"id": m.id, "memory_type": m.payload["memory_type"], "text": m.text}
                for m in memories)
        for memory in memories:
            kind = memory.payload["memory_type"]
            self.report.memories_by_type[kind] = self.report.memories_by_type.get(kind, 0) + 1

    def _tail_changes(self, unit: list[tuple[TurnBatch, list[Memory]]],
                      retract: dict[str, set[str]]) -> TailChanges:
        changes = TailChanges(retract=retract)
        for batch, memories in unit:
            key = (batch.user_id, batch.conversation_id)
            if batch.tail:
                changes.open[key] = Tail(batch.messages, [m.id for m in memories])
            elif key in self.tails_looked_up:
                changes.open.pop(key, None)
                changes.ended.append(key)
        return changes

    def _after_tails_commit(self, tails: TailChanges) -> None:
        """Retract from the store what the commit recorded, and let a later file of this run
        grow the tails just written."""
        if tails.retract:
            assert self.store is not None
            finish_retractions(self.store, self.state, tails.retract)
        self.tails_looked_up.difference_update(tails.open)

    def _checkpoint(self) -> Checkpoint | None:
        if not (self.seekable and self.file is not None):
            return None
        # Advanced even when it is not saved (dry runs, --from-start): the offsets of the lines
        # behind it are let go, or they would pile up for the whole file.
        checkpoint = self.file.advance(self.grouper.min_open_offset())
        return checkpoint if self.use_checkpoints and self.file.path not in self.transient \
            else None

    def _embed(self, unit: list[tuple[TurnBatch, list[Memory]]], memories: list[Memory]) -> bool:
        assert self.embedder is not None
        try:
            with self.times.timing("embed"):
                vectors = self.embedder.embed([m.embed_text for m in memories])
        except MemosError:
            raise
        except Exception as exc:  # one bad unit fails its records; the run goes on
            self._fail_unit(unit, "embed", f"embedding failed: {exc!r}")
            return False
        for memory, vector in zip(memories, vectors, strict=True):
            memory.vector = vector.tolist()
        return True

    def _store(self, unit: list[tuple[TurnBatch, list[Memory]]],
               memories: list[Memory]) -> Stored | None:
        """Resolve the unit against the store and write it; None when that failed (its
        records are in the failures file)."""
        assert self.store is not None
        try:
            with self.times.timing("store"):
                if self.concurrent is not None:
                    memories[:] = _dedupe(self.concurrent.decide(self.store, memories))
                settled = settle(self.store, memories)
                self.store.upsert([*memories, *settled.flipped])
        except MemosError:
            raise
        except Exception as exc:
            self._fail_unit(unit, "store", f"storing failed: {exc!r}")
            return None
        return Stored(settled, _replaced(unit, {m.id for m in memories}))

    def _fail_unit(self, unit: list[tuple[TurnBatch, list[Memory]]], stage: Stage,
                   reason: str) -> None:
        for batch, _ in unit:
            self._fail_batch(batch, stage, reason)

    def _fail_batch(self, batch: TurnBatch, stage: Stage, reason: str,
                    model_answer: str | None = None) -> None:
        """Fail every record of a batch; they were counted as read when accepted. The messages
        of an earlier run's tail stay stored as they were."""
        for message in batch.new_messages:
            self.pending.discard(_ledger_key(message))
            failure = Failure(message.source_file, message.source_line, stage, reason, message.raw,
                              model_answer=model_answer)
            self._file_report(message.source_file, "").records_failed += 1
            self._note(failure)

    def _fail(self, failure: Failure, file_report: FileReport) -> None:
        """Fail a record that never got as far as being counted."""
        self.report.records_read += 1
        file_report.records_read += 1
        file_report.records_failed += 1
        self._note(failure)

    def _note(self, failure: Failure) -> None:
        self.failures.write(failure)
        self.report.records_failed += 1
        if len(self.report.failures) < 1000:
            self.report.failures.append(failure)

    def _show(self, path: Path, size: int, done: int, total: int) -> None:
        self.progress.update(ProgressSnapshot(
            file=str(path), file_bytes=size, file_bytes_done=min(done, size), bytes_total=total,
            bytes_done=self._bytes_before_file + min(done, size),
            records=self.report.records_read,
            memories=self.report.memories_written, failed=self.report.records_failed))


def _ledger_key(message: Message) -> tuple[str, str, str]:
    """Message ids are only taken to be unique within a conversation."""
    return message.user_id, message.conversation_id, message.message_id


@functools.lru_cache(maxsize=256)
def _source_key(name: str) -> str:
    """The checkpoint key of a message's file ('' for requests that came from no file)."""
    path = Path(name)
    return str(path.resolve()) if name and path.is_file() else ""


def _replaced(unit: list[tuple[TurnBatch, list[Memory]]], written: set[str]) -> dict[str, set[str]]:
    """The memories of grown tails that the longer batches did not make again, with the tail
    messages to take out of their sources."""
    stale: dict[str, set[str]] = {}
    for batch, _ in unit:
        seeded = {m.message_id for m in batch.messages[:batch.seeded]}
        for memory_id in batch.replaces:
            if memory_id not in written:
                stale.setdefault(memory_id, set()).update(seeded)
    return stale


def _dedupe(memories: list[Memory]) -> list[Memory]:
    """One point per id within a flush; later copies fold into the first."""
    by_id: dict[str, Memory] = {}
    for memory in memories:
        earlier = by_id.get(memory.id)
        if earlier is None:
            by_id[memory.id] = memory
        else:
            merge_into(earlier.payload, memory)
            by_id[memory.id] = memory
    return list(by_id.values())
