"""Errors that end a command, each with the exit code cron sees and a hint saying what to do.

A bad *record* is never an exception: it becomes a `Failure` and the run goes on. These are
for problems with the command as a whole (usage, config, a busy store, a mismatched store).
"""

from __future__ import annotations

from typing import Any

EXIT_OK = 0
EXIT_BUG = 1
EXIT_USAGE = 2
EXIT_RECORDS_FAILED = 3
EXIT_DAMAGED = 65  # sysexits' EX_DATAERR: state.db or the store is damaged
EXIT_STORE_IO = 74  # sysexits' EX_IOERR
EXIT_STORE_BUSY = 75
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for Ctrl-C
EXIT_TERMINATED = 143  # 128 + SIGTERM


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

    exit_code = EXIT_BUG

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        # What a run did before the error stopped it (a RunReport), for its summary.
        self.report: Any = None


class UsageError(MemosError):
    exit_code = EXIT_USAGE


class ConfigError(MemosError):
    exit_code = EXIT_USAGE


class InputError(MemosError):
    """A whole input is unusable (missing file, unknown format); single records never raise."""

    exit_code = EXIT_USAGE


class EmbedderMismatchError(MemosError):
    exit_code = EXIT_USAGE


class DamagedError(MemosError):
    """state.db or the store cannot be read as what it should be (truncated, overwritten)."""

    exit_code = EXIT_DAMAGED


class StoreBusyError(MemosError):
    exit_code = EXIT_STORE_BUSY


class StoreUnavailableError(MemosError):
    """The store could not be reopened mid-run (a full disk, say): the run stops rather than
    fail every record after it."""

    exit_code = EXIT_STORE_IO


class DiskFullError(MemosError):
    """Too little free space to write safely: the run stops before the write, not during."""

    exit_code = EXIT_STORE_IO


class EmbedderUnavailableError(MemosError):
    exit_code = EXIT_USAGE
