"""SIGINT and SIGTERM as an `Interrupted` raised in the main thread, for the length of a run,
so that the run closes with its real exit code (130, 143) and its summary instead of dying
half-recorded."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

from memos_cli.errors import ExitCode, Interrupted

_CODES = {signal.SIGINT: ExitCode.INTERRUPTED, signal.SIGTERM: ExitCode.TERMINATED}


def _raise(number: int, frame: FrameType | None) -> None:
    for other in _CODES:  # a second signal must not cut short the closing of the run
        signal.signal(other, signal.SIG_IGN)
    raise Interrupted(signal.Signals(number).name, _CODES[signal.Signals(number)])


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """Signals raise `Interrupted` inside the block; outside the main thread (a server's
    worker) nothing changes, since only the main thread can take signals."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = {number: signal.signal(number, _raise) for number in _CODES}
    try:
        yield
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)
