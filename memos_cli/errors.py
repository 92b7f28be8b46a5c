"""Errors that end a command, each with the exit code cron sees and a hint saying what to do.

A bad *record* is never an exception: it becomes a `Failure` and the run goes on. These are
for problems with the command as a whole (usage, config, a busy store, a mismatched store).
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any


class ExitCode(IntEnum):
    """What a memos process exits with; the README's table is made from these docs."""

    OK = 0
    BUG = 1
    USAGE = 2
    RECORDS_FAILED = 3
    NOT_FOUND = 4
    MIGRATION_MISMATCH = 5
    DAMAGED = 65  # sysexits' EX_DATAERR
    STORE_IO = 74  # sysexits' EX_IOERR
    STORE_BUSY = 75  # sysexits' EX_TEMPFAIL: try again later
    INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for Ctrl-C
    TERMINATED = 143  # 128 + SIGTERM

    @property
    def meaning(self) -> str:
        return _MEANINGS[self]


_MEANINGS = {
    ExitCode.OK: "every record stored or already imported; the command did what it said",
    ExitCode.BUG: "an unexpected error (a bug): rerun with MEMOS_DEBUG=1 and report it",
    ExitCode.USAGE: "usage, config or input error: the message says what to fix",
    ExitCode.RECORDS_FAILED: "finished, some records failed: fix them in the failures file "
                             "and import it again",
    ExitCode.NOT_FOUND: "no such memory (memories show / history / delete)",
    ExitCode.MIGRATION_MISMATCH: "a migration copied, but the counts per user differ",
    ExitCode.DAMAGED: "state.db or the store is damaged: the hint says what to do; "
                      "`memos doctor` checks",
    ExitCode.STORE_IO: "too little free disk space to write safely, or the store could not "
                       "be reopened: nothing written is lost; free space and run again",
    ExitCode.STORE_BUSY: "the store is busy (another run holds it): try again, or --wait",
    ExitCode.INTERRUPTED: "stopped by SIGINT (Ctrl-C): what was stored stays; run the same "
                          "command again to resume",
    ExitCode.TERMINATED: "stopped by SIGTERM: as for 130",
}


class Interrupted(BaseException):
    """SIGINT or SIGTERM during a run: not an Exception, so that no handler of a record's or a
    batch's errors takes it for a failure; the run stops, is recorded with the signal's exit
    code, and a rerun resumes."""

    def __init__(self, signal_name: str, exit_code: int) -> None:
        super().__init__(signal_name)
        self.signal_name = signal_name
        self.exit_code = exit_code


class MemosError(Exception):
    """An error the user can act on; the CLI prints `error: <message>` and `hint: <hint>`."""

    exit_code: int = ExitCode.BUG

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        # What a run did before the error stopped it (a RunReport), for its summary.
        self.report: Any = None


class UsageError(MemosError):
    exit_code = ExitCode.USAGE


class ConfigError(MemosError):
    exit_code = ExitCode.USAGE


class InputError(MemosError):
    """A whole input is unusable (missing file, unknown format); single records never raise."""

    exit_code = ExitCode.USAGE


class EmbedderMismatchError(MemosError):
    exit_code = ExitCode.USAGE


class DamagedError(MemosError):
    """state.db or the store cannot be read as what it should be (truncated, overwritten)."""

    exit_code = ExitCode.DAMAGED


class StoreBusyError(MemosError):
    exit_code = ExitCode.STORE_BUSY


class StoreUnavailableError(MemosError):
    """The store could not be reopened mid-run (a full disk, say): the run stops rather than
    fail every record after it."""

    exit_code = ExitCode.STORE_IO


class DiskFullError(MemosError):
    """Too little free space to write safely: the run stops before the write, not during."""

    exit_code = ExitCode.STORE_IO


class EmbedderUnavailableError(MemosError):
    exit_code = ExitCode.USAGE


class ExtractionFailed(Exception):
    """A batch that could not be extracted: its records go to the failures file, with the
    model's last answer when there was one."""

    def __init__(self, reason: str, answer: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.answer = answer
