"""Printing for every command: errors with hints, JSON, and the exit code."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any

import orjson
import typer
from rich.console import Console

from memos_cli.errors import MemosError

# The one way memos prints: user text (messages, names, paths) is shown as written, so rich's
# markup ("[link=...]"), emoji codes (":x:") and highlighting are off everywhere.
stdout = Console(soft_wrap=True, markup=False, emoji=False, highlight=False)
stderr = Console(stderr=True, soft_wrap=True, markup=False, emoji=False, highlight=False)


@contextlib.contextmanager
def handle_errors() -> Iterator[None]:
    """A MemosError becomes `error:` and `hint:` lines on stderr and its exit code."""
    try:
        yield
    except MemosError as exc:
        stderr.print(f"error: {exc.message}", markup=False, highlight=False)
        if exc.hint:
            stderr.print(f"hint: {exc.hint}", markup=False, highlight=False)
        raise typer.Exit(exc.exit_code) from None


def print_json(value: Any) -> None:
    """UTF-8 whatever the locale (cron often runs under LANG=C): Chinese text as written."""
    data = orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS) + b"\n"
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(data.decode())
    else:
        buffer.write(data)
        buffer.flush()
