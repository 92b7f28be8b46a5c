"""The first message texts of some input files, read without side effects: a new store picks
the model that reads their language before anything is stored."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from memos_cli.models import RawRecord
from memos_cli.readers.base import ReaderOptions, ReadStats


def record_texts(data: Any) -> Iterator[str]:
    """The message text in a record: its `content` (a string or text parts), or that of each
    of its `messages`."""
    if not isinstance(data, dict):
        return
    content = data.get("content")
    if isinstance(content, str):
        yield content
    elif isinstance(content, list):
        for part in content:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                yield part["text"]
    messages = data.get("messages")
    if isinstance(messages, list):
        for message in messages:
            yield from record_texts(message)


def sample_texts(files: list[tuple[Path, str]], options: ReaderOptions,
                 limit: int = 200) -> list[str]:
    from memos_cli.readers import read

    quiet = dataclasses.replace(options, stats=ReadStats())
    texts: list[str] = []
    for path, fmt in files:
        try:
            records = (item for item in read(path, fmt, quiet) if isinstance(item, RawRecord))
            for record in itertools.islice(records, limit - len(texts)):
                texts.extend(record_texts(record.data))
        except Exception:  # the import itself reports what cannot be read
            continue
        if len(texts) >= limit:
            break
    return texts
