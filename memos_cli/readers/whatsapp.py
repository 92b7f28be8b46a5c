"""WhatsApp's "Export chat": a .txt of one message per line (or a .zip holding it and media).

Android writes `12/31/23, 9:41 PM - Name: text` (or `31.12.23, 21:41 - ...`), iOS
`[31/12/2023, 21:41:07] Name: text`, often with U+200E marks. Which of the first two date
fields is the day is decided once per file, from the values: a first field above 12 is a
day, a second field above 12 makes the first the month; with neither, a dotted date is
day-first and a slashed one with AM/PM month-first (US phones), else day-first. A message
goes on over the following lines that have no prefix. Lines without `Name:` are system lines
(encryption notices, joins) and are skipped; media placeholders are kept as text, since
"<Media omitted>" still says something was sent.

There are no ids: the conversation is the chat's file name, a message's id is a hash of its
time, sender and text (and how many times that triple came before), so a later export of the
same chat adds only the new messages.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from memos_cli.errors import InputError
from memos_cli.ids import stable_id
from memos_cli.models import RawRecord
from memos_cli.readers.base import ReaderItem, ReaderOptions, StartAt, clip
from memos_cli.readers.exports import require_user
from memos_cli.readers.source import open_input

_MARKS = "\u200e\u200f\u202a\u202c\ufeff"
_DATE = r"(?P<a>\d{1,2})[/.\-](?P<b>\d{1,2})[/.\-](?P<y>\d{2,4})"
_TIME = r"(?P<h>\d{1,2})[:.](?P<m>\d{2})(?:[:.](?P<s>\d{2}))?(?:\s?(?P<ampm>[APap]\.?\s?[Mm]\.?))?"
_ANDROID = re.compile(rf"^{_DATE},? {_TIME} [-–] (?P<rest>.*)$")
_IOS = re.compile(rf"^\[{_DATE},? {_TIME}\] (?P<rest>.*)$")
_ENCRYPTION_NOTICE = "Messages and calls are end-to-end encrypted"
_SENDER = re.compile(r"^(?P<name>[^:]{1,80}?): (?P<text>.*)$", re.DOTALL)


def looks_like_whatsapp(head: str) -> bool:
    """Whether the first lines are WhatsApp's: most of them start with a date and time."""
    lines = [_clean(line) for line in head.splitlines()[:20] if line.strip()]
    hits = sum(1 for line in lines if _ANDROID.match(line) or _IOS.match(line))
    return bool(lines) and hits >= max(1, len(lines) // 2)


def read_whatsapp(path: Path, options: ReaderOptions,
                  start: StartAt = StartAt()) -> Iterator[ReaderItem]:
    user = require_user(options, "WhatsApp export")
    name = _chat_name(path)
    day_first = _day_first(_lines(path))
    seen: Counter[tuple[str, str, str]] = Counter()
    options.stats.conversations += 1
    pending: tuple[int, re.Match[str], list[str]] | None = None
    for number, line in enumerate(_lines(path), start=1):
        match = _ANDROID.match(line) or _IOS.match(line)
        if match is None:
            if pending is not None:
                pending[2].append(line)  # a message that goes on over lines
            continue
        if pending is not None:
            item = _message(path, user, name, day_first, seen, *pending, options)
            if item is not None:
                yield item
        pending = (number, match, [line])
    if pending is not None:
        item = _message(path, user, name, day_first, seen, *pending, options)
        if item is not None:
            yield item


def _message(path: Path, user: str, chat: str, day_first: bool,
             seen: Counter[tuple[str, str, str]], number: int, match: re.Match[str],
             lines: list[str], options: ReaderOptions) -> ReaderItem | None:
    body = "\n".join([match["rest"], *lines[1:]])
    sender = _SENDER.match(body)
    if sender is None or sender["text"].startswith(_ENCRYPTION_NOTICE):
        options.stats.skip("system line")  # iOS puts the notice under the chat's name
        return None
    when = _when(match, day_first)
    key = (when, sender["name"].strip(), sender["text"])
    seen[key] += 1
    record = {
        "user_id": user,
        "conversation_id": f"whatsapp-{chat}",
        "message_id": stable_id("whatsapp", *key, seen[key]),
        "role": "user",
        "name": key[1],
        "content": sender["text"],
        "chat_time": when,
        "info": {"source": "whatsapp", "chat": chat},
    }
    return RawRecord(str(path), number, clip("\n".join(lines)), record, start_offset=number,
                     end_offset=number)


def _when(match: re.Match[str], day_first: bool) -> str:
    first, second = int(match["a"]), int(match["b"])
    day, month = (first, second) if day_first else (second, first)
    year = int(match["y"])
    year += 2000 if year < 100 else 0
    hour, minute, second_ = int(match["h"]), int(match["m"]), int(match["s"] or 0)
    ampm = (match["ampm"] or "").lower().replace(".", "").replace(" ", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    return datetime(year, month, day, hour, minute, second_).isoformat()


def _day_first(lines: Iterator[str]) -> bool:
    dotted = ampm = False
    for line in lines:
        match = _ANDROID.match(line) or _IOS.match(line)
        if match is None:
            continue
        if int(match["a"]) > 12:
            return True
        if int(match["b"]) > 12:
            return False
        dotted = dotted or "." in match.group(0)[:10]
        ampm = ampm or bool(match["ampm"])
    return dotted or not ampm


def _clean(line: str) -> str:
    line = line.rstrip("\r\n")
    for mark in _MARKS:
        line = line.replace(mark, "")
    return line.replace("\u202f", " ").replace("\xa0", " ")


def _lines(path: Path) -> Iterator[str]:
    """The chat's lines, from the .txt or from the .txt inside the export .zip."""
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.lower().endswith(".txt")]
            if not names:
                raise InputError(f"{path} holds no chat .txt", "pass the .txt of the export")
            with archive.open(names[0]) as handle:
                text = io.TextIOWrapper(handle, encoding="utf-8-sig", errors="replace")
                for line in text:
                    yield _clean(line)
        return
    with open_input(path) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace")
        for line in text:
            yield _clean(line)


def _chat_name(path: Path) -> str:
    """'WhatsApp Chat with Alice.txt' -> 'Alice'; otherwise the file's stem."""
    stem = path.name.split(".", 1)[0]
    for prefix in ("WhatsApp Chat with ", "WhatsApp Chat - ", "Chat de WhatsApp con "):
        if stem.startswith(prefix):
            return stem[len(prefix):]
    return stem
