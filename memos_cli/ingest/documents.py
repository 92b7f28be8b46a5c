"""Attachments: the text of a file part (txt, md, json, csv, html, pdf), and its chunks.

Decoding happens at validation, so an unreadable attachment fails its message with the reason
instead of failing a batch later.
"""

from __future__ import annotations

import base64
import binascii
import html
import io
import re
from pathlib import PurePath

TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".json", ".jsonl", ".csv", ".tsv",
                           ".log", ".yaml", ".yml", ".xml", ".html", ".htm", ""})
CHUNK_CHARS = 800
_TAG = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S | re.I)
_BLANKS = re.compile(r"\n\s*\n\s*")


class UnreadableFile(ValueError):
    pass


def file_text(data: str, filename: str | None) -> str:
    """The text of an attachment given as base64 (or a data: URL, or plain text)."""
    name = filename or "attachment"
    suffix = PurePath(name).suffix.lower()
    raw = _decode(data)
    if suffix == ".pdf" or raw.startswith(b"%PDF"):
        return _pdf_text(raw, name)
    if suffix not in TEXT_SUFFIXES:
        raise UnreadableFile(f"cannot read {name}: {suffix} files are not supported "
                             "(text, markdown, JSON, CSV, HTML and PDF are)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFile(f"cannot read {name}: not UTF-8 text") from None
    if suffix in (".html", ".htm"):
        text = html.unescape(_TAG.sub(" ", text))
    return _BLANKS.sub("\n\n", text).strip()


def _decode(data: str) -> bytes:
    if data.startswith("data:"):
        data = data.partition(",")[2]
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return data.encode("utf-8")  # given as plain text


def _pdf_text(raw: bytes, name: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(raw))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise UnreadableFile(f"cannot read {name}: not a readable PDF ({exc})") from None
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text:
        raise UnreadableFile(f"cannot read {name}: the PDF has no text layer")
    return text


def chunks(text: str, size: int = CHUNK_CHARS) -> list[str]:
    """Paragraph-aligned chunks of about `size` characters."""
    pieces: list[str] = []
    current = ""
    for paragraph in _BLANKS.split(text):
        while len(paragraph) > size:
            cut = paragraph.rfind(" ", 0, size)
            cut = cut if cut > size // 2 else size
            pieces.append(paragraph[:cut].strip())
            paragraph = paragraph[cut:].strip()
        if current and len(current) + len(paragraph) + 2 > size:
            pieces.append(current)
            current = ""
        current = f"{current}\n\n{paragraph}" if current else paragraph
    if current:
        pieces.append(current)
    return [p for p in pieces if p]
